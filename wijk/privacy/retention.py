"""The retention schedule: one table of named rules, applied by `flask purge` and shown
on /privacy.

Each rule has a query for what is due and an eraser for those rows. What is erased no
longer matches the query, so a second run finds nothing: the purge is idempotent and
safe to run from cron every hour. Every rule commits on its own, in small batches, so
pages served meanwhile only ever wait for short write locks.

`covers` names the retention names that privacy declarations (Column.info) use; a test
checks that every declared name is carried out by at least one rule here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, delete, exists, func, or_, select, update

from wijk.clock import stamp_to_local
from wijk.extensions import db
from wijk.models import (
    ALIAS_LIFETIME,
    AuditEntry,
    DigestStamp,
    Follow,
    Follower,
    HelpRequest,
    Invitation,
    Item,
    ItemKind,
    ItemRevision,
    NeighbourhoodRequest,
    NewsletterSubscription,
    OutboxMessage,
    PictureConsent,
    PrivacyRequest,
    PurgeCount,
    PurgeRun,
    RelayAlias,
    RelayConversation,
    RelayMessage,
    Report,
    SealedAccount,
    SignUp,
    Suspension,
    User,
)
from wijk.models.base import personal_fields, utcnow
from wijk.models.outbox import OutboxState
from wijk.privacy.erasers import (
    cleared_contact,
    delete_items,
    erase_outbox_messages,
    erase_relay_messages,
    erase_traces,
    mail_mentioning,
)
from wijk.series.occurrences import last_date_ends

BATCH = 500


@dataclass(frozen=True)
class RetentionRule:
    name: str
    period: timedelta
    description: Any  # a lazy string: shown on /privacy and by `flask purge`
    covers: tuple[str, ...]  # the retention names of privacy declarations it carries out
    subject: str  # what one erased unit is, for `flask purge --dry-run`
    due: Callable[[datetime], Select]  # now -> SELECT of the ids that are due
    erase: Callable[[list[Any], datetime], None]  # (ids, now); the caller commits


# --- accounts ---------------------------------------------------------------------------


def _unverified_account_due(now: datetime) -> Select:
    """Sign-ups whose address was never confirmed, 7 days on (consents go by cascade)."""
    return select(User.id).where(
        User.email_verified_at.is_(None),
        User.deleted_at.is_(None),
        User.created_at <= now - UNVERIFIED_ACCOUNT.period,
    )


def _delete_users(ids: list[int], now: datetime) -> None:
    delete_items(select(Item.id).where(Item.owner_id.in_(ids)))
    db.session.execute(delete(User).where(User.id.in_(ids)))


def _deleted_account_due(now: datetime) -> Select:
    """Deleted accounts, once no mail to them is waiting (the confirmation of the
    deletion goes first); after 47 hours they go regardless, so the hourly purge keeps
    the 48-hour promise even when mail is stuck."""
    pending = exists().where(
        OutboxMessage.status.in_((OutboxState.QUEUED, OutboxState.SENDING)),
        mail_mentioning(User.email),
    )
    return select(User.id).where(
        User.deleted_at.is_not(None),
        User.deleted_at <= now - DELETED_ACCOUNT.period,
        or_(~pending, User.deleted_at <= now - DELETED_ACCOUNT_LONGEST),
    )


def _erase_deleted_accounts(ids: list[int], now: datetime) -> None:
    for user in db.session.scalars(select(User).where(User.id.in_(ids))):
        erase_traces(user, now)
    _delete_users(ids, now)


# --- content ----------------------------------------------------------------------------


def _activity_contact_due(now: datetime) -> Select:
    """Activities that ended 30 days ago and still hold a contact field, a public flag
    or a revision (whose snapshot holds the old contact fields). A series ends with its
    last date, cancelled or not."""
    cutoff = stamp_to_local(now) - ACTIVITY_CONTACT.period
    columns = Item.__table__.columns
    fields = personal_fields(Item)
    holding = or_(
        *(columns[f.name].is_not(None) for f in fields),
        *(columns[f.flag].is_(True) for f in fields if f.flag),
        exists().where(ItemRevision.item_id == Item.id),
    )
    return select(Item.id).where(
        Item.kind == ItemKind.ACTIVITY,
        func.coalesce(last_date_ends(Item.id), Item.ends_at, Item.starts_at) <= cutoff,
        holding,
    )


def _erase_activity_contact(ids: list[int], now: datetime) -> None:
    db.session.execute(
        update(Item)
        .where(Item.id.in_(ids))
        .values(**cleared_contact())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(ItemRevision).where(ItemRevision.item_id.in_(ids)))


def _expired_offer_due(now: datetime) -> Select:
    """Offers and requests 30 days after they expired. An offer is expired from the day
    after its expiry date, so it goes 31 days after that date (local calendar)."""
    last_day = stamp_to_local(now).date() - EXPIRED_OFFER.period - timedelta(days=1)
    return select(Item.id).where(Item.kind == ItemKind.OFFER, Item.expires_on <= last_day)


def _erase_items(ids: list[int], now: datetime) -> None:
    delete_items(select(Item.id).where(Item.id.in_(ids)))


def _signup_list_due(now: datetime) -> Select:
    """Sign-up lists go 7 days after their activity ended (local wall-clock times)."""
    cutoff = stamp_to_local(now) - SIGNUP_LIST.period
    ended = select(Item.id).where(
        Item.kind == ItemKind.ACTIVITY, func.coalesce(Item.ends_at, Item.starts_at) <= cutoff
    )
    return select(SignUp.id).where(SignUp.activity_id.in_(ended))


def _erase_signups(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(SignUp).where(SignUp.id.in_(ids)))


# --- messages ---------------------------------------------------------------------------


def _relay_body_due(now: datetime) -> Select:
    """Relayed messages 28 days after delivery, or after they were written when delivery
    failed or never happened."""
    cutoff = now - RELAY_BODY.period
    delivered_before = select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxState.SENT, OutboxMessage.sent_at <= cutoff
    )
    undeliverable = select(OutboxMessage.id).where(OutboxMessage.status == OutboxState.FAILED)
    return select(RelayMessage.id).where(
        RelayMessage.erased_at.is_(None),
        or_(
            RelayMessage.outbox_message_id.in_(delivered_before),
            and_(
                RelayMessage.created_at <= cutoff,
                or_(
                    RelayMessage.outbox_message_id.is_(None),
                    RelayMessage.outbox_message_id.in_(undeliverable),
                ),
            ),
        ),
    )


def _relay_alias_due(now: datetime) -> Select:
    """Aliases of conversations whose last message is 28 days old (touching a
    conversation moves `expires_at`); mail to them is refused from that moment on."""
    return select(RelayAlias.id).where(RelayAlias.expires_at <= now)


def _erase_relay_aliases(ids: list[int], now: datetime) -> None:
    """Delete the aliases with the addresses behind them, then conversations left
    without any (their messages keep a row, see relay_body)."""
    db.session.execute(delete(RelayAlias).where(RelayAlias.id.in_(ids)))
    db.session.execute(
        delete(RelayConversation).where(
            ~exists().where(RelayAlias.conversation_id == RelayConversation.id)
        )
    )


def _outbox_body_due(now: datetime) -> Select:
    """Delivered mail keeps only its kind, status and times after 7 days."""
    return select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxState.SENT,
        OutboxMessage.sent_at <= now - OUTBOX_BODY.period,
        OutboxMessage.to_addr != "",
    )


def _invitation_due(now: datetime) -> Select:
    """Invitations 30 days after they were accepted, or sent when never accepted (the
    link itself stops working after 14 days)."""
    moment = func.coalesce(Invitation.accepted_at, Invitation.created_at)
    return select(Invitation.id).where(moment <= now - INVITATION.period)


def _erase_invitations(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(Invitation).where(Invitation.id.in_(ids)))


# --- records kept for accountability -----------------------------------------------------


def _report_due(now: datetime) -> Select:
    return select(Report.id).where(Report.resolved_at <= now - REPORT.period)


def _erase_reports(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(Report).where(Report.id.in_(ids)))


def _suspension_due(now: datetime) -> Select:
    """Lifted suspensions, a year on; an active one stays while the account exists (it
    goes with the account)."""
    return select(Suspension.id).where(Suspension.lifted_at <= now - SUSPENSION.period)


def _erase_suspensions(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(Suspension).where(Suspension.id.in_(ids)))


def _audit_due(now: datetime) -> Select:
    return select(AuditEntry.id).where(AuditEntry.created_at <= now - AUDIT.period)


def _erase_audit(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(AuditEntry).where(AuditEntry.id.in_(ids)))


def _sealed_copy_due(now: datetime) -> Select:
    """`purge_after` is set to 5 calendar years after sealing (see erasure.seal)."""
    return select(SealedAccount.id).where(SealedAccount.purge_after <= now)


def _erase_sealed(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(SealedAccount).where(SealedAccount.id.in_(ids)))


def _privacy_request_due(now: datetime) -> Select:
    return select(PrivacyRequest.id).where(
        PrivacyRequest.answered_at <= now - PRIVACY_REQUEST.period
    )


def _erase_privacy_requests(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(PrivacyRequest).where(PrivacyRequest.id.in_(ids)))


def _help_request_due(now: datetime) -> Select:
    return select(HelpRequest.id).where(HelpRequest.created_at <= now - HELP_REQUEST.period)


def _erase_help_requests(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(HelpRequest).where(HelpRequest.id.in_(ids)))


def _picture_consent_due(now: datetime) -> Select:
    """Answers about a picture that is no longer the item's (replaced or removed)."""
    current = exists().where(
        Item.id == PictureConsent.item_id, Item.picture_key == PictureConsent.picture_key
    )
    return select(PictureConsent.item_id).where(~current)


