"""The canary machinery of tests/test_canary.py turned on the open data: every personal
column holds a unique canary, hidden; no API answer (every list, every page of it, every
object's own URL, the document), no embed page and no JSON-LD or meta tag may show one.
A field switched public appears exactly where it belongs."""

from __future__ import annotations

import json
import re

import pytest
from conftest import FAST_HASH
from test_canary import planted  # noqa: F401  (the fixture: a canary in every personal column)

from wijk.extensions import db

API = "/api/v1"
LISTS = ("neighbourhoods", "municipalities", "activities", "organisations", "offers", "news")


def local(url: str) -> str:
    return url.replace("http://localhost", "")


def api_answers(client) -> dict[str, str]:
    """Every list page (limit=1, so each object is on a page of its own) and every
    object's detail URL, with headers."""
    seen: dict[str, str] = {}

    def get(url: str):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_json())
        seen[url] = response.get_data(as_text=True) + "\n" + str(response.headers)
        return response.get_json()

    get(f"{API}/openapi.json")
    for resource in LISTS:
        url: str | None = f"{API}/{resource}?limit=1"
        while url:
            body = get(url)
            for obj in body["data"]:
                detail = obj.get("api_url") or f"{API}/{resource}/{obj['id']}"
                get(local(detail))
            url = local(body["next"]) if body["next"] else None
    return seen


@pytest.mark.parametrize("viewer", ["anonymous", "the owner"])
def test_no_canary_in_any_api_answer(client, auth, planted, viewer):  # noqa: F811
    canaries, place, items = planted
    if viewer == "the owner":  # the API shows everyone the public view, owners too
        owner = items["activity"].owner
        owner.password_hash = FAST_HASH
        db.session.commit()
        auth.login(owner)
    answers = api_answers(client)
    assert len(answers) >= 12
    assert any(f"/activities/{items['activity'].id}" in url for url in answers)
    assert any(f"/offers/{items['offer'].id}" in url for url in answers)
    leaks = {url: [v for v in canaries.all() if v in body] for url, body in answers.items()}
    assert {url: found for url, found in leaks.items() if found} == {}


def test_no_canary_in_embeds_json_ld_or_meta_tags(client, planted):  # noqa: F811
    canaries, place, items = planted
    pages = {
        f"/embed/wijk/{place.slug}": None,
        f"/embed/gemeente/{place.municipality.slug}": None,
        f"/activiteit/{items['activity'].id}": None,
        f"/organisatie/{items['organisation'].id}": None,
        f"/vraag-aanbod/{items['offer'].id}": None,
        f"/wijk/{place.slug}": None,
        "/api": None,
    }
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert [v for v in canaries.all() if v in body] == [], url
    html = client.get(f"/activiteit/{items['activity'].id}").get_data(as_text=True)
    event = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )
    assert event["@type"] == "Event" and "location" in event
    assert "organizer" not in event  # the contact name is hidden


def test_a_public_field_appears_and_the_email_never(client, planted):  # noqa: F811
    canaries, place, items = planted
    activity = items["activity"]
    phone, name, email = activity.contact_phone, activity.contact_name, activity.contact_email
    activity.contact_phone_public = True
    activity.contact_name_public = True
    db.session.commit()
    detail = client.get(f"{API}/activities/{activity.id}").get_json()
    assert detail["contact_phone"] == phone and detail["contact_name"] == name
    assert detail["address"] is None and "contact_email" not in detail
    listed = client.get(f"{API}/activities?limit=100").get_json()["data"]
    assert [a["contact_phone"] for a in listed if a["id"] == activity.id] == [phone]
    html = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    event = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )
    assert event["organizer"] == {"@type": "Person", "name": name}
    answers = api_answers(client)
    shown = {phone, name}
    for url, body in answers.items():
        assert email not in body, url
        assert [v for v in canaries.all() if v in body and v not in shown] == [], url
