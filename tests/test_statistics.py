"""Statistics without tracking: the counter table holds nothing about a visitor, a view
adds exactly one to each thing it shows, and a figure below the minimum is never shown
exactly, on the page or in the CSV."""

from __future__ import annotations

import re

import pytest
from manage_fixtures import login, switch_on_totp
from sqlalchemy import func, inspect, select

from wijk.clock import local_now
from wijk.extensions import db
from wijk.models import MunicipalityStaff, PageViewCount
from wijk.privacy.declarations import declarations
from wijk.statistics import counting

# Words that would mean the table can tell visitors apart or follow one.
TRACKING_WORDS = {
    "cookie", "ip", "addr", "address", "remote", "user", "account", "agent", "ua",
    "browser", "session", "visitor", "client", "referrer", "referer", "fingerprint",
    "device", "email", "token", "hash", "path", "url", "query", "time", "timestamp",
}  # fmt: skip


@pytest.fixture
def counted(app):
    app.config["STATS_FLUSH_SECONDS"] = 0  # write every view at once
    app.extensions["wijk_view_places"].clear()
    return app


def counters() -> dict[tuple[str, int], int]:
    rows = db.session.execute(
        select(PageViewCount.scope, PageViewCount.ref_id, func.sum(PageViewCount.views)).group_by(
            PageViewCount.scope, PageViewCount.ref_id
        )
    )
    return {(scope, ref_id): n for scope, ref_id, n in rows}


def test_the_statistics_store_has_no_tracking_column(app):
    model_columns = {c.name for c in PageViewCount.__table__.columns}
    built_columns = {c["name"] for c in inspect(db.engine).get_columns("page_view_count")}
    assert model_columns == built_columns == {"day", "scope", "ref_id", "views"}
    for name in built_columns:
        words = set(re.split(r"[_\W]+", name.lower()))
        assert not words & TRACKING_WORDS, f"page_view_count.{name} could track a visitor"
    assert "not_personal" in PageViewCount.__table__.info
    assert not any(d.table == "page_view_count" for d in declarations())


def test_the_check_would_catch_a_tracking_column():
    for name in ("ip_address", "user_id", "user_agent", "cookie", "session_hash"):
        assert set(re.split(r"[_\W]+", name)) & TRACKING_WORDS


def test_a_view_increments_exactly_one_counter_per_thing(counted, client, make_item):
    item = make_item("activity")
    place = item.neighbourhood
    city_id = place.municipality_id
    assert client.get(f"/activiteit/{item.id}").status_code == 200
    expected = {("item", item.id): 1, ("neighbourhood", place.id): 1, ("municipality", city_id): 1}
    assert counters() == expected
    assert client.get(f"/activiteit/{item.id}").status_code == 200  # from the page cache
    assert client.get(f"/wijk/{place.slug}").status_code == 200
    assert counters() == {
        ("item", item.id): 2,
        ("neighbourhood", place.id): 3,
        ("municipality", city_id): 3,
    }
    day = local_now().date()
    assert db.session.scalar(select(func.count()).select_from(PageViewCount)) == 3
    assert set(db.session.scalars(select(PageViewCount.day))) == {day}


def test_only_real_public_page_views_count(counted, client, auth, make_item, make_user):
    owner = make_user()
    hidden = make_item("activity", owner=owner, status="hidden")
    item = make_item("activity")
    client.get(f"/activiteit/{item.id}", headers={"User-Agent": "Googlebot/2.1"})
    client.get(f"/activiteit/{item.id}", headers={"User-Agent": ""})
    client.head(f"/activiteit/{item.id}")
    client.get("/activiteit/999999")
    client.get(f"/organisatie/{item.id}")  # wrong kind: 404
    client.get("/wijk/bestaat-niet")
    client.get("/statistieken")
    auth.login(owner)
    assert client.get(f"/activiteit/{hidden.id}").status_code == 200  # its owner sees it
    assert counters() == {}


