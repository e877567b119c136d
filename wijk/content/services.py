"""Rules for posting and looking after content: create, edit, publish personal fields,
delete, and co-managers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import or_, select

from wijk import ledger
from wijk.clock import local_now
from wijk.content.categories import set_categories
from wijk.extensions import db
from wijk.mail import locale_of_address, queue_mail
from wijk.models import (
    ITEM_CLASSES,
    Invitation,
    Item,
    ItemKind,
    ItemManager,
    ItemStatus,
    Organisation,
    User,
)
from wijk.models.base import personal_fields, utcnow
from wijk.moderation.holds import hold_if_needed
from wijk.pictures import consent
from wijk.pictures import services as pictures
from wijk.sanitize import clean_rich_text
from wijk.security.tokens import make_token, read_token
from wijk.signups import notices
from wijk.signups.services import fill_places

# News has a slug for links, but residents only create and edit the other three here;
# neighbourhood managers post news through wijk.discover.
KIND_SLUGS = {
    "activity": "activiteit",
    "organisation": "organisatie",
    "offer": "vraag-aanbod",
    "news": "nieuws",
}
SLUG_KINDS = {slug: kind for kind, slug in KIND_SLUGS.items()}

COMMON_FIELDS = ("title", *(f.name for f in personal_fields(Item)))
KIND_FIELDS = {
    "activity": ("starts_at", "ends_at", "location_name", "rrule", "signups_enabled", "max_places"),
    "organisation": ("website",),
    "offer": ("offer_kind", "expires_on"),
    "news": (),
}
FLAGS = tuple(f.flag for f in personal_fields(Item) if f.flag)


class InvitationError(Exception):
    """The invitation cannot be made or accepted; the message says why."""


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def apply(item: Item, data: dict[str, Any]) -> None:
    """Copy form data onto the item; rich text is sanitised here, once, on save. The item
    must be in the session (categories are rows of their own)."""
    if "expires_on" in data and data["expires_on"] != item.expires_on:
        item.reminder_sent_at = None  # a new expiry date gets its own reminder
    for name in COMMON_FIELDS + KIND_FIELDS[item.kind]:
        if name in data:
            setattr(item, name, _blank_to_none(data[name]))
    for flag in FLAGS:
        if flag in data:
            setattr(item, flag, bool(data[flag]))
    if "contact_email" in data and item.contact_email:
        item.contact_email = item.contact_email.lower()
    if "description" in data:
        item.description = clean_rich_text(data["description"])
    if "neighbourhood_id" in data:
        item.neighbourhood_id = data["neighbourhood_id"]
    if "organisation_id" in data:
        item.organisation_id = data["organisation_id"] or None
    if "categories" in data and item.kind == ItemKind.ACTIVITY:
        set_categories(item, data["categories"] or ())


def create_item(
    kind: str, owner: User, data: dict[str, Any], *, picture: pictures.Prepared | None = None
) -> Item:
    item = ITEM_CLASSES[kind](owner_id=owner.id, status=ItemStatus.PUBLISHED)
    db.session.add(item)
    apply(item, data)
    hold_if_needed(item, new=True)
    _commit_with_picture(item, picture, remove=False, answers=consent.answers_from(data), by=owner)
    return item


def update_item(
    item: Item,
    data: dict[str, Any],
    *,
    picture: pictures.Prepared | None = None,
    by: User | None = None,
) -> None:
    """Save the changes; when the organiser added places, people on the waiting list
    move up (and are mailed) in the same transaction. A change that meets a hold rule
    of the neighbourhood takes the item offline until a manager approves it. Attendees
    are told of a new time or place."""
    before = notices.facts(item)
    apply(item, data)
    hold_if_needed(item, new=False)
    if item.kind == ItemKind.ACTIVITY:
        db.session.flush()
        fill_places(item)
        notices.tell_of_change(item, before, local_now())
    _commit_with_picture(
        item,
        picture,
        remove=bool(data.get("remove_picture")),
        answers=consent.answers_from(data),
        by=by,
    )


def _commit_with_picture(
    item: Item,
    picture: pictures.Prepared | None,
    *,
    remove: bool,
    answers: consent.Answers | None = None,
    by: User | None = None,
) -> None:
    """Commit with the new picture (or none) and the answers about the people in it; files
    that no row points at are removed."""
    old = item.picture_key
    new = pictures.store(picture) if picture else None
    if new or remove:
        item.picture_key = new
        db.session.flush()  # a new item needs its id
        consent.store(item, answers if new else None, by.id if by else None, utcnow())
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        pictures.discard(new)
        raise
    if old != item.picture_key:
        pictures.discard(old)


def set_visibility(item: Item, field: str, public: bool) -> None:
    """Switch one personal field public or hidden; KeyError for anything else, and for
    a field that is never public."""
    flags = {f.name: f.flag for f in personal_fields(Item) if f.flag}
    if field not in flags:
        raise KeyError(field)
    setattr(item, flags[field], public)
    db.session.commit()


def delete_item(item: Item) -> None:
    """Delete an item; attendees of an activity still to come are told it is off."""
    picture = item.picture_key
    notices.tell_called_off([item], local_now(), by=notices.ORGANISER)
    ledger.note(ledger.ITEM, item.id)
    db.session.delete(item)
    db.session.commit()
    pictures.discard(picture)


def default_expiry() -> date:
    return local_now().date() + timedelta(days=current_app.config["OFFER_DEFAULT_DAYS"])


def organisations_for(user: User) -> list[Item]:
    """Organisations the user may post on behalf of: those they own or co-manage."""
    co_managed = select(ItemManager.item_id).where(ItemManager.user_id == user.id)
    return list(
        db.session.scalars(
            select(Organisation)
            .where(or_(Organisation.owner_id == user.id, Organisation.id.in_(co_managed)))
            .order_by(Organisation.title)
        )
    )


def items_of(user: User) -> list[Item]:
    """Everything the user owns or co-manages, newest first."""
    co_managed = select(ItemManager.item_id).where(ItemManager.user_id == user.id)
    return list(
        db.session.scalars(
            select(Item)
            .where(or_(Item.owner_id == user.id, Item.id.in_(co_managed)))
            .order_by(Item.created_at.desc(), Item.id.desc())
        )
    )


def invite(item: Item, inviter: User, email: str) -> Invitation:
    """Invite someone to co-manage the item; the link in the mail is signed and expires."""
    email = email.strip().lower()
    if email == inviter.email or (item.owner is not None and email == item.owner.email):
        raise InvitationError("self")
    if any(m.user.email == email for m in item.co_managers):
        raise InvitationError("already")
    invitation = Invitation(item_id=item.id, invited_by_id=inviter.id, email=email)
    db.session.add(invitation)
    db.session.flush()
    token = make_token("invite", {"inv": invitation.id, "email": email})
    queue_mail(
        "invite",
        email,
        "invite",
        locale=locale_of_address(email),  # the invited person's, if they have an account
        inviter=inviter.name,
        title=item.title,
        link=url_for("content.accept_invitation", token=token, _external=True),
        days=current_app.config["INVITE_TOKEN_MAX_AGE"] // 86400,
    )
    db.session.commit()
    return invitation


def invitation_from_token(token: str) -> Invitation | None:
    data = read_token("invite", token, current_app.config["INVITE_TOKEN_MAX_AGE"])
    if not data:
        return None
    invitation = db.session.get(Invitation, data.get("inv"))
    if invitation is None or invitation.email != data.get("email"):
        return None
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> Item:
    """Whoever holds the link and is logged in accepts it; the link is used once."""
    if invitation.accepted_at is not None:
        raise InvitationError("used")
    item = invitation.item
    if item.owner_id == user.id:
        raise InvitationError("self")
    invitation.accepted_at = utcnow()
    if not any(m.user_id == user.id for m in item.co_managers):
        item.co_managers.append(ItemManager(user_id=user.id))
    db.session.commit()
    return item
