"""The erasers that account deletion (wijk.privacy.erasure) and the retention schedule
(wijk.privacy.retention) share: each empties one kind of trace and leaves the commit to
its caller. Both modules import this one; neither imports the other."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, update
from sqlalchemy.sql import ColumnExpressionArgument

from wijk.extensions import db
from wijk.models import (
    AuditEntry,
    HelpRequest,
    Invitation,
    Item,
    OutboxMessage,
    PrivacyRequest,
    RelayAlias,
    RelayMessage,
    SignUp,
    User,
)
from wijk.models.base import personal_fields
from wijk.models.outbox import OutboxState
from wijk.pictures import services as pictures


def cleared_contact() -> dict[str, Any]:
    """Column values that empty every declared personal field of an item and switch its
    flags off."""
    values: dict[str, Any] = {}
    for declared in personal_fields(Item):
        values[declared.name] = None
        if declared.flag:
            values[declared.flag] = False
    return values


def mail_mentioning(email: str | ColumnExpressionArgument[str]) -> ColumnElement:
    """Outbox messages addressed to `email` or carrying it as reply address."""
    if isinstance(email, str):
        email = email.lower()
        return or_(
            func.lower(OutboxMessage.to_addr) == email,
            func.lower(OutboxMessage.reply_to).contains(email, autoescape=True),
        )
    return or_(
        func.lower(OutboxMessage.to_addr) == email,
        func.lower(OutboxMessage.reply_to).contains(email),
    )


def erase_mail(addresses: set[str], names: set[str], now: datetime) -> None:
    """Empty the outbox rows that carry these addresses or names. Mail still waiting to
    go *to* or *on behalf of* one of the addresses is cancelled; other waiting mail that
    merely mentions a name is left to be delivered (the 7-day rule erases it after)."""
    addresses = {a.strip().lower() for a in addresses if a and a.strip()}
    names = {n.strip().lower() for n in names if n and len(n.strip()) >= 2}
    if not addresses and not names:
        return
    addressed = or_(*(mail_mentioning(a) for a in addresses)) if addresses else None
    text_columns = (OutboxMessage.subject, OutboxMessage.body_text, OutboxMessage.body_html)
    mentioned = or_(
        *(
            func.lower(column).contains(value, autoescape=True)
            for column in text_columns
            for value in addresses | names
        )
    )
    pending = OutboxMessage.status.in_((OutboxState.QUEUED, OutboxState.SENDING))
    due = (
        or_(addressed, and_(~pending, mentioned))
        if addressed is not None
        else and_(~pending, mentioned)
    )
    ids = list(db.session.scalars(select(OutboxMessage.id).where(due)))
    if not ids:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), pending)
        .values(status=OutboxState.FAILED, last_error="erased with the account")
        .execution_options(synchronize_session=False)
    )
    erase_outbox_messages(ids, now)


def erase_traces(user: User, now: datetime) -> None:
    """Remove what names the person outside the rows that cascade with the account:
    mail to or about them (and to the contact details of their remaining posts),
    messages and sign-ups sent from their address, invitations to it, answered privacy
    requests, help questions and the details of audit entries about them. Unanswered
    privacy requests stay, detached from the account: they still need an answer."""
    email = user.email.lower()
    posts = db.session.execute(
        select(Item.contact_email, Item.contact_name).where(Item.owner_id == user.id)
    ).all()
    erase_mail(
        {email} | {address for address, _name in posts if address},
        {user.name} | {name for _address, name in posts if name},
        now,
    )
    relay_ids = list(
        db.session.scalars(
            select(RelayMessage.id).where(
                func.lower(RelayMessage.sender_email) == email, RelayMessage.erased_at.is_(None)
            )
        )
    )
    erase_relay_messages(relay_ids, now)
    db.session.execute(delete(RelayAlias).where(func.lower(RelayAlias.address) == email))
    db.session.execute(delete(SignUp).where(func.lower(SignUp.email) == email))
    db.session.execute(delete(Invitation).where(func.lower(Invitation.email) == email))
    db.session.execute(
        delete(HelpRequest).where(
            or_(HelpRequest.user_id == user.id, func.lower(HelpRequest.email) == email)
        )
    )
    db.session.execute(
        delete(PrivacyRequest).where(
            or_(PrivacyRequest.user_id == user.id, func.lower(PrivacyRequest.email) == email),
            PrivacyRequest.answered_at.is_not(None),
        )
    )
    db.session.execute(
        update(PrivacyRequest).where(PrivacyRequest.user_id == user.id).values(user_id=None)
    )
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.subject_id == user.id)
        .values(detail=None, subject_id=None)
    )


def erase_relay_messages(ids: Sequence[int], now: datetime) -> None:
    """Keep the row (blocks and reports refer to it), drop what the sender wrote."""
    db.session.execute(
        update(RelayMessage)
        .where(RelayMessage.id.in_(ids))
        .values(body=None, sender_name=None, sender_email=None, erased_at=now)
        .execution_options(synchronize_session=False)
    )


def erase_outbox_messages(ids: Sequence[int], now: datetime) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(
            to_addr="",
            from_addr=None,
            reply_to=None,
            subject="",
            body_text=None,
            body_html=None,
            headers={},
            attachments=None,
        )
        .execution_options(synchronize_session=False)
    )


def delete_items(ids_query: Select | Sequence[int]) -> None:
    """Delete items and, once the rows are gone, their picture files."""
    keys = [
        key
        for key in db.session.scalars(
            select(Item.picture_key).where(Item.id.in_(ids_query), Item.picture_key.is_not(None))
        )
    ]
    db.session.execute(
        delete(Item).where(Item.id.in_(ids_query)).execution_options(synchronize_session=False)
    )
    remove_picture_files(keys)


def remove_picture_files(keys: Iterable[str | None]) -> None:
    """The files of these pictures, wherever FLASK_UPLOAD_DIR puts them."""
    for key in keys:
        pictures.discard(key)
