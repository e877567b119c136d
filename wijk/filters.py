"""Jinja filters for dates in the visitor's language. A filter's name says which kind of
time it takes (see wijk/clock.py), and it refuses the other kind instead of showing a
date that is off by one near midnight.

- `utc_day`, `utc_datetime`: a stamp (aware UTC), shown in Europe/Amsterdam.
- `local_day`, `local_time`, `local_datetime`: an activity time (naive wall-clock) or a
  calendar date, shown as it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime, format_time, get_locale

# Flask-Babel's own filters cannot tell a stamp from a wall-clock time; they are removed so
# a template cannot reach for them by habit.
BABEL_FILTERS = ("datetimeformat", "dateformat", "timeformat")


def _stamp(value: Any, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise TypeError(
            f"|{name} takes a UTC stamp (an aware datetime), got {value!r}; "
            "activity times and calendar dates use the local_* filters"
        )
    return value


def _wall_clock(value: Any, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"|{name} takes a local wall-clock time (a naive datetime), got {value!r}")
    if value.tzinfo is not None:
        raise TypeError(
            f"|{name} takes a local wall-clock time (a naive datetime), got the stamp "
            f"{value!r}; stamps use the utc_* filters"
        )
    return value


def utc_day(value: datetime | None, fmt: str = "d MMMM y") -> str:
    """The Amsterdam date of a stamp."""
    return format_datetime(_stamp(value, "utc_day"), fmt) if value is not None else ""


def utc_datetime(value: datetime | None, fmt: str = "d MMMM y, HH:mm") -> str:
    """The Amsterdam date and time of a stamp."""
    return format_datetime(_stamp(value, "utc_datetime"), fmt) if value is not None else ""


def local_day(value: date | datetime | None, fmt: str = "d MMMM y") -> str:
    """The date of an activity time, or a calendar date (an offer's last day)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(_wall_clock(value, "local_day"), fmt, rebase=False)
    if not isinstance(value, date):
        raise TypeError(f"|local_day takes a date or a local wall-clock time, got {value!r}")
    return format_date(value, fmt)


def local_datetime(value: datetime | None, fmt: str = "EEEE d MMMM y, HH:mm") -> str:
    """An activity time, formatted without a zone shift."""
    if value is None:
        return ""
    return format_datetime(_wall_clock(value, "local_datetime"), fmt, rebase=False)


def local_time(value: datetime | None, fmt: str = "HH:mm") -> str:
    """The clock time of an activity time."""
    if value is None:
        return ""
    return format_time(_wall_clock(value, "local_time"), fmt, rebase=False)


FILTERS = {
    "utc_day": utc_day,
    "utc_datetime": utc_datetime,
    "local_day": local_day,
    "local_datetime": local_datetime,
    "local_time": local_time,
}


def register(app: Flask) -> None:
    for name in BABEL_FILTERS:
        app.jinja_env.filters.pop(name, None)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "nl")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
