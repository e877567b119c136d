"""/statistieken: page views and content per municipality and neighbourhood, public;
the CSV per municipality for its staff and admins."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wijk.clock import local_now
from wijk.content.services import KIND_SLUGS
from wijk.models import Municipality, Neighbourhood
from wijk.security.permissions import can_act_for_city, has_mfa, require
from wijk.statistics import bp, counting, services
from wijk.statistics.figures import last_months, minimum_count


def _city(slug: str) -> Municipality:
    city = Municipality.by_slug(slug)
    if city is None:
        abort(404)
    return city


@bp.get("/statistieken")
def overview():
    counting.flush()
    minimum = minimum_count()
    months, cities = services.overview(local_now().date(), minimum)
    return render_template(
        "statistics/overview.html", months=months, cities=cities, minimum=minimum
    )


@bp.get("/statistieken/gemeente/<city_slug>")
def city(city_slug: str):
    counting.flush()
    found = _city(city_slug)
    minimum = minimum_count()
    today = local_now().date()
    months = last_months(today, 12)
    recent = months[-3:]
    place_ids = [place.id for place in found.neighbourhoods]
    return render_template(
        "statistics/city.html",
        city=found,
        months=months,
        city_row=services.city_rows(found, months, minimum, with_places=False)[0],
        recent=recent,
        rows=services.city_rows(found, recent, minimum)[1:],
        top=services.top_items(place_ids, months[-1], minimum),
        top_month=months[-1],
        minimum=minimum,
        kind_slugs=KIND_SLUGS,
    )


@bp.get("/statistieken/wijk/<slug>")
def neighbourhood(slug: str):
    counting.flush()
    place = Neighbourhood.by_slug(slug)
    if place is None:
        abort(404)
    minimum = minimum_count()
    months = last_months(local_now().date(), 12)
    return render_template(
        "statistics/neighbourhood.html",
        place=place,
        months=months,
        row=services.neighbourhood_row(place, months, minimum),
        top=services.top_items([place.id], months[-1], minimum),
        top_month=months[-1],
        minimum=minimum,
        kind_slugs=KIND_SLUGS,
    )


@bp.get("/statistieken/gemeente/<city_slug>/csv")
def city_csv(city_slug: str):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    found = _city(city_slug)
    require(can_act_for_city(current_user, found))
    if not has_mfa(current_user):
        flash(_("Switch on two-step login first: staff of a municipality need it."), "info")
        return redirect(url_for("accounts.mfa_setup", next=request.full_path))
    counting.flush()
    body = services.city_csv(found, local_now().date(), minimum_count())
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="statistieken-{found.slug}.csv"',
            "Cache-Control": "no-store",
        },
    )
