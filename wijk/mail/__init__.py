"""Queue e-mail in the outbox. Callers add the row to the current transaction and commit
together with the change that causes the mail; nothing is sent inside a request."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from wijk.extensions import db
from wijk.models.outbox import OutboxMessage


def render_mail(template: str, locale: str | None, **context: Any) -> tuple[str, str, str]:
    """Render templates/email/<template>.{subject,txt,html} in the recipient's language."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
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
    **context: Any,
) -> OutboxMessage:
    """Add one message to the outbox in the current session; the caller commits."""
    subject, text, html = render_mail(template, locale, **context)
    message = OutboxMessage(
        kind=kind,
        to_addr=to,
        reply_to=reply_to,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
    )
    db.session.add(message)
    return message
