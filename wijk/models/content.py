"""Activities, organisations and offers/requests share one table (single-table
inheritance): listings, co-managers, reports and relay messages then point at one
`item.id`, and a neighbourhood page needs no joins across three tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    bindparam,
    exists,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql._typing import ColumnExpressionArgument

from wijk.clock import LocalDateTime
from wijk.extensions import db
from wijk.models.accounts import User
from wijk.models.base import Model, not_personal, personal, utcnow
from wijk.models.neighbourhood import Neighbourhood

if TYPE_CHECKING:  # wijk/models/series.py imports this module
    from wijk.models.series import ActivityOccurrence


class ItemKind(StrEnum):
    """What an item is; stored in `item.kind`, the single-table-inheritance identity."""

    ACTIVITY = "activity"
    ORGANISATION = "organisation"
    OFFER = "offer"
    NEWS = "news"


class ItemStatus(StrEnum):
    """Only published items are public. A manager hides one (with a reason); a post held by
    pre-moderation or the word list waits for a manager's approval; a suspended person's
    items are off the site until the suspension is lifted."""

    PUBLISHED = "published"
    HIDDEN = "hidden"
    HELD = "held"
    SUSPENDED = "suspended"


CONTACT_AUDIENCE = "the owner and co-managers; the public only when its flag is on"


def _contact(
    purpose: str, label, register_label, *, flag: str | None = None, never_public: bool = False
) -> dict:
    """A personal field on content. Declaring it is all it takes to join the gate, the
    form, the feeds, the privacy statement and the retention job (see personal_fields)."""
    return personal(
        category="contact details on content",
        purpose=purpose,
        basis="consent",
        retention="content_contact",
        audience=CONTACT_AUDIENCE,
        flag=flag,
        label=label,
        register_label=register_label,
        never_public=never_public,
    )


class Item(Model):
    __tablename__ = "item"
    __table_args__ = (
        Index("ix_item_listing", "neighbourhood_id", "kind", "status", "starts_at", "id"),
        Index("ix_item_offers", "neighbourhood_id", "kind", "status", "expires_on"),
        # Search ranks every organisation, offer and news item a word matches, found
        # through this index rather than by reading each match (wijk.discover.search).
        Index("ix_item_kind", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="CASCADE")
    )
    # NULL once the author deleted their account and chose to keep the item anonymised.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("item.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=ItemStatus.PUBLISHED)
    title: Mapped[str] = mapped_column(String(200), info=not_personal("a public title"))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # The personal fields, in the order pages and forms show them. Each has its flag,
    # hidden by default, except the contact e-mail: the relay form stands in for it.
    address: Mapped[str | None] = mapped_column(
        String(200),
        info=_contact(
            "show where to go or whom to visit", _l("Address"), _l("address"), flag="address_public"
        ),
    )
    address_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    contact_name: Mapped[str | None] = mapped_column(
        String(100),
        info=_contact(
            "tell visitors whom they will meet",
            _l("Contact person"),
            _l("contact person"),
            flag="contact_name_public",
        ),
    )
    contact_name_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    contact_phone: Mapped[str | None] = mapped_column(
        String(40),
        info=_contact(
            "let visitors call the contact person",
            _l("Phone"),
            _l("contact phone number"),
            flag="contact_phone_public",
        ),
    )
    contact_phone_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    contact_email: Mapped[str | None] = mapped_column(
        String(254),
        info=_contact(
            "deliver messages from the relay contact form",
            _l("Contact e-mail"),
            _l("contact e-mail address"),
            never_public=True,
        ),
    )

    moderation_reason: Mapped[str | None] = mapped_column(Text)
    # A picture: files are stored under this random key, never under a user-given name.
    picture_key: Mapped[str | None] = mapped_column(String(40))

    # Activity: wall-clock times in Europe/Amsterdam, not stamps (see wijk/clock.py).
    starts_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(LocalDateTime)
    location_name: Mapped[str | None] = mapped_column(
        String(200), info=not_personal("the name of a venue")
    )
    # A series: its RFC 5545 RRULE value, from `starts_at` on; its dates are the rows of
    # activity_occurrence (wijk/models/series.py), rewritten from it on every change.
    rrule: Mapped[str | None] = mapped_column(String(500), info=not_personal("a repeat rule"))
    signups_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    max_places: Mapped[int | None]
    # Organisation
    website: Mapped[str | None] = mapped_column(String(300))
    # Offer / request
    offer_kind: Mapped[str | None] = mapped_column(String(10))
    expires_on: Mapped[date | None]
    reminder_sent_at: Mapped[datetime | None]

    # Listings load their neighbourhood once; items then find it in the identity map.
    neighbourhood: Mapped[Neighbourhood] = relationship()
    owner: Mapped[User | None] = relationship()
    organisation: Mapped[Item | None] = relationship(remote_side=[id])
    co_managers: Mapped[list[ItemManager]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "item"}

    @property
    def is_published(self) -> bool:
        return self.status == ItemStatus.PUBLISHED

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


class Activity(Item):
    __mapper_args__ = {"polymorphic_identity": ItemKind.ACTIVITY, "polymorphic_load": "inline"}

    # Every date, cancelled and moved ones included, in the rule's order. The class lives
    # in wijk/models/series.py, which imports this module; the registry resolves the name.
    occurrences: Mapped[list[ActivityOccurrence]] = relationship(
        back_populates="activity",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ActivityOccurrence.original_starts_at",
    )


class Organisation(Item):
    __mapper_args__ = {"polymorphic_identity": ItemKind.ORGANISATION, "polymorphic_load": "inline"}

    @property
    def name(self) -> str:
        return self.title


class NewsItem(Item):
    """News a neighbourhood manager posts on the neighbourhood page."""

    __mapper_args__ = {"polymorphic_identity": ItemKind.NEWS, "polymorphic_load": "inline"}


class Offer(Item):
    """An offer or a request on the board ("vraag en aanbod"); see `offer_kind`."""

    __mapper_args__ = {"polymorphic_identity": ItemKind.OFFER, "polymorphic_load": "inline"}

    def is_expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today


ITEM_CLASSES: dict[str, type[Item]] = {
    ItemKind.ACTIVITY: Activity,
    ItemKind.ORGANISATION: Organisation,
    ItemKind.OFFER: Offer,
    ItemKind.NEWS: NewsItem,
}


class ItemManager(Model):
    """A co-manager: someone the owner invited, who may edit the item."""

    __tablename__ = "item_manager"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(back_populates="co_managers")
    user: Mapped[User] = relationship()


class Invitation(Model):
    """An invitation to co-manage an item, sent to an e-mail address."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(
        String(254),
        info=personal(
            category="invitation",
            purpose="deliver the invitation and match it when accepted",
            basis="legitimate_interest",
            retention="invitation",
            audience="the inviting owner",
        ),
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]

    item: Mapped[Item] = relationship()
    invited_by: Mapped[User] = relationship()


