"""Jinja filters for dates in the visitor's language."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_time, get_locale


def when(value: datetime | None, fmt: str = "EEEE d MMMM y, HH:mm") -> str:
    """Activity times are local wall-clock times: format them without a zone shift."""
    return format_datetime(value, fmt, rebase=False) if value else ""


def day(value: date | datetime | None, fmt: str = "d MMMM y") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, fmt, rebase=False)
    return format_date(value, fmt)


def clock(value: datetime | None) -> str:
    return format_time(value, "HH:mm", rebase=False) if value else ""


def register(app: Flask) -> None:
    app.jinja_env.filters.update(when=when, day=day, clock=clock)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "nl")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
