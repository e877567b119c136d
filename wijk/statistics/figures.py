"""The minimum-count rule shared by the statistics and the transparency report: a figure
below STATS_MIN_COUNT is never shown exactly, only as "fewer than N"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _


@dataclass(frozen=True)
class Figure:
    """A count as it may be published: `value` is None when it is below `minimum`."""

    value: int | None
    minimum: int

    @property
    def hidden(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.value is None:
            return _("fewer than %(minimum)s", minimum=self.minimum)
        return format_decimal(self.value)

    def csv(self) -> str:
        return f"<{self.minimum}" if self.value is None else str(self.value)


def minimum_count() -> int:
    return max(1, int(current_app.config["STATS_MIN_COUNT"]))


def shown(count: int, minimum: int | None = None) -> Figure:
    """`count` as it may be published."""
    minimum = minimum_count() if minimum is None else minimum
    return Figure(count if count >= minimum else None, minimum)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def last_months(today: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including today's, oldest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months[::-1]
