"""Tests for lmcourse.profile: the run profile and the per-profile configuration."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Mapping

import pytest

from lmcourse.profile import (
    PROFILE_VARIABLE,
    PROFILES,
    Config,
    get_profile,
    profile_config,
)

SMOKE = {"epochs": 1, "batch_size": 8, "max_tokens": 1_000}
FULL = {"epochs": 20, "batch_size": 64, "max_tokens": 1_000_000}


@pytest.fixture
def smoke(monkeypatch):
    monkeypatch.setenv(PROFILE_VARIABLE, "smoke")


@pytest.fixture
def full(monkeypatch):
    monkeypatch.delenv(PROFILE_VARIABLE, raising=False)


# get_profile ----------------------------------------------------------------

def test_constants():
    assert PROFILE_VARIABLE == "LMCOURSE_PROFILE"
    assert set(PROFILES) == {"smoke", "full"}


def test_get_profile_defaults_to_full_when_unset(monkeypatch):
    monkeypatch.delenv(PROFILE_VARIABLE, raising=False)
    assert get_profile() == "full"


@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_get_profile_defaults_to_full_when_empty(monkeypatch, value):
    monkeypatch.setenv(PROFILE_VARIABLE, value)
    assert get_profile() == "full"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("smoke", "smoke"), ("full", "full"), (" SMOKE ", "smoke"), ("Full", "full"), ("\tsMoKe\n", "smoke")],
)
def test_get_profile_ignores_case_and_spaces(monkeypatch, value, expected):
    monkeypatch.setenv(PROFILE_VARIABLE, value)
    assert get_profile() == expected


@pytest.mark.parametrize("value", ["fast", "smoke test", "FULLL", "0"])
def test_get_profile_rejects_unknown_profile(monkeypatch, value):
    monkeypatch.setenv(PROFILE_VARIABLE, value)
    with pytest.raises(ValueError) as info:
        get_profile()
    message = str(info.value)
    assert PROFILE_VARIABLE in message
    assert "smoke" in message and "full" in message
    assert repr(value) in message  # the offending value is quoted as set


# profile_config ---------------------------------------------------------------

def test_profile_config_picks_smoke_values(smoke):
    cfg = profile_config(smoke=SMOKE, full=FULL, show=False)
    assert isinstance(cfg, Config)
    assert cfg.profile == "smoke"
    assert dict(cfg) == SMOKE


def test_profile_config_picks_full_values(full):
    cfg = profile_config(smoke=SMOKE, full=FULL, show=False)
    assert cfg.profile == "full"
    assert dict(cfg) == FULL


def test_profile_config_unknown_profile_is_an_error(monkeypatch):
    monkeypatch.setenv(PROFILE_VARIABLE, "medium")
    with pytest.raises(ValueError, match=PROFILE_VARIABLE):
        profile_config(smoke=SMOKE, full=FULL, show=False)


def test_profile_config_show_prints_a_table(smoke, capsys):
    cfg = profile_config(smoke=SMOKE, full=FULL, show=True)
    out = capsys.readouterr().out
    assert out.strip() == cfg.table()
    assert "(used)" in out
    assert "smoke (used)" in out
    assert PROFILE_VARIABLE in out
    for name in SMOKE:
        assert name in out
    # each setting's line shows the used value and the other profile's value
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert lines["epochs"] == ["1", "20"]
    assert lines["max_tokens"] == ["1000", "1000000"]


def test_profile_config_table_under_full(full, capsys):
    profile_config(smoke=SMOKE, full=FULL, show=True)
    out = capsys.readouterr().out
    assert "full (used)" in out
    header = out.splitlines()[1]
    assert header.split()[-1] == "smoke"
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:]}
    assert lines["batch_size"] == ["64", "8"]


def test_profile_config_show_false_prints_nothing(smoke, capsys):
    profile_config(smoke=SMOKE, full=FULL, show=False)
    assert capsys.readouterr().out == ""


def test_config_attribute_and_item_access(smoke):
    cfg = profile_config(smoke=SMOKE, full=FULL, show=False)
    assert cfg.epochs == 1
    assert cfg["epochs"] == 1
    assert cfg.batch_size == cfg["batch_size"] == 8
    with pytest.raises(KeyError):
        cfg["learning_rate"]


def test_config_unknown_attribute_names_known_settings(smoke):
    cfg = profile_config(smoke=SMOKE, full=FULL, show=False)
    with pytest.raises(AttributeError) as info:
        _ = cfg.learning_rate
    message = str(info.value)
    assert "'learning_rate'" in message
    for name in SMOKE:
        assert name in message
    assert not hasattr(cfg, "learning_rate")


def test_profile_config_mismatched_keys(smoke):
    with pytest.raises(ValueError) as info:
        profile_config(smoke={"a": 1, "b": 2}, full={"a": 1, "c": 3}, show=False)
    message = str(info.value)
    assert "only in smoke: ['b']" in message
    assert "only in full: ['c']" in message


def test_profile_config_mismatched_keys_one_side(full):
    with pytest.raises(ValueError) as info:
        profile_config(smoke={"a": 1}, full={"a": 1, "extra": 2}, show=False)
    message = str(info.value)
    assert "only in smoke: none" in message
    assert "'extra'" in message


def test_config_is_a_mapping_in_declared_order(monkeypatch):
    monkeypatch.setenv(PROFILE_VARIABLE, "smoke")
    smoke = {"z": 1, "a": 2, "m": 3}
    full = {"a": 20, "m": 30, "z": 10}  # a different order: the active profile's order wins
    cfg = profile_config(smoke=smoke, full=full, show=False)
    assert isinstance(cfg, Mapping)
    assert len(cfg) == 3
    assert list(cfg) == ["z", "a", "m"]
    assert list(cfg.keys()) == ["z", "a", "m"]
    assert list(cfg.values()) == [1, 2, 3]
    assert "a" in cfg and "q" not in cfg
    assert cfg.get("q", "default") == "default"
    assert dict(**cfg) == smoke
    # the table lists the other profile's values in the same order
    rows = [line.split() for line in cfg.table().splitlines()[2:]]
    assert rows == [["z", "1", "10"], ["a", "2", "20"], ["m", "3", "30"]]


def test_config_direct_construction_and_repr():
    cfg = Config("full", {"n": 10, "name": "x"}, {"n": 1, "name": "y"})
    assert cfg.n == 10
    assert repr(cfg) == "Config(profile='full', n=10, name='x')"
    assert "smoke" in cfg.table().splitlines()[1]


def test_config_empty_settings(full):
    cfg = profile_config(smoke={}, full={}, show=False)
    assert len(cfg) == 0
    assert list(cfg) == []
    assert "setting" in cfg.table()


@pytest.mark.parametrize(
    "clone",
    [copy.copy, copy.deepcopy, lambda c: pickle.loads(pickle.dumps(c))],
    ids=["copy", "deepcopy", "pickle"],
)
def test_config_can_be_copied_and_pickled(full, clone):
    cfg = profile_config(smoke=SMOKE, full=FULL, show=False)
    # Catch the RecursionError and fail outside the handler: pytest takes a minute to
    # format a thousand-frame traceback.
    try:
        twin, error = clone(cfg), None
    except RecursionError as caught:
        twin, error = None, type(caught).__name__
    assert error is None, f"cloning a Config raised {error}"
    assert dict(twin) == dict(cfg)
    assert twin.epochs == 20