def _erase_picture_consents(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(PictureConsent).where(PictureConsent.item_id.in_(ids)))


def _neighbourhood_request_due(now: datetime) -> Select:
    """Requests to start a neighbourhood, a year after they were approved or declined
    (an open one waits for its answer; all go with the account)."""
    return select(NeighbourhoodRequest.id).where(
        NeighbourhoodRequest.decided_at <= now - NEIGHBOURHOOD_REQUEST.period
    )


def _erase_neighbourhood_requests(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(NeighbourhoodRequest).where(NeighbourhoodRequest.id.in_(ids)))


# --- newsletters by e-mail and follows ---------------------------------------------------


def _unconfirmed_email_subscription_due(now: datetime) -> Select:
    return select(NewsletterSubscription.id).where(
        NewsletterSubscription.user_id.is_(None),
        NewsletterSubscription.confirmed_at.is_(None),
        NewsletterSubscription.subscribed_at <= now - UNCONFIRMED_SUBSCRIPTION.period,
    )


def _withdrawn_email_subscription_due(now: datetime) -> Select:
    return select(NewsletterSubscription.id).where(
        NewsletterSubscription.user_id.is_(None),
        NewsletterSubscription.withdrawn_at <= now - WITHDRAWN_SUBSCRIPTION.period,
    )


