"""The public city page (/gemeente/<slug>): the agenda of all its neighbourhoods with
filters that work without script, its neighbourhoods, city news, and the city
newsletter's opt-in and archive. The city's search and feeds live in discover."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from wijk import pagecache
from wijk.cities import bp, services
from wijk.content.categories import valid as valid_category
from wijk.extensions import db, limiter
from wijk.models import CityNews, Municipality, Newsletter
from wijk.models.base import utcnow
from wijk.neighbourhoods.services import upcoming_in_city
from wijk.newsletters import optin, subscriptions
from wijk.newsletters import services as letters
from wijk.newsletters.forms import EmailSubscribeForm
from wijk.newsletters.places import Place, archive_url
from wijk.security.permissions import can_act_for_city
from wijk.visibility import item_views, on_dates


def city_or_404(city_slug: str) -> Municipality:
    city = Municipality.by_slug(city_slug)
    if city is None:
        abort(404)
    pagecache.shows(municipality=city)  # cached city pages follow the city's changes
    return city


def _shown(value: str) -> str:
    """A visitor's value, short and printable, for an error message."""
    return "".join(c for c in value if c.isprintable())[:40]


@bp.app_template_global()
def place_url(place: Place) -> str:
    """The public page of a neighbourhood or a city."""
    if isinstance(place, Municipality):
        return url_for("cities.city", city_slug=place.slug)
    return url_for("neighbourhoods.neighbourhood", slug=place.slug)


@bp.app_template_global()
def newsletter_archive_url(place: Place, newsletter_id: int | None = None) -> str:
    return archive_url(place, newsletter_id)


@bp.app_template_global()
def newsletter_subscribe_url(place: Place) -> str:
    if isinstance(place, Municipality):
        return url_for("cities.subscribe", city_slug=place.slug)
    return url_for("newsletters.subscribe_email", slug=place.slug)


@bp.get("/gemeente/<city_slug>")
def city(city_slug: str):
    city = city_or_404(city_slug)
    # The city's neighbourhoods first (the filter lists them): each card's neighbourhood
    # then comes from the session's identity map instead of a query per neighbourhood.
    assert city.neighbourhoods is not None
    args = request.args
    problems: list[str] = []
    wijk = args.get("wijk", "")
    neighbourhood = services.neighbourhood_in(city, wijk)
    if wijk and neighbourhood is None:
        problems.append(
            _(
                "“%(value)s” is not a neighbourhood of %(city)s. Choose one from the list.",
                value=_shown(wijk),
                city=city.name,
            )
        )
    wanted = args.get("categorie", "")
    category = valid_category(wanted)
    if wanted and category is None:
        problems.append(
            _("“%(value)s” is not a category. Choose one from the list.", value=_shown(wanted))
        )
    page = upcoming_in_city(
        city,
        after=args.get("na"),
        limit=current_app.config["PAGE_SIZE"],
        category=category,
        neighbourhood=neighbourhood,
    )
    return render_template(
        "cities/city.html",
        city=city,
        activities=on_dates(
            item_views(page.items, current_user, categories=page.categories), page.dates
        ),
        next_cursor=page.next_cursor,
        paged=bool(args.get("na")),
        chosen=neighbourhood,
        category=category,
        problems=problems,
        news=services.latest_news(city),
        may_act=can_act_for_city(current_user, city),
        show_place=True,  # each card names its neighbourhood
    ), 400 if problems else 200


# --- city news ------------------------------------------------------------------------------


def _city_news(city: Municipality, news_id: int) -> CityNews:
    news = db.session.get(CityNews, news_id)
    if news is None or news.municipality_id != city.id:
        abort(404)
    return news


@bp.get("/gemeente/<city_slug>/nieuws")
def news_archive(city_slug: str):
    city = city_or_404(city_slug)
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    rows, has_more = services.news_archive(city, min(page, 1000))
    return render_template(
        "cities/news_archive.html", city=city, items=rows, page=page, has_more=has_more
    )


@bp.get("/gemeente/<city_slug>/nieuws/<int:news_id>")
def news_page(city_slug: str, news_id: int):
    city = city_or_404(city_slug)
    news = _city_news(city, news_id)
    return render_template(
        "cities/news.html",
        city=city,
        news=news,
        body=Markup(news.body_html),  # noqa: S704 (sanitised on save)
        may_act=can_act_for_city(current_user, city),
    )


# --- the city newsletter: opt-in and archive ------------------------------------------------


@bp.post("/gemeente/<city_slug>/nieuwsbrief")
@limiter.limit("10/hour")
def subscribe(city_slug: str):
    """An account opts in at once; an address alone gets a confirmation mail first."""
    city = city_or_404(city_slug)
    if current_user.is_authenticated and current_user.email_verified_at is not None:
        subscriptions.subscribe_to(current_user, city, "city")
        db.session.commit()
        flash(_("You will receive the city newsletter of %(name)s.", name=city.name), "success")
        return redirect(url_for(".city", city_slug=city.slug))
    form = EmailSubscribeForm()
    if not form.validate_on_submit():
        return render_template("newsletters/optin.html", place=city, form=form), 400
    optin.request_subscription(city, form.email.data or "", str(get_locale() or ""), utcnow())
    return render_template(
        "newsletters/optin_sent.html", place=city, days=optin.CONFIRM_WITHIN.days
    )


@bp.get("/gemeente/<city_slug>/nieuwsbrieven")
def newsletter_archive(city_slug: str):
    city = city_or_404(city_slug)
    return render_template(
        "newsletters/archive.html", place=city, newsletters=letters.sent_newsletters(city)
    )


@bp.get("/gemeente/<city_slug>/nieuwsbrieven/<int:newsletter_id>")
def newsletter_archived(city_slug: str, newsletter_id: int):
    city = city_or_404(city_slug)
    newsletter = db.session.get(Newsletter, newsletter_id)
    if newsletter is None or newsletter.municipality_id != city.id or newsletter.sent_at is None:
        abort(404)
    return render_template(
        "newsletters/archived.html",
        place=city,
        newsletter=newsletter,
        body=Markup(newsletter.body_html),  # noqa: S704 (sanitised on save)
    )