CATEGORIES = ("sport", "culture", "care", "children", "meeting", "learning", "nature", "food")


class ItemCategory(Model):
    __tablename__ = "item_category"
    __table_args__ = (Index("ix_item_category_category", "category", "item_id"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("item.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(20), primary_key=True)

    @classmethod
    def codes_column(cls, item_id: ColumnExpressionArgument[int]) -> ColumnElement:
        """The item's codes as one comma-separated string, for a listing to select along."""
        return (
            select(func.aggregate_strings(cls.category, ","))
            .where(cls.item_id == item_id)
            .scalar_subquery()
        )

    @classmethod
    def has_code(
        cls, item_id: ColumnExpressionArgument[int], code: str | ColumnElement[str]
    ) -> ColumnElement:
        """SQL: the item carries the category `code` (a value or a bound parameter)."""
        return exists().where(cls.item_id == item_id, cls.category == code)

    @classmethod
    def codes_by_item(cls, item_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """Category codes per item for a whole list, in one query, in CATEGORIES order."""
        ids = list(set(item_ids))
        found: dict[int, set[str]] = {item_id: set() for item_id in ids}
        if ids:
            rows = db.session.execute(_CODES_BY_ITEM, {"ids": ids})
            for item_id, code in rows:
                found[item_id].add(code)
        return {
            item_id: tuple(code for code in CATEGORIES if code in codes)
            for item_id, codes in found.items()
        }


# Built once (codes_by_item runs on every item page): the ids are an expanding parameter.
_CODES_BY_ITEM = select(ItemCategory.item_id, ItemCategory.category).where(
    ItemCategory.item_id.in_(bindparam("ids", expanding=True))
)