def _erase_subscriptions(ids: list[int], now: datetime) -> None:
    db.session.execute(delete(NewsletterSubscription).where(NewsletterSubscription.id.in_(ids)))


def _unconfirmed_follow_due(now: datetime) -> Select:
    return select(Follow.id).where(
        Follow.confirmed_at.is_(None), Follow.created_at <= now - UNCONFIRMED_FOLLOW.period
    )


def _erase_follows(ids: list[int], now: datetime) -> None:
    """The follows, and every follower (its address) that is left without one."""
    db.session.execute(delete(Follow).where(Follow.id.in_(ids)))
    db.session.execute(delete(Follower).where(~exists().where(Follow.follower_id == Follower.id)))


def _digest_stamp_due(now: datetime) -> Select:
    """Followers with old stamps (the unit counted is the follower)."""
    return select(DigestStamp.follower_id).where(DigestStamp.done_at <= now - DIGEST_STAMP.period)


def _erase_digest_stamps(ids: list[int], now: datetime) -> None:
    db.session.execute(
        delete(DigestStamp).where(
            DigestStamp.follower_id.in_(ids), DigestStamp.done_at <= now - DIGEST_STAMP.period
        )
    )


# --- the schedule -----------------------------------------------------------------------

UNVERIFIED_ACCOUNT = RetentionRule(
    "unverified_account",
    timedelta(days=7),
    _l("Accounts whose e-mail address was never confirmed are removed after 7 days."),
    ("account",),
    "user_account",
    _unverified_account_due,
    _delete_users,
)
DELETED_ACCOUNT = RetentionRule(
    "deleted_account",
    timedelta(0),
    _l(
        "An account is kept while it exists. When you delete it, it is unpublished at "
        "once and erased within 48 hours, with the posts you chose to delete."
    ),
    ("account",),
    "user_account",
    _deleted_account_due,
    _erase_deleted_accounts,
)
DELETED_ACCOUNT_LONGEST = timedelta(hours=47)
ACTIVITY_CONTACT = RetentionRule(
    "activity_contact",
    timedelta(days=30),
    _l(
        "Contact details and address of an activity are erased 30 days after it ends (a "
        "series: after its last date); other posts keep them until their owner removes "
        "them or the post."
    ),
    ("content_contact",),
    "item",
    _activity_contact_due,
    _erase_activity_contact,
)
EXPIRED_OFFER = RetentionRule(
    "expired_offer",
    timedelta(days=30),
    _l("Offers and requests are deleted 30 days after they expire."),
    ("content_contact",),
    "item",
    _expired_offer_due,
    _erase_items,
)
SIGNUP_LIST = RetentionRule(
    "signup_list",
    timedelta(days=7),
    _l("Sign-up lists of an activity are erased 7 days after it ends."),
    ("signup",),
    "signup",
    _signup_list_due,
    _erase_signups,
)
RELAY_BODY = RetentionRule(
    "relay_body",
    timedelta(days=28),
    _l("Messages sent through the contact form are erased 28 days after delivery."),
    ("relay_body",),
    "relay_message",
    _relay_body_due,
    erase_relay_messages,
)
RELAY_ALIAS = RetentionRule(
    "relay_alias",
    ALIAS_LIFETIME,
    _l(
        "The alias addresses that carry answers to a contact-form message, and the e-mail "
        "addresses behind them, are erased 28 days after the conversation's last message; "
        "from then on mail to those aliases is refused."
    ),
    ("relay_alias",),
    "relay_alias",
    _relay_alias_due,
    _erase_relay_aliases,
)
OUTBOX_BODY = RetentionRule(
    "outbox_body",
    timedelta(days=7),
    _l("The content and address of a delivered e-mail are erased after 7 days."),
    ("outbox_body",),
    "outbox_message",
    _outbox_body_due,
    erase_outbox_messages,
)
INVITATION = RetentionRule(
    "invitation",
    timedelta(days=30),
    _l(
        "Invitations to co-manage a post are erased 30 days after they were accepted or, "
        "when never accepted, sent."
    ),
    ("invitation",),
    "invitation",
    _invitation_due,
    _erase_invitations,
)
REPORT = RetentionRule(
    "report",
    timedelta(days=365),
    _l("Reports of abuse are erased 1 year after they were dealt with."),
    ("report",),
    "report",
    _report_due,
    _erase_reports,
)
SUSPENSION = RetentionRule(
    "suspension",
    timedelta(days=365),
    _l(
        "A suspension, with its reason and your answer, is erased 1 year after it was "
        "lifted; while it lasts it is kept with your account."
    ),
    ("suspension",),
    "suspension",
    _suspension_due,
    _erase_suspensions,
)
AUDIT = RetentionRule(
    "audit",
    timedelta(days=730),
    _l("Entries in the audit trail (who viewed or changed whose data) are erased after 2 years."),
    ("audit",),
    "audit_entry",
    _audit_due,
    _erase_audit,
)
SEALED_COPY = RetentionRule(
    "sealed_copy",
    timedelta(days=5 * 365),
    _l("The sealed copy of a deleted account is erased after 5 years."),
    ("sealed_copy",),
    "sealed_account",
    _sealed_copy_due,
    _erase_sealed,
)
PRIVACY_REQUEST = RetentionRule(
    "privacy_request",
    timedelta(days=365),
    _l("Privacy requests and our answers are erased 1 year after the answer."),
    ("privacy_request",),
    "privacy_request",
    _privacy_request_due,
    _erase_privacy_requests,
)
HELP_REQUEST = RetentionRule(
    "help_request",
    timedelta(days=90),
    _l(
        "A question sent through “Need help?”, with your name and address, is erased 90 "
        "days after you sent it; the answers by mail follow the rules for relayed messages."
    ),
    ("help_request",),
    "help_request",
    _help_request_due,
    _erase_help_requests,
)
PICTURE_CONSENT = RetentionRule(
    "picture_consent",
    timedelta(0),
    _l(
        "Your answers about the people in a picture are kept as long as the picture, and "
        "erased when it is replaced or removed."
    ),
    ("picture_consent",),
    "picture_consent",
    _picture_consent_due,
    _erase_picture_consents,
)
NEIGHBOURHOOD_REQUEST = RetentionRule(
    "neighbourhood_request",
    timedelta(days=365),
    _l(
        "A request to start a neighbourhood is erased 1 year after it was approved or "
        "declined, and with your account."
    ),
    ("neighbourhood_request",),
    "neighbourhood_request",
    _neighbourhood_request_due,
    _erase_neighbourhood_requests,
)

