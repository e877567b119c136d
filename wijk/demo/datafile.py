"""Reading the demo's TOML data files with the checks that turn a typo into an error
naming the file, the entry and the key, instead of a KeyError halfway through a seed."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")
_MISSING: Any = object()


class DemoDataError(ValueError):
    """A demo data file that cannot be read or does not say what the demo needs."""


def read_toml(path: Path) -> Fields:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise DemoDataError(f"{path}: cannot be read ({error.strerror})") from error
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"{path}: not valid TOML: {error}") from error
    return Fields(data, path, "")


def _kind(value: object) -> str:
    return {
        dict: "a table",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


class Fields:
    """One table of a data file, read key by key; `done()` rejects the keys nobody read,
    so a misspelt optional key is an error rather than silently ignored."""

    def __init__(self, data: object, path: Path, where: str) -> None:
        self.path, self.where = path, where
        if not isinstance(data, dict):
            self.fail(f"expected a table, found {_kind(data)}")
        self.data: dict[str, Any] = data
        self.read: set[str] = set()

    def fail(self, message: str, key: str | None = None) -> NoReturn:
        where = ".".join(part for part in (self.where, key) if part)
        raise DemoDataError(f"{self.path}: {where + ': ' if where else ''}{message}")

    def _get(self, key: str, kind: type[T], default: Any) -> T:
        self.read.add(key)
        if key not in self.data:
            if default is _MISSING:
                self.fail(f"missing key {key!r}")
            return default
        value = self.data[key]
        # true/false is an int to Python, never a number to a reader of the file
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.fail(f"expected {_kind(kind())}, found {_kind(value)}", key)
        return value

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, str, default)
        if value is not default and not value.strip():
            self.fail("must not be empty", key)
        return value

    def prose(self, key: str) -> str:
        """Text whose line breaks are spaces; a blank line separates paragraphs."""
        paragraphs = self.text(key).replace("\r\n", "\n").split("\n\n")
        return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())

    def number(self, key: str, default: Any = _MISSING) -> int:
        return self._get(key, int, default)

    def flag(self, key: str, default: bool = False) -> bool:
        return self._get(key, bool, default)

    def texts(self, key: str, default: Any = _MISSING) -> tuple[str, ...]:
        values = self._get(key, list, default)
        for n, value in enumerate(values):
            if not isinstance(value, str):
                self.fail(f"expected text, found {_kind(value)}", f"{key}[{n}]")
        return tuple(values)

    def numbers(self, key: str, length: int) -> tuple[int, ...]:
        values = self._get(key, list, _MISSING)
        if len(values) != length or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            self.fail(f"expected a list of {length} numbers", key)
        return tuple(values)

    def table(self, key: str) -> Fields | None:
        value = self._get(key, dict, None)
        return None if value is None else Fields(value, self.path, self._sub(key))

    def tables(self, key: str, *, required: bool = True) -> list[Fields]:
        values = self._get(key, list, _MISSING if required else [])
        if required and not values:
            self.fail("needs at least one entry", key)
        return [
            Fields(value, self.path, f"{self._sub(key)}[{n}]") for n, value in enumerate(values)
        ]

    def one_of(
        self,
        key: str,
        allowed: tuple[str, ...] | set[str] | dict[str, Any],
        what: str,
        default: Any = _MISSING,
    ) -> str:
        value = self.text(key, default)
        if value is not default and value not in allowed:
            self.fail(f"{value!r} is not {what}", key)
        return value

    def all_keys(self) -> list[str]:
        """Every key of the table, as read: for tables whose keys are the data."""
        self.read.update(self.data)
        return list(self.data)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            self.fail(f"unknown key {unknown[0]!r}")

    def _sub(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key
