"""Typed readers for ``VIGIE_*`` environment variables.

Every knob Vigie reads from the environment goes through these functions, which
record the name, default and description in :data:`REGISTRY`. A test compares the
registry with ``docs/configuration.md`` so that no setting stays undocumented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


class ConfigurationError(ValueError):
    """A ``VIGIE_*`` variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Knob:
    name: str
    default: str
    help: str


REGISTRY: dict[str, Knob] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _declare(name: str, default: object, help: str) -> str | None:
    if not name.startswith("VIGIE_"):
        raise ConfigurationError(f"{name}: every setting is named VIGIE_*")
    REGISTRY[name] = Knob(name, str(default), help)
    return os.environ.get(name)


def env_str(name: str, default: str, help: str) -> str:
    raw = _declare(name, default, help)
    return default if raw is None else raw


def env_bool(name: str, default: bool, help: str) -> bool:
    raw = _declare(name, "1" if default else "0", help)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off")


def env_int(
    name: str, default: int, help: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = _declare(name, default, help)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name}={value}: must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigurationError(f"{name}={value}: must be at most {maximum}")
    return value


def env_list(name: str, default: list[str], help: str) -> list[str]:
    raw = _declare(name, ",".join(default), help)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]
