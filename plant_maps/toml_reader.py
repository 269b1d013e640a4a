"""Typed, validating access to parsed TOML, so every config error names the file, the key and the problem."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration or site file is wrong: `file`, `key` (dotted path) and what is wrong."""

    def __init__(self, file: Path | str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = str(file), key, problem
        where = f"{self.file}: {key}" if key else self.file
        super().__init__(f"{where}: {problem}")


_MISSING = object()


class Reader:
    """One TOML table with its dotted location, for error messages."""

    def __init__(self, data: dict[str, Any], file: Path | str, prefix: str) -> None:
        self.data, self.file, self.prefix = data, file, prefix

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.file, self._key(key), problem)

    def _key(self, key: str) -> str:
        return ".".join(p for p in (self.prefix, key) if p)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error(key, "required key is missing")
        return default

    def str(self, key: str, default: Any = _MISSING) -> str:
        """A non-empty string; a key left out takes `default`, which may be "" (an optional text)."""
        if key not in self.data and default is not _MISSING:
            return default
        value = self._get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        return value

    def bool(self, key: str, default: Any = _MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def float(self, key: str, default: Any = _MISSING) -> float:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.error(key, f"expected a finite number, got {value!r}")
        return float(value)

    def opt_float(self, key: str) -> float | None:
        return self.float(key) if key in self.data else None

    def positive(self, key: str, default: Any = _MISSING) -> float:
        value = self.float(key, default)
        if value <= 0:
            raise self.error(key, f"expected a number > 0, got {value!r}")
        return value

    def int(self, key: str, default: Any = _MISSING, minimum: int = 0) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(key, f"expected an integer >= {minimum}, got {value!r}")
        return value

    def choice(self, key: str, options: Iterable[str], default: Any = _MISSING) -> str:
        options = tuple(options)
        value = self.str(key, default)
        if value not in options:
            raise self.error(key, f"{value!r} is not one of {', '.join(options)}")
        return value

    def ref(self, key: str, known: set[str]) -> str:
        value = self.str(key)
        if value not in known:
            raise self.error(key, f"unknown id {value!r}")
        return value

    def str_list(self, key: str) -> list[str]:
        value = self._get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, f"expected a list of strings, got {value!r}")
        return value

    def pair(self, key: str) -> tuple[float, float]:
        value = self._get(key, _MISSING)
        if not _is_point(value):
            raise self.error(key, f"expected [number, number], got {value!r}")
        return float(value[0]), float(value[1])

    def points(self, key: str) -> tuple[tuple[float, float], ...]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list):
            raise self.error(key, f"expected a list of [x, y] points, got {value!r}")
        for i, point in enumerate(value):
            if not _is_point(point):
                raise self.error(f"{key}[{i}]", f"expected [x, y], got {point!r}")
        return tuple((float(x), float(y)) for x, y in value)

    def datetime(self, key: str) -> datetime:
        value = self._get(key, _MISSING)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise self.error(key, f"{value!r} is not an ISO-8601 date-time") from None
        if not isinstance(value, datetime):
            raise self.error(key, f"expected a date-time, got {value!r}")
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def section(self, key: str, required: bool = True) -> Reader:
        value = self._get(key, _MISSING if required else {})
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {value!r}")
        return Reader(value, self.file, self._key(key))

    def tables(self, key: str, required: bool = False) -> list[Reader]:
        value = self._get(key, _MISSING if required else [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, f"expected an array of tables ([[{key}]]), got {value!r}")
        if required and not value:
            raise self.error(key, "at least one entry is required")
        return [Reader(v, self.file, f"{self._key(key)}[{i}]") for i, v in enumerate(value)]

    def reject_unknown(self, allowed: set[str]) -> None:
        """A misspelt key is an error, not a silently ignored setting."""
        for key in self.data:
            if key not in allowed:
                raise self.error(key, f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _is_point(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    )
