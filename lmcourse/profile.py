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
VARIANT_VARIABLE = "LMCOURSE_VARIANT"
PROFILES = ("smoke", "full")
DEFAULT_PROFILE = "full"

__all__ = ["PROFILES", "PROFILE_VARIABLE", "VARIANT_VARIABLE", "Config", "get_profile", "get_variant",
           "profile_config", "run_name"]


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


def get_variant() -> str | None:
    """The named variant of the full run that ``LMCOURSE_VARIANT`` asks for, or None.

    A notebook may name variants of its full profile in its configuration cell
    (``profile_config(..., variants={"12M": {"train_tokens": 12_000_000}})``),
    for example a longer run whose figure the notebook quotes;
    ``make execute NB=07 VARIANT=12M`` runs one.

    >>> get_variant() is None or isinstance(get_variant(), str)
    True
    """
    value = os.environ.get(VARIANT_VARIABLE, "").strip()
    return value or None


def run_name() -> str:
    """The name this run's results are filed under: the profile, or the variant when one is set.

    >>> run_name() in PROFILES or run_name() == get_variant()
    True
    """
    return get_variant() or get_profile()


class Config(Mapping[str, Any]):
    """The sizes chosen for the active profile, readable as ``cfg.name`` or ``cfg["name"]``."""

    def __init__(self, profile: str, values: Mapping[str, Any], other: Mapping[str, Any]):
        self.profile = profile
        self._values = dict(values)
        self._other = dict(other)
        self.variants: dict[str, Mapping[str, Any]] = {}

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
        other_name = "smoke" if self.profile.startswith("full") else "full"
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
    *,
    smoke: Mapping[str, Any],
    full: Mapping[str, Any],
    variants: Mapping[str, Mapping[str, Any]] | None = None,
    show: bool = True,
) -> Config:
    """Pick a notebook's sizes for the active profile.

    Both profiles must name the same settings, so that the code below the
    configuration cell is identical under both. ``variants`` names variants
    of the full run, each changing some full settings; ``LMCOURSE_VARIANT``
    picks one. With ``show=True`` the table of settings is printed.

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
    variants = dict(variants or {})
    for name, changes in variants.items():
        unknown = sorted(set(changes) - set(full))
        if unknown:
            raise ValueError(f"variant {name!r} changes settings the profiles do not have: {unknown}")
    variant = get_variant()
    if variant is not None:
        if variant not in variants:
            raise ValueError(
                f"{VARIANT_VARIABLE}={variant!r} is not a variant of this notebook; "
                f"it has: {', '.join(variants) or 'none'}. Unset {VARIANT_VARIABLE} for the normal run."
            )
        if profile != "full":
            raise ValueError(f"variant {variant!r} is a variant of the full run; unset {PROFILE_VARIABLE} "
                             f"(or set it to full) to run it")
        full = {**full, **variants[variant]}
    chosen, other = (smoke, full) if profile == "smoke" else (full, smoke)
    ordered_other = {k: other[k] for k in chosen}
    config = Config(profile if variant is None else f"{profile} (variant {variant})", chosen, ordered_other)
    config.variants = variants
    if show:
        print(config.table())
    return config