UNCONFIRMED_SUBSCRIPTION = RetentionRule(
    "unconfirmed_email_subscription",
    timedelta(days=7),
    _l(
        "An e-mail address left for a newsletter without an account is erased after 7 days "
        "when its confirmation link was never used."
    ),
    ("email_subscription",),
    "newsletter_subscription",
    _unconfirmed_email_subscription_due,
    _erase_subscriptions,
)
WITHDRAWN_SUBSCRIPTION = RetentionRule(
    "withdrawn_email_subscription",
    timedelta(days=30),
    _l(
        "When you stop a newsletter you receive without an account, your address and the "
        "record of your opt-in are erased 30 days later."
    ),
    ("email_subscription",),
    "newsletter_subscription",
    _withdrawn_email_subscription_due,
    _erase_subscriptions,
)
UNCONFIRMED_FOLLOW = RetentionRule(
    "unconfirmed_follow",
    timedelta(days=7),
    _l(
        "A follow by e-mail is erased after 7 days when its confirmation link was never "
        "used, and the address with it. A confirmed follow is kept until you stop it with "
        "the link in any digest, or delete your account; stopping erases it at once."
    ),
    ("follow",),
    "follow",
    _unconfirmed_follow_due,
    _erase_follows,
)
DIGEST_STAMP = RetentionRule(
    "digest_stamp",
    timedelta(days=60),
    _l("The note that a digest was sent (no content, no address) is erased after 60 days."),
    (),
    "follower",
    _digest_stamp_due,
    _erase_digest_stamps,
)

