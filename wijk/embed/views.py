"""/embed/wijk/<slug> and /embed/gemeente/<slug>: a compact agenda without script, with
our own stylesheet, whose links open in the top window. Only these pages may be framed,
and only by the origins the deployment lists in EMBED_FRAME_ANCESTORS; without any, they
answer with frame-ancestors 'none' like every other page (docs/deploy.md)."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for

from wijk.api.schema import is_slug
from wijk.content.categories import valid as valid_category
from wijk.embed import bp
from wijk.models import Municipality, Neighbourhood
from wijk.neighbourhoods.services import Page, upcoming_activities, upcoming_in_city
from wijk.security import allow_framing
from wijk.visibility import item_views, on_dates

EMBED_SIZE = 10
CITY_PAGE_RULE = "/gemeente/<slug>"


def _agenda(page: Page):
    """Dates for an anonymous visitor, whoever's browser frames the page."""
    return on_dates(item_views(page.items, None, categories=page.categories), page.dates)


def _render(template_values: dict):
    allow_framing(current_app.config["EMBED_FRAME_ANCESTORS"])
    return render_template("embed/agenda.html", **template_values)


@bp.get("/embed/wijk/<slug>")
def neighbourhood(slug: str):
    place = Neighbourhood.by_slug(slug) if is_slug(slug) else None
    if place is None:
        abort(404)
    category = valid_category(request.args.get("categorie"))
    page = upcoming_activities(place, after=None, limit=EMBED_SIZE, category=category)
    return _render(
        {
            "heading": place.name,
            "kicker": place.city,
            "dates": _agenda(page),
            "more": bool(page.next_cursor),
            "full_url": url_for(
                "neighbourhoods.neighbourhood", slug=place.slug, categorie=category, _external=True
            ),
            "show_place": False,
        }
    )


@bp.get("/embed/gemeente/<slug>")
def city(slug: str):
    municipality = Municipality.by_slug(slug) if is_slug(slug) else None
    if municipality is None:
        abort(404)
    category = valid_category(request.args.get("categorie"))
    chosen = request.args.get("wijk", "")
    place = Neighbourhood.by_slug(chosen) if is_slug(chosen) else None
    if place is not None and place.municipality_id != municipality.id:
        place = None
    page = upcoming_in_city(
        municipality, after=None, limit=EMBED_SIZE, category=category, neighbourhood=place
    )
    return _render(
        {
            "heading": place.name if place else municipality.name,
            "kicker": municipality.name if place else None,
            "dates": _agenda(page),
            "more": bool(page.next_cursor),
            "full_url": city_page_url(municipality),
            "show_place": place is None,
        }
    )


def city_page_url(municipality: Municipality) -> str:
    """The city page (/gemeente/<slug>, the cities feature), or the home page that lists
    every neighbourhood while no such page is routed."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == CITY_PAGE_RULE:
            return url_for(rule.endpoint, slug=municipality.slug, _external=True)
    return url_for("neighbourhoods.home", _external=True)
