from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wijk import pagecache
from wijk.content.categories import valid as valid_category
from wijk.extensions import db
from wijk.models import Municipality
from wijk.neighbourhoods import bp, services
from wijk.security.redirects import safe_next
from wijk.visibility import item_views, on_dates


@bp.get("/")
def home():
    pagecache.shows(places=True)
    return render_template("neighbourhoods/home.html", cities=_cities())


def _cities() -> list[Municipality]:
    """The home page's groups: every municipality that has a neighbourhood, by name."""
    query = (
        select(Municipality)
        .options(selectinload(Municipality.neighbourhoods))
        .order_by(Municipality.name)
    )
    return [city for city in db.session.scalars(query) if city.neighbourhoods]


@bp.get("/postcode")
def postcode():
    """Lead a visitor from their postcode to their neighbourhood."""
    entered = request.args.get("postcode", "")
    code = services.parse_postcode(entered)
    cities = _cities()
    if code is None:
        error = _("Enter a Dutch postcode, for example 1234 or 1234 AB.")
        return render_template(
            "neighbourhoods/home.html",
            cities=cities,
            postcode=entered,
            postcode_error=error,
        ), 400
    matches = services.find_by_postcode(code)
    if len(matches) == 1:
        return redirect(url_for(".neighbourhood", slug=matches[0].slug))
    if not matches:
        error = _("No neighbourhood on Wijk covers postcode %(code)s yet.", code=code)
        return render_template(
            "neighbourhoods/home.html",
            cities=cities,
            postcode=entered,
            postcode_error=error,
            uncovered=code,
        ), 404
    return render_template("neighbourhoods/choose.html", matches=matches, code=code)


@bp.get("/wijk/<slug>")
def neighbourhood(slug: str):
    place, city_news = services.with_city_news(slug)
    if place is None:
        abort(404)
    pagecache.shows(neighbourhood=place, city_news_of=place.municipality_id)
    category = valid_category(request.args.get("categorie"))
    page = services.upcoming_activities(
        place,
        after=request.args.get("na"),
        limit=current_app.config["PAGE_SIZE"],
        category=category,
    )
    viewer = current_user
    board = services.board(place)
    return render_template(
        "neighbourhoods/neighbourhood.html",
        place=place,
        activities=on_dates(item_views(page.items, viewer, categories=page.categories), page.dates),
        next_cursor=page.next_cursor,
        paged=bool(request.args.get("na")),
        category=category,
        organisations=item_views(board.organisations, viewer),
        offers=item_views(board.offers, viewer),
        news=item_views(board.news, viewer),
        city_news=city_news,
    )


@bp.post("/taal")
def language():
    """Switch the interface language; kept in the session cookie, no extra cookie."""
    choice = request.form.get("lang", "")
    if choice in current_app.config["LANGUAGES"]:
        session["lang"] = choice
        if current_user.is_authenticated:
            current_user.locale = choice
            db.session.commit()
    else:
        flash(_("That language is not available."), "error")
    return redirect(_without_lang(safe_next(request.form.get("next"))) or url_for(".home"))


def _without_lang(target: str | None) -> str | None:
    """The page the switch was used on, without a `?lang=` that would outvote the choice."""
    if target is None:
        return None
    parts = urlsplit(target)
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    )
    return urlunsplit(parts._replace(query=query))
