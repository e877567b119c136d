"""Time has a type. Two kinds of datetime live in Wijk, and this module is their home.

- A *stamp* says when something happened (created, sent, confirmed): an aware UTC
  datetime, `utcnow()`, stored by `UTCDateTime`. Shown with the `utc_*` filters, which
  convert to Europe/Amsterdam.
- An *activity time* says when something will happen on the neighbourhood's clock: a
  naive Europe/Amsterdam wall-clock datetime, `local_now()`, stored by `LocalDateTime`.
  Shown with the `local_*` filters, which never shift it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import get_timezone
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A stamp: when something happened (created, sent, confirmed), as an aware UTC datetime.

    Stored as UTC in a column without a zone (`timestamp without time zone` on PostgreSQL,
    text on SQLite), so the schema is unchanged; read back with `tzinfo=UTC`. A naive value
    is refused: it could be UTC or Amsterdam wall-clock time, and guessing is the bug this
    type exists to prevent. Every `Mapped[datetime]` column is one of these unless it says
    otherwise (see `Base.type_annotation_map` in wijk/extensions.py).
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime takes an aware datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value!r} given for a UTC stamp column; "
                "use wijk.models.base.utcnow() or attach tzinfo=UTC"
            )
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        return value.replace(tzinfo=UTC)


class LocalDateTime(TypeDecorator):
    """Wall-clock time in Europe/Amsterdam, naive: when an activity starts or ends.

    An activity at 20:00 stays at 20:00 across a change to or from summer time, so these
    are not stamps and carry no zone. An aware value is refused: converting it here would
    hide which zone the caller meant. `local_now()` is the matching clock.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"LocalDateTime takes a naive datetime, not {type(value).__name__}")
        if value.tzinfo is not None:
            raise ValueError(
                f"aware datetime {value!r} given for a local wall-clock column; "
                "activity times are naive Europe/Amsterdam times"
            )
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value


def local_zone() -> ZoneInfo:
    """The zone of every activity time and of every stamp shown to a person."""
    return ZoneInfo(str(get_timezone()))


def utcnow() -> datetime:
    """Now as an aware UTC datetime: the value every stamp column takes."""
    return datetime.now(UTC)


def local_now() -> datetime:
    """Now on the neighbourhood's wall clock, naive, to the minute: compare activity times
    with this, never with `utcnow()`."""
    return datetime.now(local_zone()).replace(tzinfo=None, second=0, microsecond=0)


def stamp_to_local(stamp: datetime) -> datetime:
    """A UTC stamp as naive local wall-clock time, to compare it with activity times."""
    if stamp.tzinfo is None:
        raise ValueError(f"naive datetime {stamp!r} is not a UTC stamp")
    return stamp.astimezone(local_zone()).replace(tzinfo=None)


def local_to_stamp(local: datetime) -> datetime:
    """A naive wall-clock time typed or planned in Amsterdam, as an aware UTC stamp."""
    if local.tzinfo is not None:
        raise ValueError(f"aware datetime {local!r} is not a local wall-clock time")
    return local.replace(tzinfo=local_zone()).astimezone(UTC)


def local_day_start(day: date) -> datetime:
    """The UTC stamp at which `day` begins in Amsterdam, to select stamps by local date."""
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(UTC)
