"""Finding things: search, calendar and Atom feeds, the sitemap, neighbourhood news and
the extend link of offers. Every public output is built from the visibility gate."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context

from wijk import pagecache
from wijk.cards import kind_label
from wijk.clock import local_now
from wijk.content import categories, expiry
from wijk.content import services as content_services
from wijk.discover import bp, feeds, news, organisation
from wijk.discover.forms import NewsForm
from wijk.discover.listing import at_next_date, on_next_dates
from wijk.discover.search import (
    MAX_TERMS,
    WORD,
    SearchError,
    neighbourhood_options,
    search,
    terms,
)
from wijk.extensions import db, limiter
from wijk.languages import catalogue_of
from wijk.models import ActivityOccurrence, Item, ItemKind, Municipality, Neighbourhood, NewsItem
from wijk.sanitize import editable_text
from wijk.security.decorators import manager_required
from wijk.security.permissions import can_moderate, require
from wijk.signups import services as signup_services
from wijk.visibility import ItemView, item_view, item_views

SEARCH_PAGE, SEARCH_MAX_PAGES = 20, 50
# Shared caches keep a feed at most this long, so a field its owner hides again is gone
# from them within a minute; the ETag lets readers poll cheaply (304).
FEED_MAX_AGE = 30


def _place(slug: str) -> Neighbourhood:
    place = Neighbourhood.by_slug(slug)
    if place is None:
        abort(404)
    return place


def public_url(view: ItemView) -> str:
    """Absolute URL of an item's public page, for feeds and mail."""
    if view.kind == ItemKind.NEWS:
        return url_for("discover.news_page", item_id=view.id, _external=True)
    return url_for(
        "content.show",
        kind_slug=content_services.KIND_SLUGS[view.kind],
        item_id=view.id,
        _external=True,
    )


@bp.app_template_global()
@pass_context
def category_label(context: Context, code: str) -> str:
    return categories.label(code, catalogue_of(context))


@bp.app_template_global()
@pass_context
def category_choices(context: Context) -> list[tuple[str, str]]:
    return categories.choices(catalogue_of(context))


@bp.app_template_global()
def organisation_agenda(view: ItemView) -> organisation.Agenda:
    """The upcoming activities and open offers an organisation page lists."""
    now = local_now()
    activities = at_next_date(
        item_views(
            organisation.upcoming_of(view.id, now, limit=organisation.AGENDA_SHOWN), current_user
        ),
        now,
    )
    return organisation.Agenda(
        sorted(activities, key=lambda v: (v.starts_at, v.id)),
        item_views(
            organisation.open_offers_of(view.id, now, limit=organisation.AGENDA_SHOWN), current_user
        ),
    )


@bp.app_template_global()
def may_post_news(place: Neighbourhood) -> bool:
    return can_moderate(current_user, place)


# --- search -------------------------------------------------------------------------


@bp.get("/zoeken")
@limiter.limit("60/minute")
def search_all():
    slug = request.args.get("wijk")
    return _search(Neighbourhood.by_slug(slug) if slug else None)


@bp.get("/wijk/<slug>/zoeken")
@limiter.limit("60/minute")
def search_neighbourhood(slug: str):
    place = _place(slug)
    pagecache.shows(neighbourhood=place)
    return _search(place, fixed=True)