SCHEDULE: tuple[RetentionRule, ...] = (
    UNVERIFIED_ACCOUNT,
    DELETED_ACCOUNT,
    ACTIVITY_CONTACT,
    EXPIRED_OFFER,
    SIGNUP_LIST,
    RELAY_BODY,
    RELAY_ALIAS,
    OUTBOX_BODY,
    INVITATION,
    REPORT,
    SUSPENSION,
    AUDIT,
    SEALED_COPY,
    PRIVACY_REQUEST,
    HELP_REQUEST,
    PICTURE_CONSENT,
    NEIGHBOURHOOD_REQUEST,
    UNCONFIRMED_SUBSCRIPTION,
    WITHDRAWN_SUBSCRIPTION,
    UNCONFIRMED_FOLLOW,
    DIGEST_STAMP,
)


def rules_for(retention: str) -> list[RetentionRule]:
    """The rules that carry out a retention name used in a privacy declaration."""
    return [rule for rule in SCHEDULE if retention in rule.covers]


def purge(
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    listing: dict[str, list[Any]] | None = None,
) -> dict[str, int]:
    """Apply every rule, each in its own short transactions; with dry_run only count.
    Pass `listing` to get the ids each rule found. A real run records what each rule
    erased (PurgeRun, PurgeCount) for the transparency report."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    for rule in SCHEDULE:
        ids = sorted(set(db.session.scalars(rule.due(now))))
        counts[rule.name] = len(ids)
        if listing is not None:
            listing[rule.name] = ids
        if dry_run:
            db.session.rollback()
            continue
        for start in range(0, len(ids), BATCH):
            rule.erase(ids[start : start + BATCH], now)
            db.session.commit()
    if not dry_run:
        db.session.add(
            PurgeRun(
                ran_at=now,
                counts=[PurgeCount(rule=name, erased=n) for name, n in counts.items() if n],
            )
        )
        db.session.commit()
    return counts
