"""All models, grouped by domain, imported here so Alembic and the privacy checks see every
table. Import them from here: `from wijk.models import Item`."""

from wijk.models.accounts import Consent, RecoveryCode, User
from wijk.models.audit import AuditEntry
from wijk.models.backup import ErasureRecord
from wijk.models.cache import PageVersion
from wijk.models.content import (
    CATEGORIES,
    ITEM_CLASSES,
    Activity,
    Invitation,
    Item,
    ItemCategory,
    ItemKind,
    ItemManager,
    ItemStatus,
    NewsItem,
    Offer,
    Organisation,
)
from wijk.models.follows import FREQUENCIES, DigestStamp, Follow, Follower
from wijk.models.legal import AccessibilityCheck, PublishedDocument
from wijk.models.moderation import ItemRevision, ModerationRules, Report, Suspension
from wijk.models.neighbourhood import Municipality, Neighbourhood, NeighbourhoodPostcode
from wijk.models.newsletters import Newsletter, NewsletterSubscription
from wijk.models.outbox import OutboxMessage
from wijk.models.privacy import Breach, PrivacyRequest, SealedAccount
from wijk.models.relay import (
    ALIAS_LIFETIME,
    BlockedSender,
    RelayAlias,
    RelayConversation,
    RelayMessage,
    RelaySide,
)
from wijk.models.roles import MunicipalityStaff, NeighbourhoodManager
from wijk.models.series import ActivityOccurrence, OccurrenceStatus
from wijk.models.signups import SignUp, SignUpStatus

__all__ = [
    "ALIAS_LIFETIME",
    "CATEGORIES",
    "FREQUENCIES",
    "ITEM_CLASSES",
    "AccessibilityCheck",
    "Activity",
    "ActivityOccurrence",
    "AuditEntry",
    "Breach",
    "BlockedSender",
    "Consent",
    "ErasureRecord",
    "PageVersion",
    "DigestStamp",
    "Follow",
    "Follower",
    "Invitation",
    "Item",
    "ItemCategory",
    "ItemKind",
    "ItemManager",
    "ItemRevision",
    "ItemStatus",
    "ModerationRules",
    "Municipality",
    "MunicipalityStaff",
    "Neighbourhood",
    "NeighbourhoodManager",
    "NeighbourhoodPostcode",
    "NewsItem",
    "Newsletter",
    "NewsletterSubscription",
    "OccurrenceStatus",
    "Offer",
    "Organisation",
    "OutboxMessage",
    "PrivacyRequest",
    "PublishedDocument",
    "RecoveryCode",
    "RelayAlias",
    "RelayConversation",
    "RelayMessage",
    "RelaySide",
    "Report",
    "SealedAccount",
    "SignUp",
    "SignUpStatus",
    "Suspension",
    "User",
]
