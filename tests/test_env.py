"""Tests for lmcourse.env: seeds, the accelerator, the strategy and the environment report."""

from __future__ import annotations

import os
import platform
import random

import keras
import numpy as np
import pytest
import tensorflow as tf

import lmcourse.env as env
from lmcourse.env import accelerator, environment_report, get_strategy, seed_everything, setup

HAS_GPU = bool(tf.config.list_physical_devices("GPU"))


@pytest.fixture(autouse=True)
def restore_hash_seed(monkeypatch):
    """seed_everything writes PYTHONHASHSEED; let monkeypatch put it back afterwards."""
    monkeypatch.setenv("PYTHONHASHSEED", "0")


@pytest.fixture
def no_tpu(monkeypatch):
    monkeypatch.delenv("COLAB_TPU_ADDR", raising=False)
    monkeypatch.delenv("TPU_NAME", raising=False)
    monkeypatch.setattr(env.glob, "glob", lambda pattern: [])


def _draws():
    return (
        random.random(),
        np.random.rand(3).tolist(),
        keras.ops.convert_to_numpy(keras.random.uniform((3,))).tolist(),
        tf.random.uniform((3,)).numpy().tolist(),
    )


# seed_everything ----------------------------------------------------------------

def test_seed_everything_returns_seed_and_sets_hash_seed():
    assert seed_everything(7) == 7
    assert os.environ["PYTHONHASHSEED"] == "7"


def test_seed_everything_repeats_all_draws():
    seed_everything(123)
    first = _draws()
    seed_everything(123)
    second = _draws()
    assert first == second
    seed_everything(124)
    third = _draws()
    assert third[0] != first[0]
    assert third[1] != first[1]
    assert third[3] != first[3]


def test_seed_everything_accepts_numpy_integer():
    assert seed_everything(np.int64(5)) == 5
    assert type(seed_everything(np.int32(5))) is int


def test_seed_everything_deterministic_flag(monkeypatch):
    calls = []
    monkeypatch.setattr(tf.config.experimental, "enable_op_determinism", lambda: calls.append(1))
    seed_everything(3, deterministic=True)
    assert calls == [1]
    seed_everything(3)
    assert calls == [1]


@pytest.mark.parametrize("seed", [-1, -100, 1.5, "42", None, 3.0])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        seed_everything(seed)


# _tpu_address and accelerator ------------------------------------------------------

def test_tpu_address_from_colab(monkeypatch):
    monkeypatch.setenv("COLAB_TPU_ADDR", "10.0.0.2:8470")
    monkeypatch.setenv("TPU_NAME", "my-tpu")  # COLAB_TPU_ADDR wins
    assert env._tpu_address() == "grpc://10.0.0.2:8470"


def test_tpu_address_from_tpu_name(monkeypatch):
    monkeypatch.delenv("COLAB_TPU_ADDR", raising=False)
    monkeypatch.setenv("TPU_NAME", "my-tpu")
    assert env._tpu_address() == "my-tpu"


def test_tpu_address_none_without_tpu(no_tpu):
    assert env._tpu_address() is None


def test_tpu_address_empty_variables_are_ignored(monkeypatch, no_tpu):
    monkeypatch.setenv("COLAB_TPU_ADDR", "")
    monkeypatch.setenv("TPU_NAME", "")
    assert env._tpu_address() is None


def test_tpu_address_local_tpu_vm(monkeypatch, no_tpu):
    seen = []

    def fake_glob(pattern):
        seen.append(pattern)
        return ["/dev/accel0"] if pattern == "/dev/accel*" else []

    monkeypatch.setattr(env.glob, "glob", fake_glob)
    assert env._tpu_address() == "local"
    assert "/dev/accel*" in seen


def test_accelerator_reports_tpu_when_one_is_found(monkeypatch):
    monkeypatch.setenv("TPU_NAME", "my-tpu")
    assert accelerator() == "TPU"


@pytest.mark.skipif(HAS_GPU, reason="a GPU is present")
def test_accelerator_is_cpu_here(no_tpu):
    assert accelerator() == "CPU"


# get_strategy --------------------------------------------------------------------

@pytest.mark.skipif(HAS_GPU, reason="a GPU is present")
def test_get_strategy_on_cpu(no_tpu, capsys):
    strategy = get_strategy(verbose=True)
    assert isinstance(strategy, tf.distribute.Strategy)
    assert strategy.num_replicas_in_sync == 1
    out = capsys.readouterr().out
    assert out.strip() == "strategy: default strategy, 1 replica(s) in sync"


