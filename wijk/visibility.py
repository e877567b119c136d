"""The public-output gate. Pages, feeds and JSON never read personal columns themselves:
they get an ItemView from here, built for one viewer.

- The personal fields are those the model declares (`personal_fields(Item)`); a new
  personal column joins the gate by declaring itself.
- Everyone sees a personal field only when its visibility flag is on.
- A field declared never public (the contact e-mail) is handed out to nobody but the
  people who edit the item; visitors reach the contact person through the relay form.
- Those who edit the item see every value, the hidden ones marked as hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask_babel import get_locale
from markupsafe import Markup

from wijk import pagecache
from wijk.models import Item, ItemCategory, ItemKind
from wijk.models.base import personal_fields
from wijk.models.listed import AnyItem
from wijk.security.permissions import can_delete, can_edit, can_invite
from wijk.series.rules import describe


@dataclass(frozen=True)
class PersonalField:
    name: str
    label: str
    value: str
    public: bool
    never_public: bool = False


@dataclass(frozen=True)
class SignupCounts:
    """How full an activity is: counts only, never who signed up."""

    confirmed: int
    waiting: int
    max_places: int | None

    @property
    def full(self) -> bool:
        return self.max_places is not None and self.confirmed >= self.max_places

    @property
    def places_left(self) -> int | None:
        return None if self.max_places is None else max(self.max_places - self.confirmed, 0)


@dataclass(frozen=True)
class ItemView:
    """What one viewer may see of one item. Templates get this, never the model."""

    id: int
    kind: str
    title: str
    description: Markup
    neighbourhood_name: str
    neighbourhood_slug: str
    status: str
    created_at: datetime
    updated_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location_name: str | None = None
    rrule: str | None = None
    repeats: str | None = None  # the rule in plain words
    moved: bool = False  # a listing's date that the owner moved (see wijk.series)
    website: str | None = None
    offer_kind: str | None = None
    expires_on: date | None = None
    organisation_id: int | None = None
    organisation_title: str | None = None
    categories: tuple[str, ...] = ()
    picture_key: str | None = None
    signups_enabled: bool = False
    signups: SignupCounts | None = None
    fields: list[PersonalField] = field(default_factory=list)
    editable: bool = False
    deletable: bool = False
    can_invite: bool = False

    def field(self, name: str) -> PersonalField | None:
        return next((f for f in self.fields if f.name == name), None)


def item_view(
    item: AnyItem,
    viewer: Any = None,
    *,
    categories: tuple[str, ...] | None = None,
    signups: SignupCounts | None = None,
    locale: str | None = None,
) -> ItemView:
    """The one place that decides which personal values leave the server for `viewer`.

    Lists pass `categories` and the page's `locale` (see item_views); a single activity
    loads its own. Sign-up counts are only passed by the item page."""
    editor = can_edit(viewer, item)
    if categories is None:
        categories = _categories([item]).get(item.id, ())
    locale = locale or str(get_locale())
    labels = _labels(locale)
    fields = []
    for declared in personal_fields(Item):  # the model's declarations are the list
        value = getattr(item, declared.name)
        if not value:
            continue
        public = declared.flag is not None and bool(getattr(item, declared.flag))
        if editor:
            fields.append(
                PersonalField(
                    declared.name, labels[declared.name], value, public, declared.never_public
                )
            )
        elif public:
            fields.append(PersonalField(declared.name, labels[declared.name], value, True))
    organisation = item.organisation if item.organisation_id else None
    if organisation is not None and not organisation.is_published:
        organisation = None
    deletable, invites = can_delete(viewer, item), can_invite(viewer, item)
    # The page cache shares a page only with viewers the gate gave nothing more than
    # the public, and must know which items the page shows.
    pagecache.shown(item.id, more_than_public=editor or deletable or invites)
    return ItemView(
        id=item.id,
        kind=item.kind,
        title=item.title,
        description=Markup(item.description or ""),  # noqa: S704 (sanitised on save)
        neighbourhood_name=item.neighbourhood.name,
        neighbourhood_slug=item.neighbourhood.slug,
        status=item.status,
        created_at=item.created_at,
        updated_at=item.updated_at,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        location_name=item.location_name,
        rrule=item.rrule,
        repeats=_repeats(item.rrule, item.starts_at, locale)
        if item.starts_at and item.rrule
        else None,
        website=item.website,
        offer_kind=item.offer_kind,
        expires_on=item.expires_on,
        organisation_id=organisation.id if organisation else None,
        organisation_title=organisation.title if organisation else None,
        categories=categories,
        picture_key=item.picture_key,
        signups_enabled=bool(item.kind == ItemKind.ACTIVITY and item.signups_enabled),
        signups=signups,
        fields=fields,
        editable=editor,
        deletable=deletable,
        can_invite=invites,
    )


@lru_cache(maxsize=8)
def _labels(locale: str) -> dict[str, str]:
    """The personal fields' labels in `locale` (the gate called the translation of a lazy
    label for every field of every card). Only called inside that locale's request."""
    return {declared.name: str(declared.label) for declared in personal_fields(Item)}


