"""Core bulk inserts for the benchmark generator: rows in chunks of CHUNK, and full item
rows, since executemany skips ORM defaults and the polymorphic identity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select

from wijk.extensions import db
from wijk.models import Item

CHUNK = 5_000


def count_rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


_ITEM_COLUMNS = tuple(c.name for c in Item.__table__.columns if c.name != "id")


def _chunks(rows: Iterable[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(table, rows: Iterable[dict]) -> int:
    total = 0
    for chunk in _chunks(rows):
        db.session.execute(insert(table), chunk)
        total += len(chunk)
    return total


def _scalar_defaults(table) -> dict[str, Any]:
    """Column defaults that Core executemany would not fill in for keys we pass as None."""
    return {
        column.name: column.default.arg
        for column in table.columns
        if column.default is not None and column.default.is_scalar
    }


_ITEM_SCALAR_DEFAULTS = _scalar_defaults(Item.__table__)


def item_row(**values: Any) -> dict[str, Any]:
    """A full row for the item table: executemany needs the same keys in every row, and
    `kind` must be set by hand because Core inserts skip the polymorphic identity."""
    row = dict.fromkeys(_ITEM_COLUMNS)
    row.update(_ITEM_SCALAR_DEFAULTS)
    row.update(status="published", description="")
    row.update(values)
    return row
