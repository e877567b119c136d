"""The dates of activities: rewritten from the rule whenever an activity's times or rule
change (a flush hook, so every way of saving an activity keeps them right), listed with
keyset pagination, cancelled or moved one at a time by the owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from flask import g
from flask_babel import gettext as _
from sqlalchemy import (
    BindParameter,
    Select,
    and_,
    bindparam,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql._typing import ColumnExpressionArgument
from sqlalchemy.sql.elements import ColumnElement, TextClause

from wijk import pagecache
from wijk.clock import local_now
from wijk.extensions import db
from wijk.models import (
    Activity,
    ActivityOccurrence,
    Item,
    ItemCategory,
    ItemStatus,
    Municipality,
    Neighbourhood,
    OccurrenceStatus,
)
from wijk.models.listed import (
    DATE_WIDTH,
    ITEM_WIDTH,
    ListedDate,
    ListedItem,
    date_columns,
    item_columns,
    listed_date,
    listed_item,
    with_place,
)
from wijk.models.series import LASTS_OVER_A_DAY
from wijk.series import places  # noqa: F401  (its events keep each date's place right)
from wijk.series.rules import RuleError, expand

TIMES = ("starts_at", "ends_at", "rrule")
# Sent with the row when its owner cancels or moves one date, before the caller commits:
# wijk.signups tells those signed up for it (this package cannot import that one).
_signals = Namespace()
date_cancelled = _signals.signal("date-cancelled")
date_moved = _signals.signal("date-moved")
ON = ActivityOccurrence.status != OccurrenceStatus.CANCELLED


def rewrite(activity: Activity) -> None:
    """Make the activity's rows match its rule. A date the rule still gives keeps its row
    (so a cancellation or a move survives an edit of, say, the end date); dates the rule
    no longer gives are deleted."""
    if activity.starts_at is None:
        activity.occurrences = []
        return
    length = activity.ends_at - activity.starts_at if activity.ends_at else None
    existing = {row.original_starts_at: row for row in activity.occurrences}
    rows = []
    for start in expand(activity.rrule, activity.starts_at):
        row = existing.get(start)
        if row is None:
            row = ActivityOccurrence(
                original_starts_at=start, starts_at=start, status=OccurrenceStatus.SCHEDULED
            )
        if row.status != OccurrenceStatus.MOVED:
            row.starts_at = start
            row.ends_at = start + length if length is not None else None
        rows.append(row)
    activity.occurrences = rows


def _times_changed(activity: Activity) -> bool:
    state = inspect(activity)
    if state.pending or not state.has_identity:
        return True
    return any(state.attrs[name].history.has_changes() for name in TIMES)


@event.listens_for(Session, "before_flush")
def _rewrite_changed(session: Session, _context: object, _instances: object) -> None:
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Activity) and obj not in session.deleted and _times_changed(obj):
            rewrite(obj)


def fill_missing_dates(chunk: int = 5_000) -> int:
    """Write the dates of activities inserted without the ORM (the benchmark generator's
    Core inserts), which have none yet; returns how many rows it wrote."""
    missing = (
        select(
            Activity.id,
            Activity.starts_at,
            Activity.ends_at,
            Activity.rrule,
            Activity.neighbourhood_id,
            Neighbourhood.municipality_id,
        )
        .join(Neighbourhood, Neighbourhood.id == Activity.neighbourhood_id)
        .where(
            Activity.starts_at.is_not(None),
            ~select(ActivityOccurrence.id)
            .where(ActivityOccurrence.activity_id == Activity.id)
            .exists(),
        )
        .order_by(Activity.id)
    )
    written, batch = 0, list[dict]()
    found = db.session.execute(missing).all()
    for activity_id, starts_at, ends_at, rule, neighbourhood_id, municipality_id in found:
        assert starts_at is not None  # selected so
        length = ends_at - starts_at if ends_at else None
        batch.extend(
            {
                "activity_id": activity_id,
                "neighbourhood_id": neighbourhood_id,
                "municipality_id": municipality_id,
                "starts_at": start,
                "original_starts_at": start,
                "ends_at": start + length if length is not None else None,
                "status": OccurrenceStatus.SCHEDULED,
            }
            for start in expand(rule, starts_at)
        )
        if len(batch) >= chunk:
            db.session.execute(insert(ActivityOccurrence), batch)
            written, batch = written + len(batch), []
    if batch:
        db.session.execute(insert(ActivityOccurrence), batch)
        written += len(batch)
    return written


def not_ended(now: datetime | ColumnElement) -> ColumnElement:
    """A date still to come or going on now."""
    return func.coalesce(ActivityOccurrence.ends_at, ActivityOccurrence.starts_at) >= now


def has_date_on(now: datetime, activity_id: ColumnExpressionArgument[int]) -> ColumnElement:
    """An activity with a date (not cancelled) that has not ended: what `current` means
    for an activity."""
    return (
        select(ActivityOccurrence.id)
        .where(ActivityOccurrence.activity_id == activity_id, ON, not_ended(now))
        .exists()
    )


def has_date_between(
    start: datetime | None, end: datetime | None, activity_id: ColumnExpressionArgument[int]
) -> ColumnElement:
    """An activity with a date (not cancelled) that overlaps [start, end)."""
    conditions = [ActivityOccurrence.activity_id == activity_id, ON]
    if start is not None:
        conditions.append(
            func.coalesce(ActivityOccurrence.ends_at, ActivityOccurrence.starts_at) >= start
        )
    if end is not None:
        conditions.append(ActivityOccurrence.starts_at < end)
    return select(ActivityOccurrence.id).where(*conditions).exists()


@dataclass(frozen=True)
class OccurrencePage:
    """Dates in date order, each with its activity (its neighbourhood and organisation)
    read as plain objects (wijk.models.listed), and per row its category codes."""

    rows: list[ListedDate]
    next_cursor: str | None
    extras: list[tuple] = field(default_factory=list)

    @property
    def activities(self) -> list[ListedItem]:
        return [row.activity for row in self.rows]


def cursor_of(row: ActivityOccurrence | ListedDate) -> str:
    return f"{row.starts_at:%Y%m%d%H%M}-{row.id}"


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        stamp, row_id = cursor.split("-", 1)
        return datetime.strptime(stamp, "%Y%m%d%H%M"), int(row_id)
    except ValueError:
        return None


RECENT = timedelta(days=1)


def lasts_over_a_day() -> TextClause:
    """A date longer than a day, as the partial indexes on activity_occurrence say it."""
    dialect = db.session.get_bind().dialect.name
    return text(LASTS_OVER_A_DAY[dialect].format(f"{ActivityOccurrence.__tablename__}."))


def upcoming_occurrences(
    *,
    place: Neighbourhood | Municipality,
    now: datetime,
    limit: int,
    after: str | None = None,
    category: str | None = None,
) -> OccurrencePage:
    """Dates not yet over of published activities in `place` (a neighbourhood, or every
    neighbourhood of a municipality), of the `category` when given, soonest first,
    `limit` at a time after the cursor `after`: one statement, however many dates the
    place has. Cancelled dates are left out. Each row comes with its activity's category
    codes (OccurrencePage.extras: one comma-separated string or None per row).

    The statement has a handful of shapes (place kind, filtered or not, a cursor or not,
    the page size); each is built once per process with its values as bound parameters:
    building it cost more than running it, on every agenda page."""
    position = parse_cursor(after)
    shape = (
        db.session.get_bind().dialect.name,
        isinstance(place, Municipality),
        category is not None,
        position is not None,
        limit,
    )
    statement = _STATEMENTS.get(shape)
    if statement is None:
        if len(_STATEMENTS) >= 64:  # page sizes come from code, but never grow without end
            _STATEMENTS.clear()
        statement = _STATEMENTS[shape] = _agenda_statement(*shape[1:])
    values: dict[str, object] = {"place_id": place.id, "now": now, "start": now - RECENT}
    if category is not None:
        values["category"] = category
    if position:
        values["after_start"], values["after_id"] = position
        values["start"] = max(now - RECENT, position[0])
    # Core rows on the session's connection: the page is read, never changed, and the
    # ORM's hydration cost six times the statement (wijk.models.listed).
    found = db.session.connection().execute(statement, values).all()
    has_more = len(found) > limit
    found = found[:limit]
    rows = []
    for row in found:
        activity = listed_item(row, DATE_WIDTH)
        listed = listed_date(row, activity)
        # What the ORM's load events told the page cache of mapped rows: when time alone
        # changes the page (a date ending takes it off the agenda).
        pagecache.date_read(listed.starts_at, listed.ends_at)
        pagecache.date_read(activity.starts_at, activity.ends_at)
        rows.append(listed)
    return OccurrencePage(
        rows,
        cursor_of(rows[-1]) if has_more and rows else None,
        [tuple(row[DATE_WIDTH + ITEM_WIDTH :]) for row in found],
    )


_STATEMENTS: dict[tuple, Select] = {}


def _agenda_statement(in_city: bool, filtered: bool, from_cursor: bool, limit: int) -> Select:
    """The agenda statement of one shape, its values left as bound parameters: place_id,
    now, start (where the agenda index is read from), category, after_start/after_id."""
    now = bindparam("now", type_=ActivityOccurrence.starts_at.type)
    wanted: list[ColumnElement[bool]] = [
        ON,
        not_ended(now),
        Activity.status == ItemStatus.PUBLISHED,
    ]
    if filtered:
        wanted.append(ItemCategory.has_code(Activity.id, bindparam("category")))
    if from_cursor:
        after_start = bindparam("after_start", type_=ActivityOccurrence.starts_at.type)
        wanted.append(
            or_(
                ActivityOccurrence.starts_at > after_start,
                and_(
                    ActivityOccurrence.starts_at == after_start,
                    ActivityOccurrence.id > bindparam("after_id"),
                ),
            )
        )
    # The page's dates are picked by ids alone, so only those rows are read in full.
    if filtered:
        page = _by_activity(in_city, limit, wanted)
    else:
        page = _by_date(in_city, now, limit, wanted)
    return (
        with_place(
            select(*date_columns(), *item_columns(), ItemCategory.codes_column(Item.id)).join_from(
                ActivityOccurrence, Item, Item.id == ActivityOccurrence.activity_id
            )
        )
        .where(ActivityOccurrence.id.in_(page.scalar_subquery()))
        .order_by(ActivityOccurrence.starts_at, ActivityOccurrence.id)
    )


def _by_date(
    in_city: bool, now: BindParameter, limit: int, wanted: list[ColumnElement[bool]]
) -> Select:
    """The page from the place's agenda indexes (on the dates' own copy of their place):
    about `limit` rows read, however many dates the place has. A date not yet over began
    at most a day ago, or lasts longer than a day: the agenda index is read from a day
    back (or from the cursor: the bound `start`), and the few long dates not yet over
    come from their own small index, all of them (a bound on their start, or an order,
    would make the planners read the past of the agenda index instead); UNION drops
    those found twice."""
    place = ActivityOccurrence.municipality_id if in_city else ActivityOccurrence.neighbourhood_id
    wanted = [place == bindparam("place_id"), *wanted]
    start = bindparam("start", type_=ActivityOccurrence.starts_at.type)
    near = _first(limit, *wanted, ActivityOccurrence.starts_at >= start)
    long = _dates(*wanted, lasts_over_a_day(), ActivityOccurrence.ends_at >= now)
    both = union(near, long).subquery()
    return select(both.c.id).order_by(both.c.starts_at, both.c.id).limit(limit + 1)


def _by_activity(in_city: bool, limit: int, wanted: list[ColumnElement[bool]]) -> Select:
    """The page from the place's activities matching a filter, each seeking its own dates
    not yet over. A filter (a category) may match few of the place's dates, and reading
    them in date order would then read them all; the place's activities are fewer."""
    in_place: ColumnElement[bool]
    if in_city:
        in_place = Activity.neighbourhood_id.in_(
            select(Neighbourhood.id).where(Neighbourhood.municipality_id == bindparam("place_id"))
        )
    else:
        in_place = Activity.neighbourhood_id == bindparam("place_id")
    return (
        _dates(in_place, *wanted)
        # Sorted by an expression, not the bare column: PostgreSQL otherwise walks the
        # (starts_at, id) index from the first date ever, through every past one.
        .order_by(
            func.coalesce(ActivityOccurrence.starts_at, ActivityOccurrence.starts_at),
            ActivityOccurrence.id,
        )
        .limit(limit + 1)
        .with_only_columns(ActivityOccurrence.id)
    )


