"""Sign-ups for activities: no account needed, a confirmation mail with a cancel link,
a waiting list once the places are taken. Who signed up is seen by the organiser and the
co-managers only; the list is erased 7 days after the activity (retention rule
`signup_list` in wijk.privacy.retention)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import format_datetime, get_locale
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.sql.elements import ColumnElement

from wijk.clock import local_now
from wijk.extensions import changed_rows, db
from wijk.mail import Attachment, queue_mail
from wijk.models import (
    ActivityOccurrence,
    Item,
    ItemKind,
    OccurrenceStatus,
    SignUp,
    SignUpStatus,
)
from wijk.models.base import utcnow
from wijk.security.permissions import can_see_signups
from wijk.security.tokens import make_token, read_token
from wijk.visibility import SignupCounts

# Sign-ups that hold a place or wait for one; cancelled ones count for nothing.
TAKING_PART = (SignUpStatus.CONFIRMED, SignUpStatus.WAITING)
OPEN_DATES = 60  # dates of a series offered in the sign-up form


def _scope(activity_id: int, occurrence_id: int | None) -> ColumnElement:
    """The sign-ups that share places: an activity's, or one date's of a series (places
    and the waiting list are per date there)."""
    date = (
        SignUp.occurrence_id.is_(None)
        if occurrence_id is None
        else SignUp.occurrence_id == occurrence_id
    )
    return and_(SignUp.activity_id == activity_id, date)


def counts(activity: Item, occurrence_id: int | None = None) -> SignupCounts:
    """Places taken and people waiting (of one date of a series), in one query."""
    rows = dict(
        db.session.execute(
            select(SignUp.status, func.count(SignUp.id))
            .where(_scope(activity.id, occurrence_id), SignUp.status.in_(TAKING_PART))
            .group_by(SignUp.status)
        ).all()
    )
    return SignupCounts(
        rows.get(SignUpStatus.CONFIRMED, 0), rows.get(SignUpStatus.WAITING, 0), activity.max_places
    )


def open_dates(activity: Item, now: datetime) -> list[ActivityOccurrence]:
    """The dates of a series one can sign up for: not cancelled, not yet over."""
    if not activity.rrule:
        return []
    return list(
        db.session.scalars(
            select(ActivityOccurrence)
            .where(
                ActivityOccurrence.activity_id == activity.id,
                ActivityOccurrence.status != OccurrenceStatus.CANCELLED,
                func.coalesce(ActivityOccurrence.ends_at, ActivityOccurrence.starts_at) >= now,
            )
            .order_by(ActivityOccurrence.starts_at, ActivityOccurrence.id)
            .limit(OPEN_DATES)
        )
    )


def date_counts(activity: Item, dates: list[ActivityOccurrence]) -> dict[int, SignupCounts]:
    """Places taken and people waiting per date of a series, in one query."""
    found: dict[int, dict[str, int]] = {row.id: {} for row in dates}
    if dates:
        for occurrence_id, status, number in db.session.execute(
            select(SignUp.occurrence_id, SignUp.status, func.count(SignUp.id))
            .where(SignUp.occurrence_id.in_(list(found)), SignUp.status.in_(TAKING_PART))
            .group_by(SignUp.occurrence_id, SignUp.status)
        ):
            if occurrence_id is not None:
                found[occurrence_id][status] = number
    return {
        key: SignupCounts(
            value.get(SignUpStatus.CONFIRMED, 0),
            value.get(SignUpStatus.WAITING, 0),
            activity.max_places,
        )
        for key, value in found.items()
    }


def is_open(activity: Item, now: datetime | None = None) -> bool:
    """Sign-ups are open on a published activity with sign-ups on that has not ended; a
    series while one of its dates is still to come."""
    now = now or local_now()
    end = activity.ends_at or activity.starts_at
    still_on = bool(open_dates(activity, now)) if activity.rrule else end is not None and end >= now
    return bool(
        activity.kind == ItemKind.ACTIVITY
        and activity.signups_enabled
        and activity.is_published
        and still_on
    )


def _lock(activity: Item) -> None:
    """Serialise sign-ups of one activity, so the last place is given out once. On
    PostgreSQL this locks the activity's row; SQLite has one writer at a time, and the
    write that follows (an insert or update, before any count) takes that lock."""
    db.session.execute(select(Item.id).where(Item.id == activity.id).with_for_update())


def _taken(activity: Item, occurrence_id: int | None, *, besides: int) -> int:
    return (
        db.session.scalar(
            select(func.count(SignUp.id)).where(
                _scope(activity.id, occurrence_id),
                SignUp.status == SignUpStatus.CONFIRMED,
                SignUp.id != besides,
            )
        )
        or 0
    )


def sign_up(
    activity: Item, name: str, email: str, occurrence: ActivityOccurrence | None = None
) -> SignUp:
    """A place, or a place on the waiting list when the activity (or the chosen date of a
    series) is full. Signing up again with the same address changes nothing and mails
    that address its own cancel link again, so the answer never tells a visitor who else
    signed up."""
    email = email.strip().lower()
    occurrence_id = occurrence.id if occurrence is not None else None
    _lock(activity)
    existing = db.session.scalar(
        select(SignUp).where(
            _scope(activity.id, occurrence_id),
            SignUp.email == email,
            SignUp.status.in_(TAKING_PART),
        )
    )
    if existing is not None:
        existing.locale = _request_locale()  # the language they use now
        mail(existing, "signup_again", attach=True)
        db.session.commit()
        return existing
    signup = SignUp(
        activity_id=activity.id,
        occurrence_id=occurrence_id,
        name=" ".join(name.split()),
        email=email,
        status=SignUpStatus.CONFIRMED,
        locale=_request_locale(),
    )
    db.session.add(signup)
    db.session.flush()
    if (
        activity.max_places is not None
        and _taken(activity, occurrence_id, besides=signup.id) >= activity.max_places
    ):
        signup.status = SignUpStatus.WAITING
    confirmed = signup.status == SignUpStatus.CONFIRMED
    template = "signup_confirmed" if confirmed else "signup_waiting"
    mail(signup, template, attach=confirmed)
    db.session.commit()
    return signup


def cancel(signup: SignUp) -> SignUp | None:
    """Cancel a sign-up; when it held a place, the first on the waiting list moves up
    and is told. Returns who moved up, if anyone."""
    activity = signup.activity
    _lock(activity)
    db.session.refresh(signup)
    was = signup.status
    if was == SignUpStatus.CANCELLED:
        return None
    # Conditional, so that of two cancels at once only one frees the place.
    changed = changed_rows(
        update(SignUp)
        .where(SignUp.id == signup.id, SignUp.status == was)
        .values(status=SignUpStatus.CANCELLED, cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not changed:
        db.session.rollback()
        return None
    db.session.expire(signup)
    promoted = (
        fill_places(activity, only=signup.occurrence_id) if was == SignUpStatus.CONFIRMED else []
    )
    db.session.commit()
    return promoted[0] if promoted else None


_EVERY_DATE = -1


def fill_places(activity: Item, only: int | None = _EVERY_DATE) -> list[SignUp]:
    """Move people up from the waiting list while places are free (after a cancellation
    on one date, `only`, or on every date when the organiser adds places) and mail them.
    The caller commits."""
    query = select(SignUp).where(
        SignUp.activity_id == activity.id, SignUp.status == SignUpStatus.WAITING
    )
    if only != _EVERY_DATE:
        query = query.where(_scope(activity.id, only))
    waiting: dict[int | None, list[SignUp]] = {}
    for signup in db.session.scalars(query.order_by(SignUp.created_at, SignUp.id)):
        waiting.setdefault(signup.occurrence_id, []).append(signup)
    promoted: list[SignUp] = []
    for occurrence_id, queue in waiting.items():
        free = (
            len(queue)
            if activity.max_places is None
            else activity.max_places - _taken(activity, occurrence_id, besides=0)
        )
        promoted += queue[: max(free, 0)]
    for signup in promoted:
        signup.status = SignUpStatus.CONFIRMED
        mail(signup, "signup_promoted", attach=True)
    return promoted


def signups_of(activity: Item) -> list[SignUp]:
    """The list for the organiser: places first, then the waiting list, in order."""
    places_first = case((SignUp.status == SignUpStatus.CONFIRMED, 0), else_=1)
    return list(
        db.session.scalars(
            select(SignUp)
            .where(SignUp.activity_id == activity.id, SignUp.status.in_(TAKING_PART))
            .order_by(places_first, SignUp.created_at, SignUp.id)
        )
    )


@dataclass(frozen=True)
class SignupEntry:
    """One person on an activity's sign-up list."""

    name: str
    email: str
    status: str
    created_at: datetime
    date: datetime | None = None  # the date of a series signed up for


