"""A help question: stored, and relayed to every admin through a relay conversation.

The admins get the question from the visitor's alias and answer it by replying; the
relay delivers the answer from the help desk's alias, so neither side sees the other's
address (whoever answers becomes the address behind the desk's alias, see
wijk.contact.inbound). Nothing is published; the question is erased by the retention
rule `help_request`."""

from __future__ import annotations

from datetime import datetime

from babel import Locale
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from wijk.contact import aliases
from wijk.extensions import db
from wijk.mail import queue_mail, recipient_locale
from wijk.models import ALIAS_LIFETIME, HelpRequest, RelaySide, User

# A question goes to at most this many admins; more would be a mailing list.
MAX_RECIPIENTS = 20


def recipients() -> list[tuple[str, str | None]]:
    """(address, language) of everyone who answers: the admins with a confirmed address,
    or, on a site without any yet, the controller's contact address."""
    admins = db.session.execute(
        select(User.email, User.locale)
        .where(
            User.is_admin.is_(True),
            User.deleted_at.is_(None),
            User.email_verified_at.is_not(None),
        )
        .order_by(User.id)
        .limit(MAX_RECIPIENTS)
    ).all()
    if admins:
        return [(email, locale) for email, locale in admins]
    return [(str(current_app.config["CONTROLLER_CONTACT"]), None)]


def ask(
    question: str,
    email: str,
    *,
    name: str | None,
    locale: str | None,
    user: User | None,
    now: datetime,
) -> HelpRequest:
    """Record the question and queue one mail per admin in the same transaction; commits."""
    name = " ".join((name or "").split()) or None
    locale = recipient_locale(locale)
    people = recipients()
    with force_locale(locale):  # the names the visitor will see, in their language
        visitor_name = name or _("A visitor")
        desk_name = _("Help desk")
    conversation = aliases.open_conversation(
        None,
        (email.strip(), visitor_name, locale),
        (people[0][0], desk_name, people[0][1]),
        now,
    )
    asked = HelpRequest(
        user_id=user.id if user is not None else None,
        name=name,
        email=email.strip(),
        question=question.strip(),
        locale=locale,
        conversation_id=conversation.id,
        created_at=now,
    )
    db.session.add(asked)
    visitor = conversation.alias(RelaySide.VISITOR)
    assert visitor is not None  # open_conversation made both
    for address, admin_locale in people:
        queue_mail(
            "help",
            address,
            "help_question",
            locale=admin_locale,
            from_addr=aliases.from_line(visitor),
            reply_to=aliases.address_of(visitor),
            headers=aliases.thread_headers(conversation),
            name=name,
            question=asked.question,
            language=Locale.parse(locale).get_language_name(recipient_locale(admin_locale)),
            has_account=user is not None,
            others=len(people) - 1,
            days=ALIAS_LIFETIME.days,
        )
    db.session.commit()
    return asked
