"""Everything held about one person, gathered once for the "my data" page, the export
and the sealed copy.

Rules about other people's data: messages that others sent to the person are listed
by date and post only (sender name, address and text are the sender's data; the person
already received the message by e-mail); audit entries name the role of whoever acted,
not their name; blocked senders appear only as the masked hint the person chose to keep.
What was sent *from* the person's address (contact messages, sign-ups, invitations to
it) is shown only once that address is verified, so nobody reads another's messages by
signing up with their address."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from wijk.extensions import db
from wijk.models import (
    AuditEntry,
    BlockedSender,
    Consent,
    Follow,
    Follower,
    HelpRequest,
    Invitation,
    Item,
    ItemManager,
    NeighbourhoodManager,
    NeighbourhoodRequest,
    NewsletterSubscription,
    PrivacyRequest,
    RelayAlias,
    RelayConversation,
    RelayMessage,
    SignUp,
    Suspension,
    User,
)
from wijk.security.permissions import city_neighbourhood_ids, managed_neighbourhood_ids

# Account columns shown as "set / not set" only: secrets are never displayed or exported.
SECRET_COLUMNS = ("password_hash", "totp_secret", "session_token")


@dataclass
class MyData:
    user: User
    consents: list[Consent]
    subscriptions: list[NewsletterSubscription]
    items: list[Item]
    co_managed: list[Item]
    manages: list[NeighbourhoodManager]
    relay_sent: list[RelayMessage] = field(default_factory=list)
    relay_received: list[RelayMessage] = field(default_factory=list)
    signups: list[SignUp] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    blocked: list[BlockedSender] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    requests: list[PrivacyRequest] = field(default_factory=list)
    suspensions: list[Suspension] = field(default_factory=list)
    follows: list[Follow] = field(default_factory=list)
    aliases: list[RelayAlias] = field(default_factory=list)
    help_requests: list[HelpRequest] = field(default_factory=list)
    neighbourhood_requests: list[NeighbourhoodRequest] = field(default_factory=list)


def _all(query) -> list[Any]:
    return list(db.session.scalars(query))


def collect(user: User) -> MyData:
    """One query per kind of data, however much there is."""
    uid = user.id
    co_managed_ids = select(ItemManager.item_id).where(ItemManager.user_id == uid)
    data = MyData(
        user=user,
        consents=_all(
            select(Consent).where(Consent.user_id == uid).order_by(Consent.accepted_at, Consent.id)
        ),
        subscriptions=_all(
            select(NewsletterSubscription)
            .where(NewsletterSubscription.user_id == uid)
            .options(
                joinedload(NewsletterSubscription.neighbourhood),
                joinedload(NewsletterSubscription.municipality),
            )
            .order_by(NewsletterSubscription.subscribed_at, NewsletterSubscription.id)
        ),
        items=_all(
            select(Item)
            .where(Item.owner_id == uid)
            .options(
                selectinload(Item.co_managers),
                selectinload(Item.organisation),
                selectinload(Item.neighbourhood),
            )
            .order_by(Item.created_at.desc(), Item.id.desc())
        ),
        co_managed=_all(
            select(Item)
            .where(Item.id.in_(co_managed_ids))
            .options(selectinload(Item.co_managers), selectinload(Item.neighbourhood))
            .order_by(Item.title, Item.id)
        ),
        manages=_all(
            select(NeighbourhoodManager)
            .where(NeighbourhoodManager.user_id == uid)
            .options(joinedload(NeighbourhoodManager.neighbourhood))
        ),
        relay_received=_all(
            select(RelayMessage)
            .where(RelayMessage.recipient_id == uid)
            .options(joinedload(RelayMessage.item))
            .order_by(RelayMessage.created_at.desc(), RelayMessage.id.desc())
        ),
        blocked=_all(
            select(BlockedSender)
            .where(BlockedSender.user_id == uid)
            .order_by(BlockedSender.created_at)
        ),
        audit=_all(
            select(AuditEntry)
            .where(AuditEntry.subject_id == uid)
            .options(
                joinedload(AuditEntry.actor),
                joinedload(AuditEntry.item),
                joinedload(AuditEntry.neighbourhood),
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        ),
        neighbourhood_requests=_all(
            select(NeighbourhoodRequest)
            .where(NeighbourhoodRequest.user_id == uid)
            .order_by(NeighbourhoodRequest.created_at.desc(), NeighbourhoodRequest.id.desc())
        ),
        suspensions=_all(
            select(Suspension)
            .where(Suspension.user_id == uid)
            .options(joinedload(Suspension.neighbourhood))
            .order_by(
                Suspension.lifted_at.is_not(None),
                Suspension.created_at.desc(),
                Suspension.id.desc(),
            )
        ),
    )
    email = user.email.lower()
    data.requests = _all(
        select(PrivacyRequest)
        .where(
            or_(
                PrivacyRequest.user_id == uid,
                (func.lower(PrivacyRequest.email) == email) if user.is_verified else false(),
            )
        )
        .order_by(PrivacyRequest.created_at.desc())
    )
    data.help_requests = _all(
        select(HelpRequest)
        .where(
            or_(
                HelpRequest.user_id == uid,
                (func.lower(HelpRequest.email) == email) if user.is_verified else false(),
            )
        )
        .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
    )
    data.follows = _all(
        select(Follow)
        .join(Follower, Follower.id == Follow.follower_id)
        .where(
            or_(Follower.user_id == uid, (Follower.email == email) if user.is_verified else false())
        )
        .order_by(Follow.created_at, Follow.id)
    )
    if user.is_verified:
        data.relay_sent = _all(
            select(RelayMessage)
            .where(func.lower(RelayMessage.sender_email) == email)
            .options(joinedload(RelayMessage.item))
            .order_by(RelayMessage.created_at.desc(), RelayMessage.id.desc())
        )
        data.signups = _all(
            select(SignUp)
            .where(func.lower(SignUp.email) == email)
            .options(joinedload(SignUp.activity))
            .order_by(SignUp.created_at.desc())
        )
        data.aliases = _all(
            select(RelayAlias)
            .where(func.lower(RelayAlias.address) == email)
            .options(joinedload(RelayAlias.conversation).joinedload(RelayConversation.item))
            .order_by(RelayAlias.expires_at.desc(), RelayAlias.id.desc())
        )
        data.invitations = _all(
            select(Invitation)
            .where(func.lower(Invitation.email) == email)
            .options(joinedload(Invitation.item))
            .order_by(Invitation.created_at.desc())
        )
    return data


def actor_role(entry: AuditEntry, user: User) -> str:
    """Who acted, as a role: 'you', 'admin', 'manager', 'city' (staff of the
    municipality, acting in one of its neighbourhoods) or 'system'."""
    if entry.actor_id is None:
        return "system"
    if entry.actor_id == user.id:
        return "you"
    actor = entry.actor
    if actor is not None and actor.is_admin:
        return "admin"
    if (
        actor is not None
        and entry.neighbourhood_id is not None
        and entry.neighbourhood_id not in managed_neighbourhood_ids(actor)
        and entry.neighbourhood_id in city_neighbourhood_ids(actor)
    ):
        return "city"
    return "manager"
