"""Jinja filters for dates in the visitor's language. A filter's name says which kind of
time it takes (see wijk/clock.py), and it refuses the other kind instead of showing a
date that is off by one near midnight.

- `utc_day`, `utc_datetime`: a stamp (aware UTC), shown in Europe/Amsterdam.
- `local_day`, `local_time`, `local_datetime`: an activity time (naive wall-clock) or a
  calendar date, shown as it is.

The default formats are the language's own (CLDR via Babel: "19 december 2026",
"December 19, 2026", "19 ديسمبر 2026"); a template asks for a shorter one by style name
("short", "short_weekday") or for a fixed machine format ("yyyy-MM-dd").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from babel import Locale
from flask import Flask
from flask_babel import format_date, format_datetime, format_time, get_locale

from wijk.languages import language_name, languages, text_direction

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


# Style name -> (how the date part is chosen, with a clock time). A date part is a CLDR
# date format length ("long", "full") or a skeleton ("MMMd") the language orders itself.
STYLES: dict[str, tuple[str, bool]] = {
    "day": ("long", False),
    "datetime": ("long", True),
    "weekday_datetime": ("full", True),
    "short": ("MMMd", True),
    "short_weekday": ("MMMEd", True),
}


def pattern(style: str, locale: Locale | None = None) -> str:
    """The CLDR pattern of a style in the current language; any other string is taken as
    a pattern of its own."""
    if style not in STYLES:
        return style
    locale = locale or get_locale() or Locale.parse("nl")
    date_part, with_time = STYLES[style]
    if date_part in locale.date_formats:
        date_pattern = locale.date_formats[date_part].pattern
    else:
        date_pattern = locale.datetime_skeletons[date_part].pattern
    if not with_time:
        return date_pattern
    time_pattern = locale.time_formats["short"].pattern
    joined = str(locale.datetime_formats["medium"])
    return joined.replace("{1}", date_pattern).replace("{0}", time_pattern)


def utc_day(value: datetime | None, fmt: str = "day") -> str:
    """The Amsterdam date of a stamp."""
    if value is None:
        return ""
    return format_datetime(_stamp(value, "utc_day"), pattern(fmt))


def utc_datetime(value: datetime | None, fmt: str = "datetime") -> str:
    """The Amsterdam date and time of a stamp."""
    if value is None:
        return ""
    return format_datetime(_stamp(value, "utc_datetime"), pattern(fmt))


# A wall-clock time or calendar date reads the same for every visitor of a language:
# its text is a pure function of (filter, language, format, value), given Babel's data and
# the process's Flask-Babel settings (no zone shift is involved). A card shows one, and
# formatting it cost a third of a card's rendering; activities share their days and hours,
# so each process keeps the texts it made. A full memo starts again. Stamps (utc_*) are
# not kept: nearly every one is a different instant.
WALL_CLOCK_KEPT = 8192
_wall_clock_texts: dict[tuple[str, str, str, date], str] = {}


def _kept_text(name: str, value: date, fmt: str, make: Callable[[], str]) -> str:
    locale = get_locale()
    if locale is None:  # outside a request: Babel's own default language, not kept
        return make()
    key = (name, str(locale), fmt, value)
    found = _wall_clock_texts.get(key)
    if found is None:
        found = make()
        if len(_wall_clock_texts) >= WALL_CLOCK_KEPT:
            _wall_clock_texts.clear()
        _wall_clock_texts[key] = found
    return found


def _kept_wall_clock(name: str, value: datetime, fmt: str) -> str:
    """A wall-clock time in a style or pattern, as the filter `name` shows it (kept)."""
    wall_clock = _wall_clock(value, name)
    return _kept_text(
        name, wall_clock, fmt, lambda: format_datetime(wall_clock, pattern(fmt), rebase=False)
    )


def local_day(value: date | datetime | None, fmt: str = "day") -> str:
    """The date of an activity time, or a calendar date (an offer's last day)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _kept_wall_clock("local_day", value, fmt)
    if not isinstance(value, date):
        raise TypeError(f"|local_day takes a date or a local wall-clock time, got {value!r}")
    return _kept_text("local_day", value, fmt, lambda: format_date(value, pattern(fmt)))


def local_datetime(value: datetime | None, fmt: str = "weekday_datetime") -> str:
    """An activity time, formatted without a zone shift."""
    if value is None:
        return ""
    return _kept_wall_clock("local_datetime", value, fmt)


def local_time(value: datetime | None, fmt: str = "short") -> str:
    """The clock time of an activity time, in the language's own clock ("14:00", "2:00 PM")."""
    if value is None:
        return ""
    wall_clock = _wall_clock(value, "local_time")
    return _kept_text(
        "local_time", wall_clock, fmt, lambda: format_time(wall_clock, fmt, rebase=False)
    )


def current_locale() -> str:
    """The code of the language this page or mail is rendered in ("nl", "ar", ...)."""
    return str(get_locale() or "nl")


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
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["text_direction"] = lambda code=None: text_direction(
        code or current_locale()
    )
    # Mail clients ignore logical CSS properties: inline styles in mail name the side.
    app.jinja_env.globals["start_side"] = lambda: (
        "right" if text_direction(current_locale()) == "rtl" else "left"
    )
    app.jinja_env.globals["languages"] = languages
    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
