"""/transparantie: the monthly transparency report, per municipality, for everyone."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import format_timedelta

from wijk.clock import local_now
from wijk.models import Municipality
from wijk.statistics.figures import minimum_count
from wijk.transparency import bp, services


@bp.get("/transparantie")
def index():
    return render_template(
        "transparency/index.html",
        cities=Municipality.ordered(),
        months=services.report_months(local_now().date()),
    )


@bp.get("/transparantie/<city_slug>/<month>")
def report(city_slug: str, month: str):
    city = Municipality.by_slug(city_slug)
    today = local_now().date()
    chosen = services.parse_month(month, today)
    if city is None or chosen is None:
        abort(404)
    minimum = minimum_count()
    return render_template(
        "transparency/report.html",
        report=services.month_report(city, chosen, today, minimum),
        minimum=minimum,
        duration=lambda span: format_timedelta(span, threshold=1.5),
    )
