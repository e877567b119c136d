"""What attendees are told after they signed up: a changed time or place, an activity
that is called off (its organiser deleted it or their account, a manager took it
offline), the reminder of the day before, and the organiser's own message. Every mail
goes to one person through the outbox, in the language they signed up in, so no one
sees another attendee's address."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from sqlalchemy import select

from wijk.clock import local_to_stamp
from wijk.extensions import db
from wijk.models import Item, ItemKind, ItemStatus, SignUp, SignUpStatus
from wijk.signups.services import TAKING_PART, mail

# Who is told what: the facts of an activity that, when they change, change whether
# someone can come.
CHANGE_FIELDS = ("starts_at", "ends_at", "location_name")
ORGANISER, MANAGER = "organiser", "manager"
CONFIRMED_ONLY, EVERYONE = "confirmed", "everyone"


def _taking_part(activity_ids: Iterable[int], statuses=TAKING_PART) -> list[SignUp]:
    ids = list(activity_ids)
    if not ids:
        return []
    return list(db.session.scalars(
        select(SignUp).where(SignUp.activity_id.in_(ids), SignUp.status.in_(statuses))
        .order_by(SignUp.id)
    ))


def facts(activity: Item) -> tuple:
    """What tell_of_change compares: take it before the change, pass it after."""
    return tuple(getattr(activity, name) for name in CHANGE_FIELDS)


def tell_of_change(activity: Item, before: tuple, now: datetime) -> int:
    """Mail everyone taking part when the time or place changed, with the new calendar
    file. Nothing when nothing that matters changed or it is over. The caller commits."""
    if activity.kind != ItemKind.ACTIVITY or facts(activity) == before \
            or not _still_to_come(activity, now):
        return 0
    signups = _taking_part([activity.id])
    for signup in signups:
        mail(signup, "signup_changed", attach=True)
    return len(signups)


def tell_called_off(activities: Iterable[Item], now: datetime, *, by: str) -> int:
    """Mail everyone taking part in activities that will not take place any more (`by` the
    organiser or a manager); call it before the rows go. The caller commits."""
    coming = [a for a in activities if a.kind == ItemKind.ACTIVITY and _still_to_come(a, now)]
    signups = _taking_part(a.id for a in coming)
    for signup in signups:
        mail(signup, "signup_called_off", links=False, by=by)
    return len(signups)


def write_to_attendees(activity: Item, subject: str, message: str, *, to: str,
                       sender_name: str) -> int:
    """The organiser's message, one mail per person (never a list of addresses), to the
    confirmed places or to everyone including the waiting list. The caller commits."""
    statuses = (SignUpStatus.CONFIRMED,) if to == CONFIRMED_ONLY else TAKING_PART
    signups = _taking_part([activity.id], statuses)
    for signup in signups:
        mail(signup, "signup_message", subject=subject, message=message,
             sender_name=sender_name)
    return len(signups)


def send_reminders(now: datetime) -> int:
    """The reminder of the day before: confirmed places on published activities that start
    between `now` (local wall-clock time) and the end of tomorrow, once per sign-up.
    Idempotent, safe from cron every hour; commits."""
    until = datetime.combine(now.date() + timedelta(days=2), time.min)
    due = list(db.session.scalars(
        select(SignUp).join(Item, Item.id == SignUp.activity_id)
        .where(SignUp.status == SignUpStatus.CONFIRMED, SignUp.reminded_at.is_(None),
               Item.status == ItemStatus.PUBLISHED, Item.starts_at > now,
               Item.starts_at < until)
        .order_by(SignUp.id)
        .with_for_update(skip_locked=True, of=SignUp)
    ))
    stamp = local_to_stamp(now)
    for signup in due:
        mail(signup, "signup_reminder", attach=True)
        signup.reminded_at = stamp
    db.session.commit()
    return len(due)


def _still_to_come(activity: Item, now: datetime) -> bool:
    end = activity.ends_at or activity.starts_at
    return end is not None and end >= now
