"""Every state-changing route refuses a POST without a valid CSRF token."""

from __future__ import annotations

import re

import pytest

from wijk import create_app
from wijk.extensions import db

SAMPLE = {
    "kind_slug": "activiteit",
    "item_id": 1,
    "token": "x",
    "slug": "wijk-1",
    "request_id": 1,
    "neighbourhood_request_id": 1,
    "breach_id": 1,
    "follow_id": 1,
    "city_slug": "utrecht",
    "news_id": 1,
}


@pytest.fixture
def strict_app(_schema, tmp_path):
    url, _ = _schema
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "csrf-test",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield rule.endpoint, rule.build({k: SAMPLE[k] for k in rule.arguments})[1]


# RFC 8058 one-click unsubscribe: mail clients POST without a token; the signed token in
# the URL is the only authority, and a bad one changes nothing (tests/test_newsletter.py;
# the digest's stop link likewise, tests/test_follows.py).
EXEMPT = {"newsletters.unsubscribe", "follows.stop"}


def test_only_the_one_click_unsubscribe_is_exempt(strict_app):
    from wijk.extensions import csrf

    exempt = {name.rsplit(".", 1)[-1] for name in csrf._exempt_views}
    endpoints = {rule.endpoint for rule in strict_app.url_map.iter_rules()}
    assert {e for e in endpoints if e.rsplit(".", 1)[-1] in exempt} == EXEMPT


def test_every_post_route_refuses_a_missing_token(strict_app):
    client = strict_app.test_client()
    routes = [(e, u) for e, u in post_routes(strict_app) if e not in EXEMPT]
    assert len(routes) >= 40
    for endpoint, url in routes:
        response = client.post(url, data={"name": "x"})
        assert response.status_code == 400, endpoint
        assert "<h1>" in response.get_data(as_text=True)


def test_contact_form_works_with_the_token_from_the_page(strict_app, make_item):
    item = make_item("activity")
    client = strict_app.test_client()
    page = client.get(f"/activiteit/{item.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"name": "Vera", "email": "vera@example.net", "message": "Een vraag voor jullie."}
    assert client.post(f"/activiteit/{item.id}/contact", data=data).status_code == 400
    response = client.post(f"/activiteit/{item.id}/contact", data={**data, "csrf_token": token})
    assert response.status_code == 302
