"""The objects the API hands out, declared once (see wijk.api.schema). Items are dumped
from ItemViews built by the gate for an anonymous viewer, so a personal field appears only
when its owner made it public, and the contact e-mail (never public) never does: the
personal properties are read from the column declarations (`personal_fields(Item)`)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for

from wijk.api.schema import Prop, Shape, day, local_time, stamp
from wijk.content.services import KIND_SLUGS
from wijk.models import CATEGORIES, Item, Neighbourhood
from wijk.models.base import personal_fields
from wijk.pictures.services import WIDTHS
from wijk.sanitize import plain_text
from wijk.visibility import ItemView


@dataclass(frozen=True)
class Record:
    """One item as the API shows it: the gate's view, its place, and (activities) dates."""

    view: ItemView
    place: Neighbourhood
    dates: tuple[Any, ...] = ()  # ActivityOccurrence rows


def _url(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def page_url(view: ItemView) -> str:
    if view.kind == "news":
        return _url("discover.news_page", item_id=view.id)
    return _url("content.show", kind_slug=KIND_SLUGS[view.kind], item_id=view.id)


API_ENDPOINTS = {
    "activity": "api.activity",
    "organisation": "api.organisation",
    "offer": "api.offer",
    "news": "api.news_item",
}


def api_url(view: ItemView) -> str:
    return _url(API_ENDPOINTS[view.kind], item_id=view.id)


def picture(view: ItemView) -> str | None:
    if not view.picture_key:
        return None
    return _url("pictures.show", item_id=view.id, key=view.picture_key, width=max(WIDTHS))


def _public(view: ItemView, name: str) -> str | None:
    found = view.field(name)
    return found.value if found is not None and found.public and not found.never_public else None


MUNICIPALITY_REF = Shape(
    "MunicipalityRef",
    "The municipality (gemeente) a neighbourhood belongs to.",
    (
        Prop("slug", "string", lambda m: m.slug, "Identifier in URLs."),
        Prop("name", "string", lambda m: m.name),
        Prop("api_url", "string", lambda m: _url("api.municipality", slug=m.slug), format="uri"),
    ),
)

NEIGHBOURHOOD_REF = Shape(
    "NeighbourhoodRef",
    "The neighbourhood (wijk) an object belongs to.",
    (
        Prop("slug", "string", lambda n: n.slug, "Identifier in URLs."),
        Prop("name", "string", lambda n: n.name),
        Prop("api_url", "string", lambda n: _url("api.neighbourhood", slug=n.slug), format="uri"),
    ),
)

MUNICIPALITY = Shape(
    "Municipality",
    "A municipality (gemeente) with its neighbourhoods.",
    (
        Prop("slug", "string", lambda m: m.slug, "Identifier in URLs."),
        Prop("name", "string", lambda m: m.name),
        Prop("description", "string", lambda m: m.description or None, nullable=True),
        Prop("neighbourhoods", "array", lambda m: m.neighbourhoods, shape=NEIGHBOURHOOD_REF),
        Prop(
            "activities_url",
            "string",
            lambda m: _url("api.activities", municipality=m.slug),
            "Upcoming activities of every neighbourhood of the municipality.",
            format="uri",
        ),
        Prop("embed_url", "string", lambda m: _url("embed.city", slug=m.slug), format="uri"),
        Prop("api_url", "string", lambda m: _url("api.municipality", slug=m.slug), format="uri"),
    ),
)


def _postcodes(place: Neighbourhood) -> list[str]:
    return [row.postcode for row in place.postcodes]


NEIGHBOURHOOD = Shape(
    "Neighbourhood",
    "A neighbourhood (wijk): its page, agenda feeds and the postcode areas it covers.",
    (
        Prop("slug", "string", lambda n: n.slug, "Identifier in URLs."),
        Prop("name", "string", lambda n: n.name),
        Prop("description", "string", lambda n: n.description or None, nullable=True),
        Prop("municipality", "object", lambda n: n.municipality, shape=MUNICIPALITY_REF),
        Prop(
            "postcodes",
            "array",
            _postcodes,
            "Four-digit postcode areas the neighbourhood covers.",
            items={"type": "string", "pattern": "^[0-9]{4}$"},
        ),
        Prop(
            "url",
            "string",
            lambda n: _url("neighbourhoods.neighbourhood", slug=n.slug),
            "Its page.",
            format="uri",
        ),
        Prop(
            "ical_url",
            "string",
            lambda n: _url("discover.neighbourhood_calendar", slug=n.slug),
            "Its agenda as iCalendar.",
            format="uri",
        ),
        Prop(
            "atom_url",
            "string",
            lambda n: _url("discover.neighbourhood_atom", slug=n.slug),
            "What is new, as Atom.",
            format="uri",
        ),
        Prop(
            "embed_url",
            "string",
            lambda n: _url("embed.neighbourhood", slug=n.slug),
            "Its agenda to frame on another site.",
            format="uri",
        ),
        Prop(
            "activities_url",
            "string",
            lambda n: _url("api.activities", neighbourhood=n.slug),
            format="uri",
        ),
        Prop("api_url", "string", lambda n: _url("api.neighbourhood", slug=n.slug), format="uri"),
    ),
)

ORGANISATION_REF = Shape(
    "OrganisationRef",
    "The organisation an item is posted on behalf of.",
    (
        Prop("id", "integer", lambda v: v.organisation_id, format="int32"),
        Prop("name", "string", lambda v: v.organisation_title),
        Prop(
            "api_url",
            "string",
            lambda v: _url("api.organisation", item_id=v.organisation_id),
            format="uri",
        ),
    ),
)

OCCURRENCE = Shape(
    "Occurrence",
    "One date of an activity (a single activity has one, a series one per repetition).",
    (
        Prop("id", "integer", lambda row: row.id, format="int32"),
        Prop("starts_at", "string", lambda row: local_time(row.starts_at), format="date-time"),
        Prop(
            "ends_at",
            "string",
            lambda row: local_time(row.ends_at),
            format="date-time",
            nullable=True,
        ),
        Prop(
            "status",
            "string",
            lambda row: row.status,
            "A moved date has another time than its rule gives; a cancelled one does not "
            "take place.",
            enum=("scheduled", "moved", "cancelled"),
        ),
    ),
)


def _public_getter(name: str) -> Callable[[Record], str | None]:
    return lambda record: _public(record.view, name)


def _personal_props() -> tuple[Prop, ...]:
    """The personal fields that can be public, from their column declarations; a field
    declared never public (the contact e-mail) has no property at all."""
    return tuple(
        Prop(
            declared.name,
            "string",
            _public_getter(declared.name),
            f"The {declared.register_label}, only when its owner made it public; else null.",
            nullable=True,
        )
        for declared in personal_fields(Item)
        if not declared.never_public
    )


def _common() -> tuple[Prop, ...]:
    return (
        Prop("id", "integer", lambda r: r.view.id, format="int32"),
        Prop("title", "string", lambda r: r.view.title),
        Prop(
            "description_html",
            "string",
            lambda r: str(r.view.description),
            "Sanitised HTML: paragraphs, lists, emphasis and links.",
        ),
        Prop(
            "description_text",
            "string",
            lambda r: html.unescape(plain_text(str(r.view.description))),
        ),
        Prop("neighbourhood", "object", lambda r: r.place, shape=NEIGHBOURHOOD_REF),
        Prop("municipality", "object", lambda r: r.place.municipality, shape=MUNICIPALITY_REF),
        Prop(
            "picture_url",
            "string",
            lambda r: picture(r.view),
            "A picture (WebP, metadata stripped), or null.",
            format="uri",
            nullable=True,
        ),
        Prop("url", "string", lambda r: page_url(r.view), "Its page.", format="uri"),
        Prop(
            "api_url", "string", lambda r: api_url(r.view), "This object in the API.", format="uri"
        ),
        Prop("created_at", "string", lambda r: stamp(r.view.created_at), format="date-time"),
        Prop(
            "updated_at",
            "string",
            lambda r: stamp(r.view.updated_at),
            format="date-time",
            nullable=True,
        ),
    )


def _organisation_ref(record: Record) -> ItemView | None:
    return record.view if record.view.organisation_id else None


ON_BEHALF = Prop("organisation", "object", _organisation_ref, shape=ORGANISATION_REF, nullable=True)

ACTIVITY = Shape(
    "Activity",
    "An activity, with its dates not yet over (up to ten).",
    (
        *_common(),
        Prop(
            "categories",
            "array",
            lambda r: list(r.view.categories),
            items={"type": "string", "enum": list(CATEGORIES)},
        ),
        Prop(
            "location_name",
            "string",
            lambda r: r.view.location_name or None,
            "The venue.",
            nullable=True,
        ),
        *_personal_props(),
        ON_BEHALF,
        Prop(
            "starts_at",
            "string",
            lambda r: local_time(r.view.starts_at),
            "The first date (Europe/Amsterdam).",
            format="date-time",
        ),
        Prop(
            "ends_at",
            "string",
            lambda r: local_time(r.view.ends_at),
            format="date-time",
            nullable=True,
        ),
        Prop(
            "rrule",
            "string",
            lambda r: r.view.rrule,
            "A series' RFC 5545 rule, or null.",
            nullable=True,
        ),
        Prop(
            "signups",
            "boolean",
            lambda r: r.view.signups_enabled,
            "Whether it takes sign-ups on its page.",
        ),
        Prop(
            "ical_url",
            "string",
            lambda r: _url("discover.activity_calendar", item_id=r.view.id),
            format="uri",
        ),
        Prop("occurrences", "array", lambda r: list(r.dates), shape=OCCURRENCE),
    ),
)

ORGANISATION = Shape(
    "Organisation",
    "An organisation or initiative in a neighbourhood.",
    (
        *_common(),
        Prop("website", "string", lambda r: r.view.website or None, nullable=True),
        *_personal_props(),
        Prop(
            "activities_url",
            "string",
            lambda r: _url("api.activities", organisation=r.view.id),
            format="uri",
        ),
    ),
)

OFFER = Shape(
    "Offer",
    "An offer or a request on a neighbourhood's board (vraag en aanbod).",
    (
        *_common(),
        Prop(
            "kind", "string", lambda r: r.view.offer_kind, enum=("offer", "request"), nullable=True
        ),
        Prop(
            "expires_on",
            "string",
            lambda r: day(r.view.expires_on),
            "Shown until this day.",
            format="date",
            nullable=True,
        ),
        *_personal_props(),
        ON_BEHALF,
    ),
)

NEWS = Shape(
    "News",
    "News a neighbourhood's managers posted.",
    _common(),
)