_described: dict[tuple[Any, ...], str | None] = {}


def _repeats(rule: str, first: datetime, locale: str) -> str | None:
    """describe() of a card's series, kept per process: parsing the rule was a tenth of
    the cost of a rendered agenda. The words depend on the rule and on no more of the
    first date than what a rule without BYDAY/BYMONTHDAY/BYMONTH takes from it: the
    weekday for a weekly or daily rule, else also the day and month. So weekly series
    of one rule starting on the same weekday share their words."""
    upper = rule.upper()
    by_week = "FREQ=WEEKLY" in upper or "FREQ=DAILY" in upper
    parts: tuple[Any, ...] = (
        (first.weekday(),) if by_week else (first.weekday(), first.day, first.month)
    )
    key = (rule, locale, *parts)
    found = _described.get(key, _MISSING)
    if found is _MISSING:
        found = describe(rule, first)
        if len(_described) >= 4096:
            _described.clear()
        _described[key] = found
    return found  # type: ignore[return-value]


_MISSING = object()


def item_views(
    items: Iterable[AnyItem],
    viewer: Any = None,
    *,
    categories: Mapping[int, tuple[str, ...]] | None = None,
) -> list[ItemView]:
    """Views of a list. Give `categories` when the listing query already read them;
    otherwise they are loaded for the whole list in one query."""
    items = list(items)
    if categories is None:
        categories = _categories(items)
    viewer = _unproxied(viewer)
    locale = str(get_locale())
    return [
        item_view(item, viewer, categories=categories.get(item.id, ()), locale=locale)
        for item in items
    ]


def _unproxied(viewer: Any) -> Any:
    """current_user itself rather than its proxy: a list asks it a few things per card,
    and each question through the proxy looks the user up again."""
    unwrap = getattr(viewer, "_get_current_object", None)
    return unwrap() if unwrap is not None else viewer


def _categories(items: list[AnyItem]) -> dict[int, tuple[str, ...]]:
    """Only activities carry categories; a list without activities costs no query."""
    activity_ids = [item.id for item in items if item.kind == ItemKind.ACTIVITY]
    return ItemCategory.codes_by_item(activity_ids) if activity_ids else {}


def on_dates(views: Iterable[ItemView], rows: Iterable[Any]) -> list[ItemView]:
    """Views of a list of dates (ActivityOccurrence rows, one view per row, in order):
    each carries its own date. Dates are no personal data."""
    return [
        _on_date(view, row.starts_at, row.ends_at, row.status == "moved")
        for view, row in zip(views, rows, strict=True)
    ]


def _on_date(view: ItemView, starts_at: Any, ends_at: Any, moved: bool) -> ItemView:
    """dataclasses.replace for the three date fields, without its per-field checks: it
    was a third of the cost of building an agenda's views. ItemView has no __post_init__
    and no derived fields, so copying its fields and setting these three is the same."""
    dated = object.__new__(ItemView)
    dated.__dict__.update(view.__dict__, starts_at=starts_at, ends_at=ends_at, moved=moved)
    return dated
