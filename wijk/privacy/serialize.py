"""Rows as plain JSON values and back, for the export and the sealed copy."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, LargeBinary
from sqlalchemy.orm import DeclarativeBase

from wijk.clock import UTCDateTime


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def row(obj: DeclarativeBase, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a model instance, by column name, as JSON values."""
    return {
        column.name: plain(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.name not in exclude and hasattr(obj, column.key)
    }


def unplain(
    model: type[DeclarativeBase], data: dict[str, Any], exclude: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The inverse of `row` for one model: keyword arguments for its constructor."""
    values: dict[str, Any] = {}
    for column in model.__table__.columns:
        if column.name in exclude or column.name not in data:
            continue
        value = data[column.name]
        if value is not None:
            affinity = column.type._type_affinity  # sees through UTCDateTime/LocalDateTime
            if affinity is DateTime:
                value = datetime.fromisoformat(value)
                if isinstance(column.type, UTCDateTime) and value.tzinfo is None:
                    value = value.replace(tzinfo=UTC)  # sealed before stamps carried a zone
            elif affinity is Date:
                value = date.fromisoformat(value)
            elif isinstance(column.type, LargeBinary):
                value = base64.b64decode(value)
        values[column.key] = value
    return values
