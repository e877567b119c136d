"""Queue e-mail in the outbox. Callers add the row to the current transaction and commit
together with the change that causes the mail; nothing is sent inside a request."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, insert, select

from wijk.extensions import db
from wijk.models.accounts import User
from wijk.models.outbox import OutboxMessage

# Rows per INSERT statement in queue_bulk: bounds memory when fed a generator.
_BULK_CHUNK = 1000


@dataclass(frozen=True)
class Mail:
    """One rendered e-mail for one recipient, as queue_bulk takes it."""

    to: str
    subject: str
    text: str
    html: str | None
    reply_to: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    from_addr: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A text file sent along with a mail (a calendar file); see wijk.mail.message."""

    filename: str
    mimetype: str
    content: str

    def as_json(self) -> dict[str, str]:
        return {"filename": self.filename, "mimetype": self.mimetype, "content": self.content}


def _row(kind: str, mail: Mail) -> dict[str, Any]:
    """The outbox columns for one mail; state, attempts and stamps are the model's defaults."""
    return {
        "kind": kind,
        "to_addr": mail.to,
        "from_addr": mail.from_addr,
        "reply_to": mail.reply_to,
        "subject": mail.subject,
        "body_text": mail.text,
        "body_html": mail.html,
        "headers": dict(mail.headers),
        "attachments": [attachment.as_json() for attachment in mail.attachments],
    }


def recipient_locale(*stored: str | None) -> str:
    """The language to write to someone in: the first of their stored languages (account,
    sign-up, subscription, ...) that the site speaks (config LANGUAGES), else the default.
    Never the language of whoever causes the mail."""
    languages = current_app.config["LANGUAGES"]
    for locale in stored:
        if locale and locale in languages:
            return locale
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def locale_of_address(address: str | None) -> str | None:
    """The stored language of the account with this address, if there is one: for mail to
    an address typed by someone else (an invitation, an item's contact address)."""
    if not address:
        return None
    return db.session.scalar(
        select(User.locale).where(func.lower(User.email) == address.strip().lower())
    )


def render_mail(template: str, locale: str | None, **context: Any) -> tuple[str, str, str]:
    """Render templates/email/<template>.{subject,txt,html} in the recipient's language
    (one the site speaks; an unknown or retired code gets the default)."""
    with force_locale(recipient_locale(locale)):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    return " ".join(subject.split()), text, html


def queue_mail(
    kind: str,
    to: str,
    template: str,
    *,
    locale: str | None = None,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: Iterable[Attachment] = (),
    from_addr: str | None = None,
    **context: Any,
) -> OutboxMessage:
    """Add one message to the outbox in the current session; the caller commits.
    `from_addr` replaces MAIL_DEFAULT_SENDER in From (the relay's aliases)."""
    subject, text, html = render_mail(template, locale, **context)
    mail = Mail(
        to,
        subject,
        text,
        html,
        reply_to=reply_to,
        headers=headers or {},
        attachments=tuple(attachments),
        from_addr=from_addr,
    )
    message = OutboxMessage(**_row(kind, mail))
    db.session.add(message)
    return message


def queue_bulk(kind: str, mails: Iterable[Mail], *, now: datetime) -> int:
    """Add many rendered messages to the outbox with Core bulk inserts (a newsletter to
    10,000 people in well under a second), all due at `now`. The caller renders each
    template once per language, and commits. Returns how many rows were queued."""
    stamps = {"next_attempt_at": now, "created_at": now}
    pending = iter(mails)
    count = 0
    while rows := [_row(kind, mail) | stamps for mail in islice(pending, _BULK_CHUNK)]:
        db.session.execute(insert(OutboxMessage), rows)
        count += len(rows)
    return count
