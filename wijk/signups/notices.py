"""What attendees are told after they signed up: a changed time or place, an activity
that is called off (its organiser deleted it or their account, a manager took it
offline), the reminder of the day before, and the organiser's own message. Every mail
goes to one person through the outbox, in the language they signed up in, so no one
sees another attendee's address."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from wijk.clock import local_now, local_to_stamp
from wijk.extensions import db
from wijk.models import (
    ActivityOccurrence,
    Item,
    ItemKind,
    ItemStatus,
    OccurrenceStatus,
    SignUp,
    SignUpStatus,
)
from wijk.series.occurrences import date_cancelled, date_moved
from wijk.signups.services import TAKING_PART, date_of, mail

# Who is told what: the facts of an activity that, when they change, change whether
# someone can come.
CHANGE_FIELDS = ("starts_at", "ends_at", "location_name")
ORGANISER, MANAGER = "organiser", "manager"
CONFIRMED_ONLY, EVERYONE = "confirmed", "everyone"


def _taking_part(
    activity_ids: Iterable[int], statuses=TAKING_PART, *, occurrence_id: int | None = None
) -> list[SignUp]:
    ids = list(activity_ids)
    if not ids:
        return []
    query = select(SignUp).where(SignUp.activity_id.in_(ids), SignUp.status.in_(statuses))
    if occurrence_id:
        query = query.where(SignUp.occurrence_id == occurrence_id)
    return list(db.session.scalars(query.order_by(SignUp.id)))


def _to_come(signups: list[SignUp], now: datetime) -> list[SignUp]:
    """Those whose date (of a series, or the activity's) is not over yet."""
    ends = [(signup, date_of(signup)) for signup in signups]
    return [
        signup
        for signup, (start, end) in ends
        if (last := end or start) is not None and last >= now
    ]


def facts(activity: Item) -> tuple:
    """What tell_of_change compares: take it before the change, pass it after."""
    return tuple(getattr(activity, name) for name in CHANGE_FIELDS)


def tell_of_change(activity: Item, before: tuple, now: datetime) -> int:
    """Mail everyone taking part when the time or place changed, with the new calendar
    file. Nothing when nothing that matters changed or it is over. The caller commits."""
    if activity.kind != ItemKind.ACTIVITY or facts(activity) == before:
        return 0
    signups = _to_come(_taking_part([activity.id]), now)
    for signup in signups:
        mail(signup, "signup_changed", attach=True)
    return len(signups)


def tell_called_off(activities: Iterable[Item], now: datetime, *, by: str) -> int:
    """Mail everyone taking part in activities that will not take place any more (`by` the
    organiser or a manager); call it before the rows go. The caller commits."""
    signups = _to_come(_taking_part(a.id for a in activities if a.kind == ItemKind.ACTIVITY), now)
    for signup in signups:
        mail(signup, "signup_called_off", links=False, by=by)
    return len(signups)


def tell_date_cancelled(row: ActivityOccurrence, now: datetime) -> int:
    """One date of a series is cancelled: mail everyone signed up for it. The caller
    commits."""
    signups = _to_come(_taking_part([row.activity_id], occurrence_id=row.id), now)
    for signup in signups:
        mail(signup, "signup_date_cancelled")
    return len(signups)


def tell_date_moved(row: ActivityOccurrence, now: datetime) -> int:
    """One date of a series is moved: its attendees get the new time and calendar file."""
    signups = _to_come(_taking_part([row.activity_id], occurrence_id=row.id), now)
    for signup in signups:
        mail(signup, "signup_changed", attach=True)
    return len(signups)


@date_cancelled.connect
def _on_date_cancelled(row: ActivityOccurrence, **_extra: object) -> None:
    tell_date_cancelled(row, local_now())


@date_moved.connect
def _on_date_moved(row: ActivityOccurrence, **_extra: object) -> None:
    tell_date_moved(row, local_now())


def write_to_attendees(
    activity: Item,
    subject: str,
    message: str,
    *,
    to: str,
    sender_name: str,
    occurrence_id: int | None = None,
) -> int:
    """The organiser's message, one mail per person (never a list of addresses), to the
    confirmed places or to everyone including the waiting list, of every date or of one
    date of a series. The caller commits."""
    statuses = (SignUpStatus.CONFIRMED,) if to == CONFIRMED_ONLY else TAKING_PART
    signups = _taking_part([activity.id], statuses, occurrence_id=occurrence_id)
    for signup in signups:
        mail(signup, "signup_message", subject=subject, message=message, sender_name=sender_name)
    return len(signups)


def send_reminders(now: datetime) -> int:
    """The reminder of the day before: confirmed places on published activities that start
    between `now` (local wall-clock time) and the end of tomorrow, once per sign-up.
    Idempotent, safe from cron every hour; commits."""
    until = datetime.combine(now.date() + timedelta(days=2), time.min)
    starts = func.coalesce(ActivityOccurrence.starts_at, Item.starts_at)
    due = list(
        db.session.scalars(
            select(SignUp)
            .join(Item, Item.id == SignUp.activity_id)
            .outerjoin(ActivityOccurrence, ActivityOccurrence.id == SignUp.occurrence_id)
            .where(
                SignUp.status == SignUpStatus.CONFIRMED,
                SignUp.reminded_at.is_(None),
                Item.status == ItemStatus.PUBLISHED,
                starts > now,
                starts < until,
                func.coalesce(ActivityOccurrence.status, OccurrenceStatus.SCHEDULED)
                != OccurrenceStatus.CANCELLED,
            )
            .order_by(SignUp.id)
            .with_for_update(skip_locked=True, of=SignUp)
        )
    )
    stamp = local_to_stamp(now)
    for signup in due:
        mail(signup, "signup_reminder", attach=True)
        signup.reminded_at = stamp
    db.session.commit()
    return len(due)