def _search(place: Neighbourhood | None, *, fixed: bool = False, city: Municipality | None = None):
    """Search with filters; empty or odd input gets an explanation, never an error page.
    With `city`, only that city's neighbourhoods are searched and offered as a filter."""
    args = request.args
    if city is not None:
        place = Neighbourhood.by_slug(args.get("wijk") or "")
        if place is not None and place.municipality_id != city.id:
            place = None
    query = args.get("q", "")[:200]
    kind = content_services.SLUG_KINDS.get(args.get("soort", ""))
    category = categories.valid(args.get("categorie"))
    problems: list[str] = []
    date_from, date_to = _date(args.get("van"), problems), _date(args.get("tot"), problems)
    if date_from and date_to and date_to < date_from:
        problems.append(_("The end date lies before the start date."))
        date_from = date_to = None
    status = 400 if problems else 200  # a date that is not one is the visitor's mistake
    page = _page(args.get("pagina"))
    words = terms(query)
    views, has_more = [], False
    if words:
        try:
            results = search(
                query,
                neighbourhood=place,
                municipality=city,
                kind=kind,
                category=category,
                date_from=date_from,
                date_to=date_to,
                limit=SEARCH_PAGE,
                offset=(page - 1) * SEARCH_PAGE,
            )
        except SearchError:
            problems.append(_("This search did not work. Try other or fewer words."))
        else:
            views = on_next_dates(
                item_views(results.items, current_user, categories=results.categories),
                results.next_dates,
            )
            has_more = results.has_more and page < SEARCH_MAX_PAGES
    filters = {
        "q": query,
        "soort": args.get("soort") if kind else None,
        "categorie": category,
        "van": args.get("van") if date_from else None,
        "tot": args.get("tot") if date_to else None,
        "wijk": place.slug if place and not fixed else None,
    }
    endpoint = "discover.search_neighbourhood" if fixed else "discover.search_all"
    # url_for's keyword-only options are typed; the link's values go in as one dict.
    values: dict[str, Any] = {"slug": place.slug} if fixed and place is not None else {}
    if city is not None:
        endpoint, values = "discover.search_city", {"city_slug": city.slug}
    values.update(filters)
    return render_template(
        "discover/search.html",
        place=place,
        fixed=fixed,
        show_place=not fixed,
        query=query,
        words=words,
        too_many=len(WORD.findall(query)) > MAX_TERMS,
        kind=kind,
        category=category,
        date_from=date_from,
        date_to=date_to,
        problems=problems,
        results=views,
        page=page,
        city=city,
        form_action=url_for(endpoint, **values),
        neighbourhood_options=""
        if fixed
        else neighbourhood_options(city, place.id if place else None),
        next_url=url_for(endpoint, **values, pagina=page + 1) if has_more else None,
        previous_url=url_for(endpoint, **values, pagina=page - 1) if page > 1 else None,
    ), status


def _date(value: str | None, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(
            _("“%(value)s” is not a date. Use a date like 2026-12-01.", value=value[:20])
        )
        return None


def _page(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), SEARCH_MAX_PAGES)
    except ValueError:
        return 1


# --- calendar and news feeds, sitemap -----------------------------------------------


def _feed(body: bytes, mimetype: str, filename: str | None = None) -> Response:
    """A feed with a short shared lifetime and an ETag of its body. No Last-Modified:
    hiding a field changes the feed without changing any item's stamp, while a hash of
    the body is exact."""
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    response.cache_control.must_revalidate = True
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.add_etag()
    response.make_conditional(request)  # in place; typed to return Werkzeug's Response
    return response


def activity_calendar_file(item: Item, occurrence: ActivityOccurrence | None = None) -> str:
    """One activity as an .ics file: what its public calendar link gives, and in the mails
    to its attendees. For one date of a series, that date alone, with its own UID."""
    view = item_view(item)
    if occurrence is None:
        return feeds.calendar(
            [view], name=view.title, link=public_url, changed=feeds.changed_dates([view])
        ).decode()
    import icalendar  # noqa: PLC0415 (3 MB, for the calendar requests only)

    one = replace(view, starts_at=occurrence.starts_at, ends_at=occurrence.ends_at, rrule=None)
    cal = icalendar.Calendar.from_ical(feeds.calendar([one], name=view.title, link=public_url))
    for event in cal.walk("VEVENT"):
        uid = str(event["UID"])
        event["UID"] = uid.replace("@", f"-{occurrence.starts_at:%Y%m%dT%H%M}@", 1)
    return cal.to_ical().decode()


