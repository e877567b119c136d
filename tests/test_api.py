"""The open-data API: a valid OpenAPI document, keyset pages, filters, ETags, CORS, no
cookies, and every error as JSON problem details (never an HTML page, never a 500)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from openapi_spec_validator import validate

from wijk.demo.content import load_content
from wijk.demo.seed import seed_demo
from wijk.extensions import db, limiter
from wijk.models import Activity, Item, ItemCategory, Neighbourhood
from wijk.models.base import utcnow

API = "/api/v1"


@pytest.fixture
def demo(app):
    now = datetime.now().replace(second=0, microsecond=0)
    seed_demo(load_content(), now.date(), utcnow())
    return now


def walk(client, url: str) -> list[dict]:
    """Every object of a list, following `next` to the end."""
    found, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        found.extend(body["data"])
        url = body["next"]
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"'
            url = url.replace("http://localhost", "")
        pages += 1
        assert pages < 200
    return found


def test_openapi_document_is_valid_openapi_3(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec = response.get_json()
    validate(spec)  # raises on anything that is not valid OpenAPI 3.0
    assert spec["openapi"].startswith("3.0")
    assert spec["info"]["license"]["name"] == "CC BY 4.0"
    paths = set(spec["paths"])
    for resource in ("neighbourhoods", "municipalities", "activities", "organisations"):
        assert f"/{resource}" in paths
    assert {"/offers", "/offers/{item_id}", "/news", "/news/{item_id}"} <= paths
    activity = spec["components"]["schemas"]["Activity"]
    assert activity["additionalProperties"] is False
    assert set(activity["required"]) == set(activity["properties"])
    assert "contact_email" not in activity["properties"]  # never public: not even a key
    assert activity["properties"]["contact_phone"]["nullable"] is True
    assert activity["properties"]["starts_at"]["format"] == "date-time"


def test_keyset_pages_list_every_activity_once(client, demo):
    everything = walk(client, f"{API}/activities?limit=100")
    paged = walk(client, f"{API}/activities?limit=3")
    assert len(everything) >= 5
    assert [a["id"] for a in paged] == [a["id"] for a in everything]
    firsts = [a["occurrences"][0]["starts_at"] for a in everything]
    assert firsts == sorted(firsts)  # by first date to come


@pytest.mark.parametrize(
    "resource", ["neighbourhoods", "municipalities", "organisations", "offers", "news"]
)  # noqa: E501
def test_every_list_pages_to_the_end_without_repeats(client, demo, resource):
    whole = walk(client, f"{API}/{resource}?limit=100")
    paged = walk(client, f"{API}/{resource}?limit=1")
    assert whole, resource
    assert paged == whole


def test_detail_endpoints_answer_for_every_listed_object(client, demo):
    for resource, key in (
        ("activities", "id"),
        ("organisations", "id"),
        ("offers", "id"),
        ("news", "id"),
        ("neighbourhoods", "slug"),
        ("municipalities", "slug"),
    ):
        listed = walk(client, f"{API}/{resource}?limit=100")
        for obj in listed[:3]:
            response = client.get(f"{API}/{resource}/{obj[key]}")
            assert response.status_code == 200, (resource, obj[key])
            assert response.get_json()["api_url" if "api_url" in obj else "url"]


def test_filters_by_neighbourhood_municipality_category_and_dates(client, demo):
    place = db.session.scalars(db.select(Neighbourhood).order_by(Neighbourhood.slug)).first()
    in_place = walk(client, f"{API}/activities?neighbourhood={place.slug}&limit=100")
    assert in_place and {a["neighbourhood"]["slug"] for a in in_place} == {place.slug}
    city = place.municipality.slug
    in_city = walk(client, f"{API}/activities?municipality={city}&limit=100")
    assert {a["municipality"]["slug"] for a in in_city} == {city}
    assert {a["id"] for a in in_place} <= {a["id"] for a in in_city}

    code = db.session.scalars(db.select(ItemCategory.category)).first()
    tagged = walk(client, f"{API}/activities?category={code}&limit=100")
    assert tagged and all(code in a["categories"] for a in tagged)

    day = demo.date() + timedelta(days=1)
    window = walk(client, f"{API}/activities?from={day}&to={day}&limit=100")
    for activity in window:
        assert any(o["starts_at"][:10] <= day.isoformat() for o in activity["occurrences"])
        assert all(
            (o["ends_at"] or o["starts_at"])[:10] >= day.isoformat()
            for o in activity["occurrences"]
        )
    neighbourhoods = walk(client, f"{API}/neighbourhoods?municipality={city}")
    assert {n["municipality"]["slug"] for n in neighbourhoods} == {city}


def test_hidden_and_past_activities_are_not_listed(client, make_item):
    shown = make_item("activity", title="Op de agenda")
    make_item("activity", title="Verborgen", status="hidden")
    past = datetime.now().replace(second=0, microsecond=0) - timedelta(days=3)
    make_item("activity", title="Voorbij", starts_at=past, ends_at=past + timedelta(hours=1))
    titles = [a["title"] for a in walk(client, f"{API}/activities")]
    assert titles == ["Op de agenda"]
    hidden = db.session.scalar(db.select(Item).where(Item.title == "Verborgen"))
    assert client.get(f"{API}/activities/{hidden.id}").status_code == 404
    assert client.get(f"{API}/activities/{shown.id}").status_code == 200
    assert client.get(f"{API}/organisations/{shown.id}").status_code == 404  # another kind


def test_etag_answers_304_when_nothing_changed(client, make_item):
    make_item("activity")
    first = client.get(f"{API}/activities")
    etag = first.headers["ETag"]
    again = client.get(f"{API}/activities", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    make_item("activity")
    changed = client.get(f"{API}/activities", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_cors_lets_any_site_read_without_credentials(client):
    response = client.get(f"{API}/neighbourhoods", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        f"{API}/activities",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_api_sets_no_cookie_even_for_a_logged_in_visitor(client, auth, make_user, make_item):
    make_item("activity", contact_phone="0611111111")
    auth.login(make_user())
    client.get("/")  # a session exists
    for url in (f"{API}/activities", f"{API}/activities/999", f"{API}/openapi.json"):
        response = client.get(url, headers={"Accept-Language": "en"})
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", "")
    response = client.get("/embed/wijk/nergens")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        (f"{API}/activities?limit=0", 400, "limit"),
        (f"{API}/activities?limit=", 400, "limit"),
        (f"{API}/organisations?neighbourhood=", 400, "neighbourhood"),
        (f"{API}/activities?to=", 400, "to"),
        (f"{API}/activities?limit=101", 400, "limit"),
        (f"{API}/activities?limit=99999999999999999999999", 400, "limit"),
        (f"{API}/activities?category=dansen", 400, "category"),
        (f"{API}/activities?from=2026-02-30", 400, "from"),
        (f"{API}/activities?from=2026-05-02&to=2026-05-01", 400, "to"),
        (f"{API}/activities?cursor=bm9wZQ", 400, "cursor"),
        (f"{API}/activities?cursor=%00%01", 400, "cursor"),
        (f"{API}/offers?cursor=WyJ4Il0", 400, "cursor"),
        (f"{API}/activities?neighbourhood=%C3%A9%00x", 400, "neighbourhood"),
        (f"{API}/activities?neighbourhood=bestaat-niet", 400, "neighbourhood"),
        (f"{API}/neighbourhoods?municipality=bestaat-niet", 400, "municipality"),
        (f"{API}/activities/{2**63}", 404, None),
        (f"{API}/activities/{2**63 - 1}", 404, None),
        (f"{API}/news/{2**31}", 404, None),
        (f"{API}/activities?organisation={2**31}", 400, "organisation"),
        (f"{API}/offers?cursor=WzIxNDc0ODM2NDhd", 400, "cursor"),  # [2147483648]
        (f"{API}/neighbourhoods/%C3%A9%00", 404, None),
        (f"{API}/bestaat-niet", 404, None),
    ],
)
def test_bad_requests_get_json_problems(client, url, status, parameter):
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["parameter"] == parameter and body["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_other_methods_get_a_json_405(client):
    response = client.post(f"{API}/activities", data={"x": "1"})
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_rate_limit_answers_429_in_json(app, client):
    app.config["API_RATE_LIMIT"] = "3/minute"
    limiter.reset()
    statuses = [client.get(f"{API}/neighbourhoods").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(f"{API}/neighbourhoods")
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_developer_page_names_terms_limits_and_an_example(client):
    response = client.get("/api?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "CC BY 4.0" in page and "60/minute;1000/hour" in page
    assert "/api/v1/openapi.json" in page and "/api/v1/activities?limit=2" in page


def test_activity_lists_its_series_dates(client, make_item):
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    series = make_item(
        "activity",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        rrule="FREQ=WEEKLY;COUNT=14",
    )
    body = client.get(f"{API}/activities/{series.id}").get_json()
    assert body["rrule"] == "FREQ=WEEKLY;COUNT=14"
    assert len(body["occurrences"]) == 10  # the first ten dates to come
    assert body["occurrences"][0]["starts_at"].startswith(start.date().isoformat())
    assert body["occurrences"][0]["starts_at"][-6:] in ("+01:00", "+02:00")
    activity = db.session.get(Activity, series.id)
    assert isinstance(activity, Activity)
    assert date.fromisoformat(body["occurrences"][1]["starts_at"][:10]) == (
        start.date() + timedelta(days=7)
    )


def test_an_unexpected_failure_is_a_json_problem_too(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("wijk.api.queries.municipalities", broken)
    response = client.get(f"{API}/municipalities")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert "database went away" not in response.get_data(as_text=True)
