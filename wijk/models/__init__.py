"""All models, imported here so Alembic and the privacy checks see every table."""

from wijk.models.content import (
    ITEM_CLASSES,
    Activity,
    Invitation,
    Item,
    ItemManager,
    Offer,
    Organisation,
)
from wijk.models.neighbourhood import Neighbourhood, NeighbourhoodPostcode
from wijk.models.outbox import OutboxMessage
from wijk.models.relay import BlockedSender, RelayMessage, Report
from wijk.models.user import Consent, User

__all__ = [
    "ITEM_CLASSES",
    "Activity",
    "BlockedSender",
    "Consent",
    "Invitation",
    "Item",
    "ItemManager",
    "Neighbourhood",
    "NeighbourhoodPostcode",
    "Offer",
    "Organisation",
    "OutboxMessage",
    "RelayMessage",
    "Report",
    "User",
]
