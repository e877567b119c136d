"""The site's local wall clock. Activity times are stored as Europe/Amsterdam wall-clock
time without a zone; services take `now` as an argument and default to this."""

from __future__ import annotations

from datetime import datetime

from flask_babel import get_timezone


def local_now() -> datetime:
    """Now on the local wall clock, to the minute, without a zone (like activity times)."""
    return datetime.now(get_timezone()).replace(tzinfo=None, second=0, microsecond=0)
