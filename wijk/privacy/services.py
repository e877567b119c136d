"""Privacy requests that need a person to answer, and data breaches."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from wijk.audit import record
from wijk.extensions import changed_rows, db
from wijk.mail import Mail, queue_bulk, queue_mail, recipient_locale, render_mail
from wijk.models import Breach, PrivacyRequest, User
from wijk.models.base import utcnow

ANSWER_WITHIN = timedelta(days=28)  # GDPR art. 12(3): one month
AUTHORITY_WITHIN = timedelta(hours=72)  # GDPR art. 33(1)

REQUEST_KINDS: dict[str, Any] = {
    "objection": _l("Objection to a use of my data"),
    "restore": _l("Restore my deleted account"),
    "rectification": _l("Correct data I cannot change myself"),
    "question": _l("A question about my data"),
}

# --- requests ---------------------------------------------------------------------------


def create_request(
    kind: str, email: str, message: str, user: User | None, locale: str | None = None
) -> PrivacyRequest:
    """`locale`: the language the request was written in; the answer is mailed in it."""
    if kind not in REQUEST_KINDS:
        raise ValueError(kind)
    now = utcnow()
    request = PrivacyRequest(
        kind=kind,
        email=email.strip().lower(),
        message=message.strip(),
        user_id=user.id if user else None,
        locale=locale,
        created_at=now,
        due_at=now + ANSWER_WITHIN,
    )
    db.session.add(request)
    db.session.commit()
    return request


def open_requests_first() -> list[PrivacyRequest]:
    return list(
        db.session.scalars(
            select(PrivacyRequest).order_by(
                PrivacyRequest.answered_at.is_not(None), PrivacyRequest.due_at, PrivacyRequest.id
            )
        )
    )


def is_overdue(request: PrivacyRequest, now: datetime | None = None) -> bool:
    return request.answered_at is None and request.due_at <= (now or utcnow())


def answer_request(request: PrivacyRequest, answer: str, admin: User) -> None:
    """Record the answer and mail it to the address the request came from."""
    now = utcnow()
    request.answer = answer.strip()
    request.answered_at = now
    user = db.session.get(User, request.user_id) if request.user_id else None
    queue_mail(
        "privacy_answer",
        request.email,
        "privacy_answer",
        locale=recipient_locale(user.locale if user else None, request.locale),
        request_kind=REQUEST_KINDS[request.kind],  # lazy: in the recipient's language
        asked_at=request.created_at,
        answer=request.answer,
        contact=current_app.config["CONTROLLER_CONTACT"],
    )
    record(
        admin, "privacy_request.answered", subject=request.user_id, detail=f"request {request.id}"
    )
    db.session.commit()


# --- breaches ---------------------------------------------------------------------------


def record_breach(
    admin: User,
    description: str,
    data_categories: str,
    occurred_at: datetime | None,
    discovered_at: datetime,
) -> Breach:
    breach = Breach(
        recorded_by_id=admin.id,
        description=description.strip(),
        data_categories=data_categories.strip(),
        occurred_at=occurred_at,
        discovered_at=discovered_at,
        authority_deadline=discovered_at + AUTHORITY_WITHIN,
        created_at=utcnow(),
    )
    db.session.add(breach)
    db.session.commit()
    return breach


def hours_left(breach: Breach, now: datetime | None = None) -> float:
    """Hours until the authority deadline; negative once overdue."""
    return (breach.authority_deadline - (now or utcnow())).total_seconds() / 3600


def mark_reported(breach: Breach) -> None:
    if breach.reported_at is None:
        breach.reported_at = utcnow()
        db.session.commit()


def notify_account_holders(breach: Breach) -> int:
    """Queue one notice per confirmed, not deleted account, in bulk and only once: the
    first caller to set `notified_at` queues, a second click or a second admin gets 0."""
    now = utcnow()
    claimed = changed_rows(
        update(Breach)
        .where(Breach.id == breach.id, Breach.notified_at.is_(None))
        .values(notified_at=now)
    )
    if not claimed:
        db.session.rollback()
        return 0
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    rendered: dict[str, tuple[str, str, str]] = {}
    rows = []
    recipients = db.session.execute(
        select(User.email, User.locale).where(
            User.email_verified_at.is_not(None), User.deleted_at.is_(None)
        )
    )
    for email, locale in recipients:
        locale = locale if locale and locale in current_app.config["LANGUAGES"] else default
        if locale not in rendered:
            rendered[locale] = render_mail(
                "breach_notice",
                locale,
                breach=breach,
                contact=current_app.config["CONTROLLER_CONTACT"],
                privacy_link=url_for("privacy.statement", _external=True),
            )
        subject, text, html = rendered[locale]
        rows.append(Mail(email, subject, text, html))
    queued = queue_bulk("breach", rows, now=now)
    db.session.commit()
    return queued
