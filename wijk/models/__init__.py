"""All models, imported here so Alembic and the privacy checks see every table."""

from wijk.models.activity_extras import CATEGORIES, ItemCategory, SignUp
from wijk.models.cache import ContentVersion
from wijk.models.content import (
    ITEM_CLASSES,
    Activity,
    Invitation,
    Item,
    ItemManager,
    NewsItem,
    Offer,
    Organisation,
)
from wijk.models.manage import (
    AuditEntry,
    ItemRevision,
    NeighbourhoodManager,
    Newsletter,
    NewsletterSubscription,
    RecoveryCode,
)
from wijk.models.moderation import ModerationRules, Suspension
from wijk.models.neighbourhood import Neighbourhood, NeighbourhoodPostcode
from wijk.models.outbox import OutboxMessage
from wijk.models.privacy import Breach, PrivacyRequest, SealedAccount
from wijk.models.relay import BlockedSender, RelayMessage, Report
from wijk.models.user import Consent, User

__all__ = [
    "CATEGORIES",
    "ITEM_CLASSES",
    "Activity",
    "AuditEntry",
    "Breach",
    "BlockedSender",
    "Consent",
    "ContentVersion",
    "Invitation",
    "ItemCategory",
    "ItemRevision",
    "Item",
    "ItemManager",
    "ModerationRules",
    "Neighbourhood",
    "NeighbourhoodManager",
    "NeighbourhoodPostcode",
    "NewsItem",
    "Newsletter",
    "NewsletterSubscription",
    "Offer",
    "Organisation",
    "OutboxMessage",
    "PrivacyRequest",
    "RecoveryCode",
    "RelayMessage",
    "Report",
    "SealedAccount",
    "SignUp",
    "Suspension",
    "User",
]