def _dates(*conditions: ColumnExpressionArgument[bool]) -> Select:
    """Ids and starts of the dates matching `conditions`."""
    return (
        select(ActivityOccurrence.id, ActivityOccurrence.starts_at)
        .join(ActivityOccurrence.activity)
        .where(*conditions)
    )


def _first(limit: int, *conditions: ColumnExpressionArgument[bool]) -> Select:
    """The first `limit` + 1 of those in agenda order (a subquery of its own: SQLite takes
    no LIMIT on a member of a UNION)."""
    first = (
        _dates(*conditions)
        .order_by(ActivityOccurrence.starts_at, ActivityOccurrence.id)
        .limit(limit + 1)
        .subquery()
    )
    return select(first.c.id, first.c.starts_at)


def _next_dates_statement() -> Select:
    now: Any = bindparam("now")
    first = (
        select(
            ActivityOccurrence.activity_id,
            func.min(ActivityOccurrence.starts_at).label("starts_at"),
        )
        .where(ActivityOccurrence.activity_id.in_(bindparam("ids", expanding=True)), ON)
        .where(not_ended(now))
        .group_by(ActivityOccurrence.activity_id)
        .subquery()
    )
    return (
        select(ActivityOccurrence)
        .join(
            first,
            and_(
                ActivityOccurrence.activity_id == first.c.activity_id,
                ActivityOccurrence.starts_at == first.c.starts_at,
            ),
        )
        .where(ON)
    )