@bp.record_once
def _provide_calendar_file(state) -> None:
    state.app.extensions[signup_services.CALENDAR_FILE] = activity_calendar_file


@bp.get("/activiteit/<int:item_id>/agenda.ics")
def activity_calendar(item_id: int):
    """One activity for a calendar program, with exactly what its public page shows."""
    item = db.session.get(Item, item_id)
    if item is None or item.kind != ItemKind.ACTIVITY or not item.is_published:
        abort(404)
    # The anonymous view, whoever asks: a file gets passed on.
    body = activity_calendar_file(item).encode()
    return _feed(body, "text/calendar", f"activiteit-{item.id}.ics")


@bp.get("/wijk/<slug>/agenda.ics")
def neighbourhood_calendar(slug: str):
    """A calendar to subscribe to: the upcoming activities of a neighbourhood."""
    place = _place(slug)
    views = feeds.upcoming_for_calendar(place)
    body = feeds.calendar(
        views, name=f"{place.name} · Wijk", link=public_url, changed=feeds.changed_dates(views)
    )
    return _feed(body, "text/calendar")


@bp.get("/wijk/<slug>/feed.atom")
def neighbourhood_atom(slug: str):
    place = _place(slug)
    body = feeds.atom(
        feeds.newest_for_feed(place),
        title=_("New in %(name)s", name=place.name) + " · Wijk",
        self_url=url_for(".neighbourhood_atom", slug=slug, _external=True),
        page_url=url_for("neighbourhoods.neighbourhood", slug=slug, _external=True),
        link=public_url,
        kind_label=kind_label,
    )
    return _feed(body, "application/atom+xml")


