"""Run profiles: one environment variable sizes every run of every notebook.

``LMCOURSE_PROFILE=smoke`` gives tiny data slices and a few steps (what the
tests run); ``full`` (the default) gives the real runs a learner wants.
A notebook states its sizes for both profiles in one configuration cell::

    >>> from lmcourse.profile import profile_config
    >>> cfg = profile_config(smoke={"epochs": 1}, full={"epochs": 20}, show=False)
    >>> cfg.epochs in (1, 20)
    True
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

PROFILE_VARIABLE = "LMCOURSE_PROFILE"
PROFILES = ("smoke", "full")
DEFAULT_PROFILE = "full"

__all__ = ["PROFILES", "PROFILE_VARIABLE", "Config", "get_profile", "profile_config"]


def get_profile() -> str:
    """Return the active profile, ``"smoke"`` or ``"full"``.

    Read from the ``LMCOURSE_PROFILE`` environment variable (case and
    surrounding spaces ignored); unset or empty means ``"full"``.

    >>> get_profile() in PROFILES
    True
    """
    value = os.environ.get(PROFILE_VARIABLE, "").strip().lower()
    if not value:
        return DEFAULT_PROFILE
    if value not in PROFILES:
        raise ValueError(
            f"{PROFILE_VARIABLE}={os.environ[PROFILE_VARIABLE]!r} is not a profile of this course. "
            f"Use one of {', '.join(PROFILES)}: for example `export {PROFILE_VARIABLE}=smoke` "
            "for a quick check, or unset it for the full run."
        )
    return value


class Config(Mapping[str, Any]):
    """The sizes chosen for the active profile, readable as ``cfg.name`` or ``cfg["name"]``."""

    def __init__(self, profile: str, values: Mapping[str, Any], other: Mapping[str, Any]):
        self.profile = profile
        self._values = dict(values)
        self._other = dict(other)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("_values")
        if values is None:  # during copy/pickle, before __init__ has run
            raise AttributeError(name)
        try:
            return values[name]
        except KeyError:
            raise AttributeError(
                f"the configuration has no setting {name!r}; it has: {', '.join(values)}"
            ) from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def table(self) -> str:
        """A text table of every setting, the active profile's value marked."""
        other_name = next(p for p in PROFILES if p != self.profile)
        width = max([len(k) for k in self._values] + [7])
        lines = [f"profile: {self.profile}  (set {PROFILE_VARIABLE} to change)",
                 f"{'setting':<{width}}  {self.profile + ' (used)':>16}  {other_name:>12}"]
        for key, value in self._values.items():
            lines.append(f"{key:<{width}}  {value!s:>16}  {self._other[key]!s:>12}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Config(profile={self.profile!r}, {items})"


def profile_config(
    *, smoke: Mapping[str, Any], full: Mapping[str, Any], show: bool = True
) -> Config:
    """Pick a notebook's sizes for the active profile.

    Both profiles must name the same settings, so that the code below the
    configuration cell is identical under both. With ``show=True`` the table
    of settings is printed.

    >>> cfg = profile_config(smoke={"n": 100}, full={"n": 10_000}, show=False)
    >>> sorted(cfg)
    ['n']
    """
    if set(smoke) != set(full):
        only_smoke = sorted(set(smoke) - set(full))
        only_full = sorted(set(full) - set(smoke))
        raise ValueError(
            "smoke and full must name the same settings; "
            f"only in smoke: {only_smoke or 'none'}, only in full: {only_full or 'none'}"
        )
    profile = get_profile()
    chosen, other = (smoke, full) if profile == "smoke" else (full, smoke)
    ordered_other = {k: other[k] for k in chosen}
    config = Config(profile, chosen, ordered_other)
    if show:
        print(config.table())
    return config
