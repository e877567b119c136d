"""iCal, Atom, sitemap and robots.txt hold the public fields of public items, through the
same gate as the pages, and never a hidden value or any e-mail address."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405  (parsing our own output in tests)
from datetime import date, datetime, timedelta

import icalendar
import pytest

from wijk.extensions import db
from wijk.models import ItemCategory

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
SECRETS = {
    "contact_name": "Henk Verborgen",
    "contact_phone": "0611122233",
    "address": "Geheimstraat 7",
    "contact_email": "henk@example.org",
}


def activity_with_secrets(make_item, **fields):
    """Everything personal filled in, everything hidden."""
    start = datetime(2030, 6, 1, 19, 30)
    values = dict(
        title="Buurtbarbecue",
        location_name="Speeltuin De Wip",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        **SECRETS,
    )
    values.update(fields)
    return make_item("activity", **values)


def parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314  (our own output)


def events(body: bytes) -> list:
    return [c for c in icalendar.Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def assert_no_secrets(text: str, *, except_for: tuple[str, ...] = ()) -> None:
    for name, value in SECRETS.items():
        if name not in except_for:
            assert value not in text, name
    assert EMAIL.search(text) is None


def test_activity_ics_holds_public_fields_in_local_time(client, make_item):
    item = activity_with_secrets(make_item)
    response = client.get(f"/activiteit/{item.id}/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data()
    text = body.decode()
    assert "DTSTART;TZID=Europe/Amsterdam:20300601T193000" in text
    assert "DTEND;TZID=Europe/Amsterdam:20300601T223000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Amsterdam" in text
    (event,) = events(body)
    assert str(event["SUMMARY"]) == "Buurtbarbecue"
    assert str(event["LOCATION"]) == "Speeltuin De Wip"
    assert str(event["URL"]).endswith(f"/activiteit/{item.id}")
    assert_no_secrets(text)


def test_ics_shows_exactly_the_fields_made_public(client, make_item):
    item = activity_with_secrets(make_item, contact_phone_public=True, address_public=True)
    text = client.get(f"/activiteit/{item.id}/agenda.ics").get_data(as_text=True)
    unfolded = text.replace("\r\n ", "")
    assert "0611122233" in unfolded and "Geheimstraat 7" in unfolded
    assert_no_secrets(text, except_for=("contact_phone", "address"))


def test_ics_uid_is_stable_per_item(client, make_item):
    item = activity_with_secrets(make_item)
    first = events(client.get(f"/activiteit/{item.id}/agenda.ics").get_data())[0]["UID"]
    item.title = "Buurtbarbecue (verplaatst)"
    db.session.commit()
    second = events(client.get(f"/activiteit/{item.id}/agenda.ics").get_data())[0]["UID"]
    assert first == second and str(item.id) in str(first)


def test_neighbourhood_calendar_lists_upcoming_public_activities_only(
    client, make_item, make_neighbourhood
):
    place = make_neighbourhood()
    soon = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    past = datetime.now() - timedelta(days=2)
    upcoming = make_item(
        "activity",
        neighbourhood=place,
        title="Komt eraan",
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
        contact_phone="0699988877",
    )
    make_item(
        "activity",
        neighbourhood=place,
        title="Al geweest",
        starts_at=past,
        ends_at=past + timedelta(hours=1),
    )
    make_item("activity", neighbourhood=place, title="Verborgen", status="hidden")
    make_item("activity", title="Andere wijk")
    db.session.add(ItemCategory(item_id=upcoming.id, category="culture"))
    db.session.commit()
    response = client.get(f"/wijk/{place.slug}/agenda.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response.get_data())
    assert [str(e["SUMMARY"]) for e in found] == ["Komt eraan"]
    assert "0699988877" not in response.get_data(as_text=True)
    assert found[0]["CATEGORIES"].cats == ["Cultuur"]


def test_unpublished_activity_has_no_ics(client, auth, make_item, make_user):
    owner = make_user()
    item = make_item("activity", owner=owner, status="hidden")
    assert client.get(f"/activiteit/{item.id}/agenda.ics").status_code == 404
    auth.login(owner)  # not even for its owner: a calendar file is passed on
    assert client.get(f"/activiteit/{item.id}/agenda.ics").status_code == 404
    organisation = make_item("organisation")
    assert client.get(f"/activiteit/{organisation.id}/agenda.ics").status_code == 404


def test_atom_feed_holds_public_fields_and_never_hidden_ones(client, make_item, make_neighbourhood):
    place = make_neighbourhood()
    activity_with_secrets(make_item, neighbourhood=place, contact_name_public=True)
    make_item(
        "offer",
        neighbourhood=place,
        title="Kinderfiets <gratis> & snel",
        contact_phone="0611122233",
        address="Geheimstraat 7",
        contact_email="henk@example.org",
    )
    make_item(
        "offer",
        neighbourhood=place,
        title="Verlopen aanbod",
        expires_on=date.today() - timedelta(days=1),
    )
    make_item("activity", neighbourhood=place, title="Verborgen activiteit", status="hidden")
    response = client.get(f"/wijk/{place.slug}/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    text = response.get_data(as_text=True)
    feed = parse(response.get_data())
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert sorted(titles) == ["Buurtbarbecue", "Kinderfiets <gratis> & snel"]
    assert "&lt;gratis&gt; &amp; snel" in text  # escaped, not markup
    contents = " ".join(e.findtext(f"{ATOM}content") for e in feed.iter(f"{ATOM}entry"))
    assert "Henk Verborgen" in contents  # public: its flag is on
    assert "Speeltuin De Wip" in contents
    assert_no_secrets(text, except_for=("contact_name",))
    for entry in feed.iter(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}id").text.startswith("http")
        assert entry.findtext(f"{ATOM}updated").endswith("Z")


def test_atom_feed_survives_characters_xml_cannot_carry(client, make_item, make_neighbourhood):
    place = make_neighbourhood()
    make_item("activity", neighbourhood=place, title="Bel\x07 en\x1b fluit")
    response = client.get(f"/wijk/{place.slug}/feed.atom")
    feed = parse(response.get_data())
    assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}title") == "Bel en fluit"


def test_sitemap_lists_public_pages_and_nothing_unpublished_or_expired(
    client, make_item, make_neighbourhood
):
    place = make_neighbourhood()
    past = datetime.now() - timedelta(days=2)
    public = [
        make_item("activity", neighbourhood=place),
        make_item("organisation", neighbourhood=place),
        make_item("offer", neighbourhood=place),
        make_item("news", neighbourhood=place, title="Nieuws"),
    ]
    private = [
        make_item("activity", neighbourhood=place, status="hidden"),
        make_item("offer", neighbourhood=place, expires_on=date.today() - timedelta(days=1)),
        make_item(
            "activity", neighbourhood=place, starts_at=past, ends_at=past + timedelta(hours=1)
        ),
    ]
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    locations = [loc.text for loc in parse(response.get_data()).iter(f"{SITEMAP}loc")]
    paths = {re.sub(r"^https?://[^/]+", "", url) for url in locations}
    assert "/" in paths and f"/wijk/{place.slug}" in paths
    slugs = {
        "activity": "activiteit",
        "organisation": "organisatie",
        "offer": "vraag-aanbod",
        "news": "nieuws",
    }
    for item in public:
        assert f"/{slugs[item.kind]}/{item.id}" in paths
    for item in private:
        assert f"/{slugs[item.kind]}/{item.id}" not in paths
    assert "robots" not in paths
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http" in robots and "/sitemap.xml" in robots


@pytest.mark.parametrize(
    "url",
    [
        "/wijk/bestaat-niet/agenda.ics",
        "/wijk/bestaat-niet/feed.atom",
        "/activiteit/999999/agenda.ics",
    ],
)
def test_unknown_feeds_are_404(client, url):
    assert client.get(url).status_code == 404


def test_neighbourhood_page_links_its_feeds(client, make_neighbourhood):
    place = make_neighbourhood()
    html = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert f'href="/wijk/{place.slug}/feed.atom"' in html
    assert f'href="/wijk/{place.slug}/agenda.ics"' in html


RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.mark.parametrize(
    ("lang", "human"),
    [
        ("nl", "zaterdag 1 juni 2030, 19:30–22:30"),
        # Each language's own format from Babel (CLDR), like every page.
        ("en", "Saturday, June 1, 2030, 7:30\u202fPM–10:30\u202fPM"),
    ],
)
def test_atom_dates_are_rfc3339_and_the_human_date_reads_well(
    client, make_item, make_neighbourhood, lang, human
):
    place = make_neighbourhood()
    activity_with_secrets(make_item, neighbourhood=place)
    response = client.get(f"/wijk/{place.slug}/feed.atom?lang={lang}")
    feed = parse(response.get_data())
    stamps = [feed.findtext(f"{ATOM}updated")] + [
        entry.findtext(f"{ATOM}{tag}")
        for entry in feed.iter(f"{ATOM}entry")
        for tag in ("published", "updated")
    ]
    assert stamps and all(RFC3339_UTC.match(s) for s in stamps), stamps
    content = feed.find(f"{ATOM}entry").findtext(f"{ATOM}content")
    assert human in content
    assert "2030-06-01 19:30" not in content


def test_a_zoneless_stamp_is_read_as_utc_in_the_feed():
    from wijk.discover.feeds import _rfc3339

    assert _rfc3339(datetime(2026, 12, 19, 13, 0, 5, 123)) == "2026-12-19T13:00:05Z"