def _organisation(item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None or item.kind != ItemKind.ORGANISATION or not item.is_published:
        abort(404)
    return item


@bp.get("/organisatie/<int:item_id>/agenda.ics")
def organisation_calendar(item_id: int):
    """A calendar to subscribe to: the upcoming activities of one organisation."""
    owner = _organisation(item_id)
    views = item_views(organisation.upcoming_of(owner.id, local_now(), limit=feeds.CALENDAR_SIZE))
    body = feeds.calendar(
        views, name=f"{owner.title} · Wijk", link=public_url, changed=feeds.changed_dates(views)
    )
    return _feed(body, "text/calendar")


@bp.get("/organisatie/<int:item_id>/atom.xml")
def organisation_atom(item_id: int):
    owner = _organisation(item_id)
    now = local_now()
    body = feeds.atom(
        at_next_date(item_views(organisation.newest_of(owner.id, now, limit=feeds.FEED_SIZE)), now),
        title=_("New from %(name)s", name=owner.title) + " · Wijk",
        self_url=url_for(".organisation_atom", item_id=owner.id, _external=True),
        page_url=url_for("content.show", kind_slug="organisatie", item_id=owner.id, _external=True),
        link=public_url,
        kind_label=kind_label,
    )
    return _feed(body, "application/atom+xml")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Public pages only: home, neighbourhoods, cities and current published items and
    news."""
    urls: list[tuple[str, date | None]] = [(url_for("neighbourhoods.home", _external=True), None)]
    urls += [
        (url_for("neighbourhoods.neighbourhood", slug=place.slug, _external=True), None)
        for place in Neighbourhood.ordered()
    ]
    urls += [
        (url_for("cities.city", city_slug=city.slug, _external=True), None)
        for city in Municipality.ordered()
    ]
    for item_id, kind, updated_at in feeds.sitemap_rows(local_now()):
        if kind == ItemKind.NEWS:
            location = url_for(".news_page", item_id=item_id, _external=True)
        else:
            location = url_for(
                "content.show",
                kind_slug=content_services.KIND_SLUGS[kind],
                item_id=item_id,
                _external=True,
            )
        urls.append((location, updated_at.date() if updated_at else None))
    return _feed(feeds.sitemap(urls[: feeds.SITEMAP_SIZE]), "application/xml")


@bp.get("/robots.txt")
def robots():
    body = (
        "User-agent: *\nDisallow: /zoeken\nDisallow: /wijk/*/zoeken\n"
        "Disallow: /gemeente/*/zoeken\nDisallow: /gemeente/*/beheer\n"
        f"Sitemap: {url_for('.sitemap', _external=True)}\n"
    )
    return _feed(body.encode(), "text/plain")


# --- news ---------------------------------------------------------------------------


def _news(item_id: int) -> NewsItem:
    """A news item; unpublished news only for the managers of its neighbourhood."""
    item = db.session.get(Item, item_id)
    if not isinstance(item, NewsItem):
        abort(404)
    if not item.is_published and not can_moderate(current_user, item.neighbourhood_id):
        abort(404)
    return item


@bp.get("/nieuws/<int:item_id>")
def news_page(item_id: int):
    item = _news(item_id)
    pagecache.shows(neighbourhood_id=item.neighbourhood_id)
    return render_template(
        "discover/news.html",
        news=item_view(item, current_user),
        may_manage=can_moderate(current_user, item.neighbourhood_id),
    )


@bp.get("/wijk/<slug>/nieuws")
def news_archive(slug: str):
    place = _place(slug)
    pagecache.shows(neighbourhood=place)
    page = _page(request.args.get("pagina"))
    rows, has_more = news.archive(place, page)
    return render_template(
        "discover/news_archive.html",
        place=place,
        items=item_views(rows, current_user),
        page=page,
        has_more=has_more,
    )


@bp.route("/wijk/<slug>/nieuws/nieuw", methods=["GET", "POST"])
@manager_required
def post_news(slug: str):
    place = _place(slug)
    require(can_moderate(current_user, place))
    form = NewsForm()
    if form.validate_on_submit():
        item = news.post(place, current_user, form.title.data or "", form.body.data or "")
        flash(_("The news is on the neighbourhood page."), "success")
        return redirect(url_for(".news_page", item_id=item.id))
    status = 400 if form.errors else 200
    return render_template("discover/news_form.html", form=form, place=place, news=None), status


@bp.route("/nieuws/<int:item_id>/bewerken", methods=["GET", "POST"])
@manager_required
def edit_news(item_id: int):
    item = _news(item_id)
    require(can_moderate(current_user, item.neighbourhood_id))
    form = NewsForm(obj=item)
    if request.method == "GET":
        form.body.data = editable_text(item.description)
    if form.validate_on_submit():
        news.edit(item, form.title.data or "", form.body.data or "")
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for(".news_page", item_id=item.id))
    status = 400 if form.errors else 200
    return render_template(
        "discover/news_form.html",
        form=form,
        place=item.neighbourhood,
        news=item_view(item, current_user),
    ), status


@bp.post("/nieuws/<int:item_id>/verwijderen")
@manager_required
def delete_news(item_id: int):
    item = _news(item_id)
    require(can_moderate(current_user, item.neighbourhood_id))
    slug = item.neighbourhood.slug
    news.remove(item)
    flash(_("Deleted."), "success")
    return redirect(url_for("neighbourhoods.neighbourhood", slug=slug))


# --- offers: the extend link of the expiry reminder ---------------------------------


@bp.route("/vraag-aanbod/verlengen/<token>", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
def extend_offer(token: str):
    """GET shows what will happen, POST does it: mail scanners that open links must not
    extend anything. The token allows one extension, without logging in."""
    offer = expiry.offer_from_token(token)
    if offer is None or not offer.is_published:
        return render_template("discover/extend_failed.html"), 404
    today = local_now().date()
    if request.method == "POST":
        until = expiry.extend(offer, today)
        return render_template("discover/extended.html", title=offer.title, until=until)
    return render_template(
        "discover/extend.html",
        title=offer.title,
        current=offer.expires_on,
        until=expiry.new_expiry(offer, today),
    )
