"""The monthly transparency report, generated from the records: reports of abuse and how
fast they were handled, items hidden and restored (per municipality), privacy requests
and whether they were answered within 4 weeks, breaches, and the rows each retention
rule erased (for the whole site). Figures that could point to a person obey the
minimum-count rule (statistics.figures); a breach count does not (it is the site's).

The figures come from the records still held: reports go a year after they were
handled and audit entries after two years, so a month further back than that reports
what is left of it (the page says so)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select

from wijk.clock import local_day_start
from wijk.extensions import db
from wijk.models import (
    AuditEntry,
    Breach,
    Item,
    Municipality,
    Neighbourhood,
    PrivacyRequest,
    PurgeCount,
    PurgeRun,
    RelayMessage,
    Report,
)
from wijk.privacy.retention import SCHEDULE
from wijk.statistics.figures import Figure, last_months, next_month, shown

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ANSWER_WITHIN = timedelta(days=28)
HISTORY_MONTHS = 12


def parse_month(text: str, today: date) -> date | None:
    """'2026-11' -> 1 November 2026; None for anything else, or a month not begun yet."""
    match = MONTH.match(text or "")
    if match is None:
        return None
    year = int(match.group(1))
    if year < 2000:  # before the site, and date() refuses year 0
        return None
    month = date(year, int(match.group(2)), 1)
    return None if month > today else month


def report_months(today: date) -> list[date]:
    """The months the index offers, newest first; the current one is still running."""
    return last_months(today, HISTORY_MONTHS)[::-1]


@dataclass(frozen=True)
class Erased:
    rule: str
    description: Any
    rows: Figure


@dataclass(frozen=True)
class MonthReport:
    city: Municipality
    month: date
    complete: bool  # the month is over
    reports_received: Figure
    reports_handled: Figure
    median_response: timedelta | None  # None below the minimum of handled reports
    items_hidden: Figure
    items_restored: Figure
    privacy_received: Figure
    privacy_answered: Figure
    privacy_in_time: Figure
    breaches: int
    erased: list[Erased]
    purge_runs: int


def _span(month: date) -> tuple[datetime, datetime]:
    return local_day_start(month), local_day_start(next_month(month))


def _city_reports(place_ids: list[int]):
    """Reports about items in these neighbourhoods, or about messages sent through them."""
    item_id = func.coalesce(Report.item_id, RelayMessage.item_id)
    return (
        select(Report.created_at, Report.resolved_at)
        .outerjoin(RelayMessage, RelayMessage.id == Report.relay_message_id)
        .join(Item, Item.id == item_id)
        .where(Item.neighbourhood_id.in_(place_ids))
    )


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def median_response(durations: list[timedelta], minimum: int) -> timedelta | None:
    """The middle response time; None when too few reports were handled to publish it."""
    if len(durations) < minimum or not durations:
        return None
    ordered = sorted(durations)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def month_report(city: Municipality, month: date, today: date, minimum: int) -> MonthReport:
    start, end = _span(month)
    place_ids = list(
        db.session.scalars(select(Neighbourhood.id).where(Neighbourhood.municipality_id == city.id))
    )
    reports = _city_reports(place_ids)
    received = _count(reports.where(Report.created_at >= start, Report.created_at < end))
    handled_rows = db.session.execute(
        reports.where(Report.resolved_at >= start, Report.resolved_at < end)
    ).all()
    durations = [resolved - created for created, resolved in handled_rows]

    def audited(action: str) -> int:
        return (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action == action,
                    AuditEntry.neighbourhood_id.in_(place_ids),
                    AuditEntry.created_at >= start,
                    AuditEntry.created_at < end,
                )
            )
            or 0
        )

    privacy_received = (
        db.session.scalar(
            select(func.count(PrivacyRequest.id)).where(
                PrivacyRequest.created_at >= start, PrivacyRequest.created_at < end
            )
        )
        or 0
    )
    answered = db.session.execute(
        select(PrivacyRequest.created_at, PrivacyRequest.answered_at).where(
            PrivacyRequest.answered_at >= start, PrivacyRequest.answered_at < end
        )
    ).all()
    in_time = len([1 for created, done in answered if done and done - created <= ANSWER_WITHIN])
    breaches = (
        db.session.scalar(
            select(func.count(Breach.id)).where(
                Breach.discovered_at >= start, Breach.discovered_at < end
            )
        )
        or 0
    )
    erased_rows = dict(
        db.session.execute(
            select(PurgeCount.rule, func.sum(PurgeCount.erased))
            .join(PurgeRun, PurgeRun.id == PurgeCount.run_id)
            .where(and_(PurgeRun.ran_at >= start, PurgeRun.ran_at < end))
            .group_by(PurgeCount.rule)
        ).all()
    )
    runs = (
        db.session.scalar(
            select(func.count(PurgeRun.id)).where(PurgeRun.ran_at >= start, PurgeRun.ran_at < end)
        )
        or 0
    )
    return MonthReport(
        city=city,
        month=month,
        complete=next_month(month) <= today,
        reports_received=shown(received, minimum),
        reports_handled=shown(len(handled_rows), minimum),
        median_response=median_response(durations, minimum),
        items_hidden=shown(audited("item.hidden"), minimum),
        items_restored=shown(audited("item.restored"), minimum),
        privacy_received=shown(privacy_received, minimum),
        privacy_answered=shown(len(answered), minimum),
        privacy_in_time=shown(in_time, minimum),
        breaches=breaches,
        erased=[
            Erased(rule.name, rule.description, shown(int(erased_rows.get(rule.name, 0)), minimum))
            for rule in SCHEDULE
        ],
        purge_runs=runs,
    )
