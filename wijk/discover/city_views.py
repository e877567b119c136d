"""The city's search, iCal and Atom (issue 14): the neighbourhood versions of these, for
every neighbourhood of one municipality. Built from the same gate and feed code, so a
city feed holds exactly what the neighbourhood feeds hold."""

from __future__ import annotations

from flask import abort, url_for
from flask_babel import gettext as _

from wijk import pagecache
from wijk.cards import kind_label
from wijk.discover import bp, feeds
from wijk.discover.views import _feed, _search, public_url
from wijk.extensions import limiter
from wijk.models import Municipality


def _city(city_slug: str) -> Municipality:
    city = Municipality.by_slug(city_slug)
    if city is None:
        abort(404)
    pagecache.shows(municipality=city)
    return city


@bp.get("/gemeente/<city_slug>/zoeken")
@limiter.limit("60/minute")
def search_city(city_slug: str):
    """Search within the neighbourhoods of one city."""
    return _search(None, city=_city(city_slug))


@bp.get("/gemeente/<city_slug>/agenda.ics")
def city_calendar(city_slug: str):
    """A calendar to subscribe to: the upcoming activities of every neighbourhood."""
    city = _city(city_slug)
    views = feeds.upcoming_for_calendar(city)
    body = feeds.calendar(
        views, name=f"{city.name} · Wijk", link=public_url, changed=feeds.changed_dates(views)
    )
    return _feed(body, "text/calendar")


@bp.get("/gemeente/<city_slug>/feed.atom")
def city_atom(city_slug: str):
    city = _city(city_slug)
    body = feeds.atom(
        feeds.newest_for_feed(city),
        title=_("New in %(name)s", name=city.name) + " · Wijk",
        self_url=url_for(".city_atom", city_slug=city.slug, _external=True),
        page_url=url_for("cities.city", city_slug=city.slug, _external=True),
        link=public_url,
        kind_label=kind_label,
    )
    return _feed(body, "application/atom+xml")
