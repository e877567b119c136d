"""The monthly transparency report: generated from reports, moderation steps, privacy
requests, breaches and the purge's own record of what each rule erased."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from wijk import audit
from wijk.clock import local_day_start, local_now
from wijk.extensions import db
from wijk.models import Breach, PrivacyRequest, PurgeCount, PurgeRun, Report
from wijk.privacy.retention import purge
from wijk.statistics.figures import next_month
from wijk.transparency.services import month_report, parse_month


def _this_month() -> date:
    return local_now().date().replace(day=1)


def test_every_purge_run_records_what_each_rule_erased(app, make_user):
    old = make_user(verified=False)
    old.created_at = local_day_start(_this_month()) - timedelta(days=30)
    db.session.commit()
    counts = purge(dry_run=True)
    assert counts["unverified_account"] == 1
    assert db.session.scalar(select(PurgeRun.id)) is None  # a dry run records nothing
    purge()
    run = db.session.scalar(select(PurgeRun))
    assert {c.rule: c.erased for c in run.counts} == {"unverified_account": 1}
    purge()
    assert len(list(db.session.scalars(select(PurgeRun)))) == 2
    assert len(list(db.session.scalars(select(PurgeCount)))) == 1  # nothing new erased


def test_the_report_counts_a_city_and_hides_small_figures(
    app, client, make_user, make_item, make_neighbourhood
):
    app.config["STATS_MIN_COUNT"] = 3
    place = make_neighbourhood("Zuilen")
    elsewhere = make_neighbourhood("Elders")
    elsewhere.city = "Amersfoort"
    item = make_item("activity", neighbourhood=place)
    other = make_item("activity", neighbourhood=elsewhere)
    start = local_day_start(_this_month()) + timedelta(hours=1)
    for n, hours in enumerate((2, 4, 6)):
        db.session.add(
            Report(
                item_id=item.id,
                reason=f"Melding {n}",
                created_at=start,
                resolved_at=start + timedelta(hours=hours),
            )
        )
    db.session.add(Report(item_id=other.id, reason="Elders", created_at=start))
    manager = make_user()
    audit.record(manager, "item.hidden", item=item, neighbourhood=item.neighbourhood_id)
    audit.record(manager, "item.restored", item=item, neighbourhood=item.neighbourhood_id)
    db.session.add(
        PrivacyRequest(
            kind="question",
            email="vraag@example.org",
            message="Vraag",
            created_at=start,
            due_at=start + timedelta(days=28),
            answered_at=start + timedelta(days=2),
        )
    )
    db.session.add(Breach(description="Lek", data_categories="e-mail", authority_deadline=start))
    db.session.add(PurgeRun(ran_at=start, counts=[PurgeCount(rule="outbox_body", erased=40)]))
    db.session.commit()

    report = month_report(place.municipality, _this_month(), local_now().date(), 3)
    assert report.reports_received.value == 3  # Amersfoort's report is not Utrecht's
    assert report.reports_handled.value == 3
    assert report.median_response == timedelta(hours=4)
    assert report.items_hidden.hidden and report.items_restored.hidden  # 1 < 3
    assert report.privacy_in_time.hidden and report.breaches == 1
    erased = {e.rule: e.rows for e in report.erased}
    assert erased["outbox_body"].value == 40 and erased["deleted_account"].hidden

    url = f"/transparantie/{place.municipality.slug}/{_this_month():%Y-%m}?lang=en"
    html = client.get(url).get_data(as_text=True)
    assert "<td>40</td>" in html and "<td>fewer than 3</td>" in html
    assert "Melding" not in html and "vraag@example.org" not in html
    index = client.get("/transparantie").get_data(as_text=True)
    assert f"/transparantie/{place.municipality.slug}/{_this_month():%Y-%m}" in index


def test_the_median_is_withheld_below_the_minimum(app, make_item):
    item = make_item("activity")
    start = local_day_start(_this_month()) + timedelta(hours=1)
    db.session.add(
        Report(item_id=item.id, reason="x", created_at=start, resolved_at=start + timedelta(1))
    )
    db.session.commit()
    city = item.neighbourhood.municipality
    report = month_report(city, _this_month(), local_now().date(), 10)
    assert report.median_response is None and report.reports_handled.hidden


def test_months_that_do_not_exist_are_not_found(client, make_neighbourhood):
    slug = make_neighbourhood().municipality.slug
    today = local_now().date()
    assert parse_month("2026-13", today) is None
    assert parse_month(f"{next_month(_this_month()):%Y-%m}", today) is None
    for month in ("2026-13", "abcd-ef", "99999-01", "2026-1", "0000-01"):
        assert client.get(f"/transparantie/{slug}/{month}").status_code == 404
    assert client.get(f"/transparantie/geen-stad/{_this_month():%Y-%m}").status_code == 404
