"""All models, grouped by domain, imported here so Alembic and the privacy checks see every
table. Import them from here: `from wijk.models import Item`."""

from wijk.models.accounts import Consent, RecoveryCode, User
from wijk.models.audit import AuditEntry
from wijk.models.backup import ErasureRecord
from wijk.models.cache import PageVersion
from wijk.models.city import CityNews
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
from wijk.models.founding import NeighbourhoodRequest, RequestStatus
from wijk.models.help import HelpRequest
from wijk.models.legal import AccessibilityCheck, PublishedDocument
from wijk.models.moderation import ItemRevision, ModerationRules, Report, Suspension
from wijk.models.neighbourhood import Municipality, Neighbourhood, NeighbourhoodPostcode
from wijk.models.newsletters import Newsletter, NewsletterSubscription
from wijk.models.outbox import OutboxMessage
from wijk.models.pictures import PictureConsent
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
from wijk.models.stats import PageViewCount, PurgeCount, PurgeRun

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
    "CityNews",
    "BlockedSender",
    "Consent",
    "ErasureRecord",
    "PageVersion",
    "DigestStamp",
    "Follow",
    "Follower",
    "HelpRequest",
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
    "NeighbourhoodRequest",
    "NewsItem",
    "Newsletter",
    "NewsletterSubscription",
    "OccurrenceStatus",
    "Offer",
    "Organisation",
    "OutboxMessage",
    "PictureConsent",
    "PageViewCount",
    "PrivacyRequest",
    "PublishedDocument",
    "PurgeCount",
    "PurgeRun",
    "RecoveryCode",
    "RelayAlias",
    "RelayConversation",
    "RelayMessage",
    "RelaySide",
    "Report",
    "RequestStatus",
    "SealedAccount",
    "SignUp",
    "SignUpStatus",
    "Suspension",
    "User",
]
