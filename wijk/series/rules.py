"""Recurrence rules (RFC 5545 RRULE) for activities, expanded by python-dateutil.

A rule is stored as the RRULE value (no "RRULE:" prefix, no DTSTART: the activity's
`starts_at` is the DTSTART). Times are naive Europe/Amsterdam wall-clock times, so a
weekly 19:00 stays 19:00 across a change to or from summer time. This module holds no
recurrence maths of its own and imports no models, so the models may use it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule, rrulestr
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MAX_OCCURRENCES = 500
MAX_SPAN = relativedelta(years=2)
MAX_RULE_LENGTH = 500
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# The common rules, in plain words; the weekday (and its n-th place in the month) is the
# first date's, so a preset can never miss its own start.
PRESETS = {
    "weekly": _l("Every week"),
    "biweekly": _l("Every two weeks"),
    "monthly": _l("Every month on the same weekday (e.g. every first Saturday)"),
    "custom": _l("Custom rule (RRULE)"),
}


class RuleError(ValueError):
    """A rule Wijk refuses; the message is for the person who typed it. `about_end` says
    the trouble is the series' end (a form shows it beside the until/count fields)."""

    def __init__(self, message: str, *, about_end: bool = False) -> None:
        super().__init__(message)
        self.about_end = about_end


@dataclass(frozen=True)
class Series:
    """A rule checked against its first date: what the form saves and the table holds."""

    rule: str | None
    starts: tuple[datetime, ...]


def preset_rule(
    preset: str, first: datetime, *, until: date | None = None, count: int | None = None
) -> str:
    """The RRULE of a preset for a series whose first date is `first`."""
    day = DAY_CODES[first.weekday()]
    if preset == "weekly":
        rule = f"FREQ=WEEKLY;BYDAY={day}"
    elif preset == "biweekly":
        rule = f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"
    elif preset == "monthly":
        place = (first.day - 1) // 7 + 1
        rule = f"FREQ=MONTHLY;BYDAY={-1 if place == 5 else place}{day}"
    else:
        raise RuleError(_("Choose how the activity repeats."))
    return rule + end_clause(until, count)


def end_clause(until: date | None, count: int | None) -> str:
    """The UNTIL (the end of that local day) or COUNT part of a rule, with its ";"."""
    if until is not None:
        return f";UNTIL={datetime.combine(until, time(23, 59, 59)):%Y%m%dT%H%M%S}"
    if count is not None:
        return f";COUNT={count}"
    return ""


def normalise(text: str) -> str:
    """The RRULE value of what someone typed: without an "RRULE:" prefix, upper-case."""
    value = (text or "").strip()
    if value.upper().startswith("RRULE:"):
        value = value[len("RRULE:") :]
    return value.strip().upper()


def _parse(rule: str, first: datetime) -> rrule:
    if not rule or len(rule) > MAX_RULE_LENGTH or any(c in rule for c in "\r\n:"):
        raise RuleError(_("This is not a repeat rule Wijk understands."))
    try:
        parsed = rrulestr(f"RRULE:{rule}", dtstart=first)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise RuleError(_("This is not a repeat rule Wijk understands.")) from error
    if not isinstance(parsed, rrule):
        raise RuleError(_("This is not a repeat rule Wijk understands."))
    return parsed


def check(rule: str | None, first: datetime) -> Series:
    """The rule's dates from `first`, or RuleError: no end (an UNTIL or a COUNT), no date
    at all, a first date the rule does not produce, more than MAX_OCCURRENCES dates or
    dates beyond MAX_SPAN after the first."""
    if not rule:
        return Series(None, (first,))
    rule = normalise(rule)
    parsed = _parse(rule, first)
    if "UNTIL=" not in rule and "COUNT=" not in rule:
        raise RuleError(
            _("Say until which date or how many times the activity repeats."), about_end=True
        )
    if parsed._count is not None and parsed._count < 1:  # noqa: SLF001
        raise RuleError(_("The number of times must be at least 1."), about_end=True)
    last_allowed = first + MAX_SPAN
    starts: list[datetime] = []
    for start in parsed:
        if start > last_allowed:
            raise RuleError(_("A series may last at most two years."), about_end=True)
        starts.append(start)
        if len(starts) > MAX_OCCURRENCES:
            raise RuleError(
                _("A series may have at most %(n)d dates.", n=MAX_OCCURRENCES), about_end=True
            )
    if not starts:
        raise RuleError(
            _(
                "This rule gives no date at all (does it end before it starts, "
                "or ask for a day the month does not have?)."
            )
        )
    if starts[0] != first:
        raise RuleError(
            _("The first date does not fit the rule: make it the first date of the series.")
        )
    return Series(rule, tuple(starts))


