"""An organisation page lists the organisation's upcoming activities and open offers,
with its own iCal and Atom feeds; all through the gate, so no hidden value or address
appears and nothing unpublished, ended or expired is listed."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405  (parsing our own output in tests)
from datetime import date, datetime, timedelta

import icalendar

from wijk.extensions import db

ATOM = "{http://www.w3.org/2005/Atom}"


def organisation_with_items(make_item):
    organisation = make_item("organisation", title="Buurthuis De Boog")
    place = organisation.neighbourhood
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=5)
    later = make_item(
        "activity",
        neighbourhood=place,
        organisation=organisation,
        title="Koffieochtend",
        starts_at=start + timedelta(days=2),
        ends_at=None,
        contact_phone="0611122233",
        contact_email="boog@example.org",
    )
    sooner = make_item(
        "activity",
        neighbourhood=place,
        organisation=organisation,
        title="Klaverjassen",
        starts_at=start,
        ends_at=None,
    )
    make_item(
        "activity",
        neighbourhood=place,
        organisation=organisation,
        title="Voorbij",
        starts_at=start - timedelta(days=30),
        ends_at=start - timedelta(days=30),
    )
    make_item(
        "activity",
        neighbourhood=place,
        organisation=organisation,
        title="Verborgen",
        starts_at=start,
        status="hidden",
    )
    make_item("activity", neighbourhood=place, title="Van iemand anders", starts_at=start)
    make_item("offer", neighbourhood=place, organisation=organisation, title="Gratis stoelen")
    make_item(
        "offer",
        neighbourhood=place,
        organisation=organisation,
        title="Verlopen bank",
        expires_on=date.today() - timedelta(days=1),
    )
    return organisation, sooner, later


def test_organisation_page_lists_its_upcoming_activities_and_open_offers(client, make_item):
    organisation, sooner, later = organisation_with_items(make_item)
    html = client.get(f"/organisatie/{organisation.id}").get_data(as_text=True)
    assert "Klaverjassen" in html and "Koffieochtend" in html
    assert html.index("Klaverjassen") < html.index("Koffieochtend")  # soonest first
    assert "Gratis stoelen" in html
    for absent in (
        "Voorbij",
        "Verborgen",
        "Van iemand anders",
        "Verlopen bank",
        "0611122233",
        "boog@example.org",
    ):
        assert absent not in html, absent
    assert f"/organisatie/{organisation.id}/agenda.ics" in html
    assert f"/organisatie/{organisation.id}/atom.xml" in html


def test_organisation_calendar_holds_its_upcoming_activities_only(client, make_item):
    organisation, sooner, later = organisation_with_items(make_item)
    response = client.get(f"/organisatie/{organisation.id}/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "public" in response.headers["Cache-Control"]
    body = response.get_data()
    events = [c for c in icalendar.Calendar.from_ical(body).walk() if c.name == "VEVENT"]
    assert [str(e["SUMMARY"]) for e in events] == ["Klaverjassen", "Koffieochtend"]
    assert b"0611122233" not in body and b"boog@example.org" not in body


def test_organisation_atom_holds_its_current_activities_and_offers(client, make_item):
    organisation, sooner, later = organisation_with_items(make_item)
    response = client.get(f"/organisatie/{organisation.id}/atom.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    body = response.get_data()
    feed = ET.fromstring(body)  # noqa: S314  (our own output)
    titles = {e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")}
    assert titles == {"Klaverjassen", "Koffieochtend", "Gratis stoelen"}
    assert b"0611122233" not in body and b"boog@example.org" not in body


def test_feeds_of_an_unpublished_organisation_or_another_item_are_404(client, make_item):
    organisation, sooner, _later = organisation_with_items(make_item)
    for url in (
        f"/organisatie/{sooner.id}/agenda.ics",
        f"/organisatie/{sooner.id}/atom.xml",
        "/organisatie/999999/agenda.ics",
    ):
        assert client.get(url).status_code == 404, url
    organisation.status = "hidden"
    db.session.commit()
    assert client.get(f"/organisatie/{organisation.id}/agenda.ics").status_code == 404
    assert client.get(f"/organisatie/{organisation.id}/atom.xml").status_code == 404


def test_a_series_of_the_organisation_is_listed_at_its_next_date(client, make_item):
    organisation = make_item("organisation", title="Buurthuis De Boog")
    first = datetime.now().replace(hour=19, minute=0, second=0, microsecond=0) - timedelta(days=14)
    make_item(
        "activity",
        neighbourhood=organisation.neighbourhood,
        organisation=organisation,
        title="Elke week breien",
        starts_at=first,
        ends_at=first + timedelta(hours=2),
        rrule="FREQ=WEEKLY;COUNT=10",
    )
    html = client.get(f"/organisatie/{organisation.id}").get_data(as_text=True)
    assert "Elke week breien" in html
    body = client.get(f"/organisatie/{organisation.id}/agenda.ics").get_data()
    assert b"RRULE:FREQ=WEEKLY;COUNT=10" in body