# Built once: assembling it cost more than running it for a page of search results.
_NEXT_DATES = _next_dates_statement()


def next_dates(activity_ids: Iterable[int], now: datetime) -> dict[int, ActivityOccurrence]:
    """Each activity's next date not yet over (not cancelled), for lists that show an
    activity once: one statement for the whole list."""
    ids = list(set(activity_ids))
    if not ids:
        return {}
    rows = db.session.scalars(_NEXT_DATES, {"ids": ids, "now": now})
    return {row.activity_id: row for row in rows}


# Built once, values bound: building it cost more than running it, on every item page.
_DATES_OF = (
    select(ActivityOccurrence)
    .where(
        ActivityOccurrence.activity_id == bindparam("activity_id"),
        not_ended(bindparam("now", type_=ActivityOccurrence.starts_at.type)),
    )
    .order_by(ActivityOccurrence.starts_at, ActivityOccurrence.id)
    .limit(bindparam("limit"))
)


def dates_of(activity: Activity, now: datetime, *, limit: int = 10) -> list[ActivityOccurrence]:
    """The activity's dates not yet over, cancelled ones included (they show as such)."""
    return list(
        db.session.scalars(_DATES_OF, {"activity_id": activity.id, "now": now, "limit": limit})
    )


SHOWN_ON_PAGE = 8


