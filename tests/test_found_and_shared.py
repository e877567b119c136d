"""Found and shared well: schema.org Event JSON-LD on activity pages (the next date; the
address and the organiser only when public), and a meta description with Open Graph
tags on every public page, all from our own URLs."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta

import pytest

from wijk.extensions import db
from wijk.models import ActivityOccurrence
from wijk.series.occurrences import cancel

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def event_of(client, item) -> dict:
    page = client.get(f"/activiteit/{item.id}").get_data(as_text=True)
    found = LD.findall(page)
    assert len(found) == 1
    return json.loads(found[0])


def meta(page: str) -> dict[str, str]:
    tags = re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', page)
    return {name: html.unescape(value) for name, value in tags}


def test_activity_page_carries_an_event_with_its_next_date(client, make_item):
    start = datetime.now().replace(second=0, microsecond=0) - timedelta(days=7, hours=1)
    series = make_item(
        "activity",
        title="Taalcafé",
        description="<p>Oefen Nederlands &amp; drink koffie.</p>",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        rrule="FREQ=WEEKLY;COUNT=4",
        location_name="Bibliotheek Lombok",
    )
    event = event_of(client, series)
    assert event["@context"] == "https://schema.org" and event["@type"] == "Event"
    assert event["name"] == "Taalcafé"
    assert event["description"] == "Oefen Nederlands & drink koffie."
    next_week = start + timedelta(days=7)
    assert event["startDate"].startswith(next_week.strftime("%Y-%m-%dT%H:%M"))
    assert event["startDate"][-6:] in ("+01:00", "+02:00")
    assert event["location"] == {"@type": "Place", "name": "Bibliotheek Lombok"}
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["url"] == f"http://localhost/activiteit/{series.id}"
    assert "organizer" not in event and "image" not in event


def test_event_holds_no_hidden_value_even_for_its_owner(client, auth, make_user, make_item):
    owner = make_user()
    activity = make_item(
        "activity",
        owner=owner,
        address="Kanaalstraat 12",
        contact_name="Fatima",
        contact_phone="0612345678",
        contact_email="fatima@example.org",
    )
    auth.login(owner)  # the page shows the owner her hidden values; the data does not
    page = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    assert "0612345678" in page
    data = LD.search(page)[1]
    for hidden in ("Kanaalstraat", "Fatima", "0612345678", "fatima@example.org"):
        assert hidden not in data
        assert hidden not in json.dumps(meta(page))


def test_public_address_and_organiser_appear(client, make_item):
    organisation = make_item("organisation", title="Buurthuis De Linde")
    activity = make_item(
        "activity",
        neighbourhood=organisation.neighbourhood,
        organisation_id=organisation.id,
        address="Kanaalstraat 12",
        address_public=True,
        contact_name="Fatima",
        contact_name_public=True,
    )
    event = event_of(client, activity)
    assert event["location"]["address"] == "Kanaalstraat 12"
    assert event["organizer"]["name"] == "Buurthuis De Linde"
    alone = make_item("activity", contact_name="Fatima", contact_name_public=True)
    assert event_of(client, alone)["organizer"] == {"@type": "Person", "name": "Fatima"}


def test_a_cancelled_date_is_said_so(client, make_item):
    activity = make_item("activity")
    row = db.session.scalars(
        db.select(ActivityOccurrence).where(ActivityOccurrence.activity_id == activity.id)
    ).one()
    cancel(row)
    db.session.commit()
    assert event_of(client, activity)["eventStatus"] == "https://schema.org/EventCancelled"


def test_json_ld_cannot_end_its_script_element(client, make_item):
    activity = make_item("activity", title="</script><script>alert(1)</script>")
    page = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    assert json.loads(LD.search(page)[1])["name"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in page


def test_no_event_on_other_kinds_or_unpublished_activities(client, auth, make_item):
    organisation = make_item("organisation")
    assert LD.search(client.get(f"/organisatie/{organisation.id}").get_data(as_text=True)) is None
    hidden = make_item("activity", status="hidden")
    auth.login(hidden.owner)
    page = client.get(f"/activiteit/{hidden.id}").get_data(as_text=True)
    assert LD.search(page) is None


@pytest.fixture
def public_pages(make_item, make_neighbourhood, make_user):
    place = make_neighbourhood("Lombok")
    activity = make_item(
        "activity", neighbourhood=place, title="Buurtsoep", description="<p>Soep voor iedereen.</p>"
    )
    organisation = make_item("organisation", neighbourhood=place, title="Buurthuis")
    offer = make_item("offer", neighbourhood=place, title="Ladder te leen")
    news = make_item("news", neighbourhood=place, title="Nieuwe bankjes")
    return {
        "/": None,
        f"/wijk/{place.slug}": place.description,
        f"/activiteit/{activity.id}": "Soep voor iedereen.",
        f"/organisatie/{organisation.id}": "Omschrijving",
        f"/vraag-aanbod/{offer.id}": "Omschrijving",
        f"/nieuws/{news.id}": "Omschrijving",
        "/zoeken?q=soep": None,
        f"/wijk/{place.slug}/zoeken": None,
        f"/wijk/{place.slug}/nieuws": None,
        "/api": None,
    }


def test_every_public_page_has_a_description_and_open_graph_tags(client, public_pages):
    for url, description in public_pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        tags = meta(response.get_data(as_text=True))
        assert tags["description"], url
        assert tags["og:description"] == tags["description"], url
        if description:
            assert tags["description"] == description, url
        assert tags["og:title"] and tags["og:type"] in ("website", "article"), url
        assert tags["og:url"] == "http://localhost" + url.split("?")[0], url
        for name, value in tags.items():
            if value.startswith("http"):
                assert value.startswith("http://localhost/"), (url, name)


def test_og_image_is_our_own_picture_url(client, make_item):
    activity = make_item("activity", picture_key="a" * 32)
    tags = meta(client.get(f"/activiteit/{activity.id}").get_data(as_text=True))
    assert tags["og:image"] == f"http://localhost/afbeelding/{activity.id}/{'a' * 32}/1200.webp"
    plain = make_item("activity")
    assert "og:image" not in meta(client.get(f"/activiteit/{plain.id}").get_data(as_text=True))


@pytest.mark.parametrize("cancelled", [1, 8])
def test_the_event_names_the_first_date_that_takes_place(client, make_item, cancelled):
    """The page's list of dates and its Event read the same rows (once); past the dates the
    page lists, the Event still finds the next one that takes place."""
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    activity = make_item(
        "activity",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        rrule="FREQ=WEEKLY;COUNT=10",
    )
    rows = db.session.scalars(
        db.select(ActivityOccurrence)
        .where(ActivityOccurrence.activity_id == activity.id)
        .order_by(ActivityOccurrence.starts_at)
    ).all()
    for row in rows[:cancelled]:
        cancel(row)
    db.session.commit()
    event = event_of(client, activity)
    expected = start + timedelta(weeks=cancelled)
    assert event["startDate"].startswith(expected.strftime("%Y-%m-%dT%H:%M"))
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