def expand(rule: str | None, first: datetime) -> tuple[datetime, ...]:
    """The dates of a stored series. A stored rule was checked when saved; one that no
    longer passes (data from before the checks) counts as its first date only."""
    try:
        return check(rule, first).starts
    except RuleError:
        return (first,)


_ORDINALS = {1: _l("first"), 2: _l("second"), 3: _l("third"), 4: _l("fourth"), -1: _l("last")}


def _day_names() -> tuple[str, ...]:
    return (
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    )


def describe(rule: str | None, first: datetime) -> str | None:
    """The rule in plain words ("every week on Thursday"), or None for a single date."""
    if not rule:
        return None
    try:
        parsed = _parse(normalise(rule), first)
    except RuleError:
        return None
    # dateutil keeps the parsed parts in these attributes; it has no public reader.
    days: tuple[Any, ...] = parsed._byweekday or ()  # noqa: SLF001
    nth: tuple[Any, ...] = parsed._bynweekday or ()  # noqa: SLF001
    interval = parsed._interval  # noqa: SLF001
    names = _day_names()
    if parsed._freq == WEEKLY and len(days) == 1:  # noqa: SLF001
        day = names[days[0]]
        text = (
            _("every week on %(day)s", day=day)
            if interval == 1
            else _("every %(n)d weeks on %(day)s", n=interval, day=day)
        )
    elif parsed._freq == MONTHLY and interval == 1 and len(nth) == 1 and nth[0][1] in _ORDINALS:  # noqa: SLF001
        day, place = nth[0]
        text = _("every %(nth)s %(day)s of the month", nth=_ORDINALS[place], day=names[day])
    else:
        text = _("repeating (custom rule)")
    if parsed._until is not None:  # noqa: SLF001
        text += _(", until %(day)s", day=f"{parsed._until:%d-%m-%Y}")  # noqa: SLF001
    elif parsed._count:  # noqa: SLF001
        text += _(", %(n)d times", n=parsed._count)  # noqa: SLF001
    return text


_DAYS_NL = {
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
}
_ORDINALS_NL = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "laatste": 5}


def preset_from_text(text: str | None) -> str | None:
    """The preset a Dutch phrase names ("elke dinsdag", "om de week op maandag", "elke
    eerste zaterdag van de maand"), or None: for the demo's and old free-text schedules."""
    words = [
        w
        for w in "".join(c if c.isalpha() else " " for c in (text or "").lower()).split()
        if w not in _DAYS_NL and w != "op"
    ]
    phrase = " ".join(words)
    if phrase in ("elke", "iedere", "elke week", "iedere week", "wekelijks"):
        return "weekly"
    if phrase in ("om de week", "elke twee weken", "om de twee weken", "tweewekelijks"):
        return "biweekly"
    if len(words) == 5 and words[1] in _ORDINALS_NL and words[2:] == ["van", "de", "maand"]:
        return "monthly"
    return None


_UNTIL = re.compile(r";UNTIL=(\d{8})T235959$")
_COUNT = re.compile(r";COUNT=(\d+)$")


def split_rule(rule: str | None, first: datetime) -> tuple[str, date | None, int | None, str]:
    """A stored rule back as the form's parts: (preset, until, count, custom text); a rule
    no preset writes comes back as "custom" with its text."""
    if not rule:
        return "", None, None, ""
    until_match, count_match = _UNTIL.search(rule), _COUNT.search(rule)
    until = datetime.strptime(until_match.group(1), "%Y%m%d").date() if until_match else None
    count = int(count_match.group(1)) if count_match else None
    for preset in ("weekly", "biweekly", "monthly"):
        if preset_rule(preset, first, until=until, count=count) == rule:
            return preset, until, count, ""
    return "custom", None, None, rule
