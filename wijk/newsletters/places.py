"""A newsletter belongs to a place: a neighbourhood, or (issue 14) a whole municipality.
These helpers let one set of services serve both."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import ColumnElement

from wijk.extensions import db
from wijk.models import Municipality, Neighbourhood, Newsletter, NewsletterSubscription

Place = Neighbourhood | Municipality


def of_place(model: type[Newsletter] | type[NewsletterSubscription], place: Place) -> ColumnElement:
    """The condition "belongs to this neighbourhood" or "belongs to this city"."""
    if isinstance(place, Municipality):
        return model.municipality_id == place.id
    return model.neighbourhood_id == place.id


def place_ids(place: Place) -> dict[str, int]:
    """The column values that make a row belong to the place."""
    key = "municipality_id" if isinstance(place, Municipality) else "neighbourhood_id"
    return {key: place.id}


def place_of(neighbourhood_id: int | None, municipality_id: int | None) -> Place | None:
    """The neighbourhood or city of a pair of ids (one of them set)."""
    if neighbourhood_id is not None:
        return db.session.get(Neighbourhood, neighbourhood_id)
    if municipality_id is not None:
        return db.session.get(Municipality, municipality_id)
    return None


def archive_url(place: Place, newsletter_id: int | None = None, *, external: bool = False) -> str:
    """The public archive of a place's newsletters, or one newsletter in it."""
    city = isinstance(place, Municipality)
    if newsletter_id is None:
        if city:
            return url_for("cities.newsletter_archive", city_slug=place.slug, _external=external)
        return url_for("newsletters.archive", slug=place.slug, _external=external)
    if city:
        return url_for(
            "cities.newsletter_archived",
            city_slug=place.slug,
            newsletter_id=newsletter_id,
            _external=external,
        )
    return url_for(
        "newsletters.archived", slug=place.slug, newsletter_id=newsletter_id, _external=external
    )
