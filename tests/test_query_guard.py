"""No N+1: the number of SQL statements per public page does not grow with the data and
stays within a small budget."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from wijk.clock import utcnow
from wijk.extensions import db
from wijk.models import ActivityOccurrence, Item
from wijk.series.occurrences import fill_missing_dates

BUDGET = 4
SERIES_RULE = "FREQ=WEEKLY;COUNT=8"


@contextmanager
def counting():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def fill(place, owner, organisation, n: int) -> None:
    """n weekly series of 8 dates, n/10 offers and n/10 organisations, bulk-inserted."""
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    base = {c.name: None for c in Item.__table__.columns if c.name != "id"}
    flags = {
        c.name: c.default.arg
        for c in Item.__table__.columns
        if c.default is not None and c.default.is_scalar
    }
    rows = []
    for i in range(n):
        rows.append(
            {
                **base,
                **flags,
                "kind": "activity",
                "title": f"Activiteit {i}",
                "description": "<p>Welkom</p>",
                "neighbourhood_id": place.id,
                "owner_id": owner.id,
                "organisation_id": organisation.id,
                "status": "published",
                "location_name": "Buurthuis",
                "starts_at": start + timedelta(minutes=i),
                "ends_at": start + timedelta(minutes=i + 60),
                "rrule": SERIES_RULE,
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        )
    for i in range(max(n // 10, 1)):
        for kind, extra in (
            (
                "offer",
                {
                    "offer_kind": "offer",
                    "organisation_id": organisation.id,
                    "expires_on": date.today() + timedelta(days=9),
                },
            ),
            ("organisation", {}),
        ):
            rows.append(
                {
                    **base,
                    **flags,
                    "kind": kind,
                    "title": f"{kind} {i}",
                    "description": "<p>x</p>",
                    "neighbourhood_id": place.id,
                    "owner_id": owner.id,
                    "status": "published",
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                    **extra,
                }
            )
    db.session.execute(insert(Item), rows)
    fill_missing_dates()  # Core inserts pass the ORM's flush hook by
    db.session.commit()


def pages(client, place, items: dict[str, int]) -> dict[str, str]:
    first = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    next_url = re.search(r'rel="next" href="([^"]+)"', first)
    urls = {
        "home": "/",
        "neighbourhood": f"/wijk/{place.slug}",
        "postcode": "/postcode?postcode=3531",
        "activity": f"/activiteit/{items['activity']}",
        "organisation": f"/organisatie/{items['organisation']}",
        "offer": f"/vraag-aanbod/{items['offer']}",
    }
    if next_url:
        urls["agenda page 2"] = next_url.group(1).replace("&amp;", "&")
    return urls


def measure(client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        client.get(url)  # warm-up: first-request work is not per-page cost
        with counting() as statements:
            response = client.get(url)
        assert response.status_code in (200, 302), name
        counts[name] = len(statements)
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("viewer", ["anonymous", "resident"])
def test_queries_per_page_do_not_grow_with_the_data(
    app, client, auth, make_user, make_neighbourhood, make_item, viewer
):
    app.config["PAGE_CACHE"] = False  # measure rendering, not the page cache
    # Page views are written in one batch every few seconds, not per page (see
    # test_statistics); keep that write out of the per-page count.
    app.config["STATS_FLUSH_SECONDS"] = 3600
    place = make_neighbourhood(postcodes=("3531",))
    owner = make_user()
    organisation = make_item("organisation", owner=owner, neighbourhood=place)
    items = {
        kind: make_item(
            kind,
            owner=owner,
            neighbourhood=place,
            organisation_id=organisation.id if kind != "organisation" else None,
            **({"rrule": SERIES_RULE} if kind == "activity" else {}),
        ).id
        for kind in ("activity", "organisation", "offer")
    }
    if viewer == "resident":
        auth.login(make_user())

    fill(place, owner, organisation, 30)
    small = measure(client, pages(client, place, items))
    fill(place, owner, organisation, 969)
    assert db.session.query(ActivityOccurrence).count() == 1_000 * 8  # 1,000 series
    large = measure(client, pages(client, place, items))

    assert large == small, f"statement counts grew with the data: {small} -> {large}"
    # A logged-in visitor costs two more: loading the account, and their appointments
    # (the items they co-manage and what they follow come with them), each one query per
    # request, whatever the page lists.
    budget = BUDGET if viewer == "anonymous" else BUDGET + 2
    over = {name: n for name, n in large.items() if n > budget}
    assert not over, f"pages over the budget of {budget} statements: {over}"


def test_the_city_agenda_reads_as_many_statements_for_ten_neighbourhoods_as_for_one(
    app, client, make_neighbourhood, make_item
):
    """Each card names its neighbourhood: those come with the city's list of them, not
    one query per neighbourhood on the agenda."""
    app.config["PAGE_CACHE"] = False
    app.config["STATS_FLUSH_SECONDS"] = 3600
    first = make_neighbourhood()
    make_item("activity", neighbourhood=first)
    url = f"/gemeente/{first.municipality.slug}"
    client.get(url)  # the statistics learn which place the page counts for
    db.session.expunge_all()  # nothing of the page's from the test's own rows
    with counting() as one:
        assert client.get(url).status_code == 200
    for _ in range(9):
        make_item("activity", neighbourhood=make_neighbourhood())
    db.session.expunge_all()
    with counting() as ten:
        html = client.get(url).get_data(as_text=True)
    assert html.count('class="card card-activity"') == 10
    assert len(ten) == len(one), (one, ten)


def test_an_item_page_reads_the_item_its_place_and_organisation_at_once(
    client, make_item, make_neighbourhood
):
    place = make_neighbourhood()
    organisation = make_item("organisation", neighbourhood=place, title="Buurthuis")
    activity = make_item("activity", neighbourhood=place, organisation=organisation)
    url = f"/activiteit/{activity.id}"
    client.get(url + "?warm=1")
    db.session.expunge_all()  # as in a new request: nothing known yet
    with counting() as statements:
        html = client.get(url + "?x=1").get_data(as_text=True)
    assert "Buurthuis" in html and place.name in html
    flat = [" ".join(s.split()) for s in statements]
    items = [s for s in flat if " FROM item" in s and "item.title" in s]
    assert len(items) == 1, items