def test_views_are_added_up_in_the_process_and_written_in_one_go(app, client, make_item):
    app.config["STATS_FLUSH_SECONDS"] = 3600
    app.extensions["wijk_view_tally"].take()  # start from an empty tally
    item = make_item("activity")
    for _ in range(3):
        client.get(f"/activiteit/{item.id}")
    assert counters() == {}
    assert counting.flush(app) == 3
    assert counters()[("item", item.id)] == 3
    assert counting.flush(app) == 0


def test_a_city_page_counts_for_its_municipality(counted, app, make_neighbourhood):
    with app.test_request_context("/gemeente/utrecht"):
        assert counting.things_viewed() == []  # no such municipality yet
    city = make_neighbourhood().municipality
    for path, expected in (
        ("/gemeente/utrecht", [("municipality", city.id)]),
        ("/gemeente/utrecht/agenda.ics", []),  # a feed of the page is not a page view
    ):
        app.extensions["wijk_view_places"].clear()
        with app.test_request_context(path):
            assert counting.things_viewed() == expected, path
    assert counting.is_robot("Mozilla/5.0 (compatible; bingbot/2.0)")
    assert not counting.is_robot("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")


def _set_views(scope: str, ref_id: int, views: int) -> None:
    db.session.add(PageViewCount(day=local_now().date(), scope=scope, ref_id=ref_id, views=views))
    db.session.commit()


def test_a_figure_below_the_minimum_is_not_shown(client, make_neighbourhood):
    place = make_neighbourhood("Zuilen")
    _set_views("neighbourhood", place.id, 9)
    _set_views("municipality", place.municipality_id, 25)
    for url in (
        "/statistieken?lang=en",
        f"/statistieken/gemeente/{place.municipality.slug}?lang=en",
        f"/statistieken/wijk/{place.slug}?lang=en",
    ):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "<td>9</td>" not in html and "<td>fewer than 10</td>" in html, url
    overview = client.get("/statistieken?lang=en").get_data(as_text=True)
    assert "<td>25</td>" in overview


def test_the_minimum_is_configurable(app, client, make_neighbourhood):
    app.config["STATS_MIN_COUNT"] = 5
    place = make_neighbourhood()
    _set_views("neighbourhood", place.id, 9)
    html = client.get(f"/statistieken/wijk/{place.slug}?lang=en").get_data(as_text=True)
    assert "<td>9</td>" in html and "<td>fewer than 5</td>" in html


def test_city_csv_is_for_its_staff_and_hides_small_figures(
    client, make_user, make_neighbourhood, make_item
):
    place = make_neighbourhood("Zuilen")
    item = make_item("activity", neighbourhood=place, title="=Boom planten")
    city = place.municipality
    _set_views("neighbourhood", place.id, 9)
    _set_views("municipality", city.id, 25)
    _set_views("item", item.id, 12)
    url = f"/statistieken/gemeente/{city.slug}/csv"
    assert client.get(url).status_code == 302  # log in first
    resident = make_user()
    login(client, resident)
    assert client.get(url).status_code == 403
    client.post("/uitloggen")
    staff = make_user()
    db.session.add(MunicipalityStaff(municipality_id=city.id, user_id=staff.id))
    switch_on_totp(staff)
    login(client, staff)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    month = local_now().strftime("%Y-%m")
    assert f"{month},municipality,Utrecht,{city.id},25" in lines
    assert f"{month},neighbourhood,Zuilen,{place.id},<10" in lines
    assert f"{month},item,'=Boom planten,{item.id},12" in lines
    assert not any(line.endswith(",9") for line in lines)
    assert client.get("/statistieken/gemeente/bestaat-niet/csv").status_code == 404


def test_privacy_statement_says_how_counting_works(client):
    html = client.get("/privacy?lang=en").get_data(as_text=True)
    assert 'id="statistieken"' in html
    assert "day, scope, ref_id, views" in html
    assert "fewer than 10" in html


def test_every_scope_fits_its_column():
    """PostgreSQL refuses a longer value where SQLite would store it."""
    length = PageViewCount.__table__.c.scope.type.length
    assert all(len(scope) <= length for scope in counting.SCOPES)
