"""All models, imported here so Alembic and the privacy checks see every table."""

from wijk.models.activity_extras import CATEGORIES, ItemCategory, SignUp
from wijk.models.backup import ErasureRecord
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
from wijk.models.legal import AccessibilityCheck, PublishedDocument
from wijk.models.manage import (
    AuditEntry,
    ItemRevision,
    NeighbourhoodManager,
    Newsletter,
    NewsletterSubscription,
    RecoveryCode,
)
from wijk.models.neighbourhood import Neighbourhood, NeighbourhoodPostcode
from wijk.models.outbox import OutboxMessage
from wijk.models.privacy import Breach, PrivacyRequest, SealedAccount
from wijk.models.relay import BlockedSender, RelayMessage, Report
from wijk.models.user import Consent, User

__all__ = [
    "CATEGORIES",
    "ITEM_CLASSES",
    "AccessibilityCheck",
    "Activity",
    "AuditEntry",
    "Breach",
    "BlockedSender",
    "Consent",
    "ErasureRecord",
    "ContentVersion",
    "Invitation",
    "ItemCategory",
    "ItemRevision",
    "Item",
    "ItemManager",
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
    "PublishedDocument",
    "RecoveryCode",
    "RelayMessage",
    "Report",
    "SealedAccount",
    "SignUp",
    "User",
]