def signup_list(item: Item, viewer: Any) -> list[SignupEntry] | None:
    """Who signed up for an activity, places first: for its organiser and co-managers
    only; None for anyone else."""
    if not can_see_signups(viewer, item):
        return None
    return [
        SignupEntry(
            s.name,
            s.email,
            s.status,
            s.created_at,
            s.occurrence.starts_at if s.occurrence else None,
        )
        for s in signups_of(item)
    ]


def cancel_token(signup: SignUp) -> str:
    return make_token("signup", {"s": signup.id, "a": signup.activity_id})


def from_token(token: str) -> SignUp | None:
    """The sign-up of a cancel link. The link has no expiry: it stops working when the
    sign-up is erased 7 days after the activity."""
    data = read_token("signup", token, None)
    if not data:
        return None
    signup = db.session.get(SignUp, data.get("s"))
    if signup is None or signup.activity_id != data.get("a"):
        return None
    return signup


def activity_removed(token: str) -> bool:
    """A genuine cancel link whose activity no longer exists (its sign-ups went with it)."""
    data = read_token("signup", token, None)
    return data is not None and db.session.get(Item, data.get("a")) is None


def _request_locale() -> str | None:
    """The language of the page the visitor signed up on, for the mails they get."""
    locale = get_locale()
    return str(locale) if locale else None