def test_get_strategy_quiet(no_tpu, capsys):
    strategy = get_strategy(verbose=False)
    assert strategy.num_replicas_in_sync >= 1
    assert capsys.readouterr().out == ""
    with strategy.scope():
        variable = tf.Variable(1.0)
    assert float(variable.numpy()) == 1.0


# environment_report --------------------------------------------------------------

def test_environment_report_keys_and_values(monkeypatch, tmp_path, no_tpu):
    monkeypatch.setenv("LMCOURSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LMCOURSE_DATA_MIRROR", raising=False)
    monkeypatch.setenv("LMCOURSE_PROFILE", "smoke")
    report = environment_report()
    for key in ("python", "tensorflow", "keras", "keras backend", "profile", "data cache",
                "data mirror", "devices", "accelerator", "numpy", "colab"):
        assert key in report
    assert report["python"] == platform.python_version()
    assert report["tensorflow"] == tf.__version__
    assert report["keras"] == keras.__version__
    assert report["numpy"] == np.__version__
    assert report["keras backend"] == "tensorflow"
    assert report["profile"] == "smoke"
    assert report["data cache"].startswith("$LMCOURSE_DATA_DIR (")  # the variable's name, not the path
    assert str(tmp_path) not in report["data cache"]
    assert report["data mirror"] == "not set"
    assert report["cpu"] and report["cpu cores"] >= 1
    assert "GFLOP/s" in report["matmul peak"]
    assert "CPU" in report["devices"]
    assert report["accelerator"] in {"CPU", "GPU"}
    assert report["colab"] is False
    if not HAS_GPU:
        assert report["gpus"] == "none"
        assert report["accelerator"] == "CPU"


def test_environment_report_mirror_and_full_profile(monkeypatch, tmp_path, no_tpu):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("LMCOURSE_DATA_MIRROR", str(mirror))
    monkeypatch.delenv("LMCOURSE_PROFILE", raising=False)
    report = environment_report()
    assert report["data mirror"] == "$LMCOURSE_DATA_MIRROR (…/mirror)"
    assert report["profile"] == "full"


# setup ---------------------------------------------------------------------------

def test_setup_prints_report_and_seed(monkeypatch, tmp_path, no_tpu, capsys):
    monkeypatch.setenv("LMCOURSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LMCOURSE_DATA_MIRROR", raising=False)
    strategy = setup(seed=11)
    assert isinstance(strategy, tf.distribute.Strategy)
    assert strategy.num_replicas_in_sync >= 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    by_key = {}
    for line in lines:
        key, _, value = line.partition("  ")
        by_key[key.strip()] = value.strip()
    assert by_key["seed"] == "11"
    assert by_key["keras backend"] == "tensorflow"
    assert by_key["tensorflow"] == tf.__version__
    assert by_key["data cache"] == f"$LMCOURSE_DATA_DIR (…/{tmp_path.name})"
    assert any(line.startswith("strategy: ") for line in lines)


def test_setup_seeds(no_tpu, capsys):
    setup(seed=5, verbose=False)
    first = _draws()
    setup(seed=5, verbose=False)
    assert _draws() == first
    assert capsys.readouterr().out == ""


def test_setup_rejects_bad_seed(no_tpu):
    with pytest.raises(ValueError):
        setup(seed=-3, verbose=False)


# machine ---------------------------------------------------------------------------

def test_machine_info_names_the_cpu_and_measures_a_peak():
    from lmcourse.env import cpu_features, cpu_model, machine_info, matmul_peak_gflops

    info = machine_info()
    assert info["cpu"] == cpu_model() and info["cores"] >= 1
    assert info["cpu_features"] == (" ".join(cpu_features()) or "unknown")
    assert 1 < info["matmul_gflops_fp32"] < 1e6
    assert matmul_peak_gflops("float32") == info["matmul_gflops_fp32"]  # measured once per process


@pytest.mark.parametrize("kwargs, message", [(dict(dtype="int8"), "dtype"), (dict(size=4), "size"),
                                             (dict(seconds=0), "seconds")])
def test_matmul_peak_explains_bad_arguments(kwargs, message):
    from lmcourse.env import matmul_peak_gflops

    with pytest.raises(ValueError, match=message):
        matmul_peak_gflops(**kwargs)


def test_short_path_hides_the_machines_folders(tmp_path, monkeypatch):
    from pathlib import Path

    from lmcourse.env import short_path

    assert short_path(Path.home() / "x" / "y") == "~/x/y"
    monkeypatch.chdir(tmp_path)
    assert short_path(tmp_path / "runs" / "a.ipynb") == "./runs/a.ipynb"
    assert short_path("/somewhere/else/data") == "…/data"
    assert short_path(None) == "not set"