def page_dates(activity: Activity) -> list[ActivityOccurrence]:
    """The next dates an activity's page shows, cancelled ones included: read once per
    request, for the list of dates and the page's Event data (structured.event_data)."""
    shown = g.setdefault("wijk_page_dates", {})
    if activity.id not in shown:
        shown[activity.id] = dates_of(activity, local_now(), limit=SHOWN_ON_PAGE)
    return shown[activity.id]


def last_date_ends(activity_id: ColumnExpressionArgument[int]) -> ColumnElement:
    """When the activity's last date ends (or starts, without an end), as SQL."""
    return (
        select(func.max(func.coalesce(ActivityOccurrence.ends_at, ActivityOccurrence.starts_at)))
        .where(ActivityOccurrence.activity_id == activity_id)
        .scalar_subquery()
    )


def find(activity: Activity, occurrence_id: int) -> ActivityOccurrence | None:
    return db.session.scalars(
        select(ActivityOccurrence)
        .options(joinedload(ActivityOccurrence.activity))
        .where(
            ActivityOccurrence.id == occurrence_id, ActivityOccurrence.activity_id == activity.id
        )
    ).first()


def cancel(row: ActivityOccurrence) -> None:
    """Cancel one date; it stays listed on the activity page as cancelled. The caller
    commits."""
    row.status = OccurrenceStatus.CANCELLED
    date_cancelled.send(row)


def restore(row: ActivityOccurrence) -> None:
    """Undo a cancellation or a move: the date is the rule's again."""
    row.status = OccurrenceStatus.SCHEDULED
    length = _length(row.activity)
    row.starts_at = row.original_starts_at
    row.ends_at = row.starts_at + length if length is not None else None


def _length(activity: Activity):
    return (
        activity.ends_at - activity.starts_at if activity.ends_at and activity.starts_at else None
    )


def move(row: ActivityOccurrence, starts_at: datetime, ends_at: datetime | None) -> None:
    """Move one date to another time. Refused (RuleError) outside the series: before its
    first date's day or after its last date's day, or an end before the start."""
    activity = row.activity
    originals = [other.original_starts_at for other in activity.occurrences]
    if ends_at is not None and ends_at < starts_at:
        raise RuleError(_("The end is before the start."))
    if not originals or not (min(originals).date() <= starts_at.date() <= max(originals).date()):
        raise RuleError(
            _(
                "A date can only be moved within the series (from %(first)s to %(last)s).",
                first=f"{min(originals):%d-%m-%Y}",
                last=f"{max(originals):%d-%m-%Y}",
            )
        )
    row.status = OccurrenceStatus.MOVED
    row.starts_at = starts_at
    length = _length(activity)
    row.ends_at = ends_at or (starts_at + length if length is not None else None)
    date_moved.send(row)