# wijk.discover makes an activity's calendar file (the feeds are its own); it imports
# this package, so it hands its maker to the app instead of being imported here.
CALENDAR_FILE = "wijk.activity_calendar_file"


def calendar_attachment(
    activity: Item, occurrence: ActivityOccurrence | None = None
) -> list[Attachment]:
    """The activity as an .ics file for a mail, as its public calendar link gives it; for
    a sign-up to one date of a series, that date alone."""
    make = current_app.extensions.get(CALENDAR_FILE)
    if make is None:
        return []
    return [
        Attachment(f"activiteit-{activity.id}.ics", "text/calendar", make(activity, occurrence))
    ]


def date_of(signup: SignUp) -> tuple[datetime | None, datetime | None]:
    """When the person comes: their date of a series, or the activity's time."""
    held = signup.occurrence or signup.activity
    return held.starts_at, held.ends_at


def mail(
    signup: SignUp, template: str, *, attach: bool = False, links: bool = True, **context: Any
) -> None:
    """One mail about a sign-up, in the language the person signed up in; with `attach`
    the activity's calendar file goes along. Without `links` (the activity is gone) the
    mail points nowhere. The caller commits."""
    activity = signup.activity
    if links:
        context |= dict(
            item_link=url_for(
                "content.show", kind_slug="activiteit", item_id=activity.id, _external=True
            ),
            cancel_link=url_for("signups.cancel", token=cancel_token(signup), _external=True),
        )
    queue_mail(
        template,
        signup.email,
        template,
        locale=signup.locale,
        attachments=calendar_attachment(activity, signup.occurrence) if attach else (),
        name=signup.name,
        title=activity.title,
        starts_at=date_of(signup)[0],
        location=activity.location_name,
        **context,
    )


CSV_HEADER = ("name", "email", "status", "signed_up_at")


def to_csv(signups: Iterable[SignupEntry]) -> str:
    """The list as CSV for a spreadsheet, times in local time; cells that a spreadsheet
    would run as a formula are prefixed with a quote."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for signup in signups:
        writer.writerow(
            [
                _cell(signup.name),
                _cell(signup.email),
                signup.status,
                format_datetime(signup.created_at, "yyyy-MM-dd HH:mm"),
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
