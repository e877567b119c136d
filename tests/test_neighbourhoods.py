from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest


def test_home_lists_neighbourhoods(client, make_neighbourhood):
    make_neighbourhood("Lombok")
    make_neighbourhood("Zuilen")
    html = client.get("/").get_data(as_text=True)
    assert "Lombok" in html and "Zuilen" in html


@pytest.mark.parametrize("entered", ["3531", "3531AB", "3531 ab", " 3531 "])
def test_postcode_leads_to_the_neighbourhood(client, make_neighbourhood, entered):
    place = make_neighbourhood("Lombok", postcodes=("3531",))
    response = client.get("/postcode", query_string={"postcode": entered})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/wijk/{place.slug}")


def test_postcode_in_two_neighbourhoods_offers_a_choice(client, make_neighbourhood):
    make_neighbourhood("Noord", postcodes=("3532",))
    make_neighbourhood("Zuid", postcodes=("3532",))
    html = client.get("/postcode?postcode=3532").get_data(as_text=True)
    assert "Noord" in html and "Zuid" in html


def test_bad_or_unknown_postcode_gets_a_clear_message(client, make_neighbourhood):
    make_neighbourhood(postcodes=("3531",))
    response = client.get("/postcode?postcode=abc")
    assert response.status_code == 400
    assert 'value="abc"' in response.get_data(as_text=True)
    response = client.get("/postcode?postcode=9999")
    assert response.status_code == 404
    assert "9999" in response.get_data(as_text=True)


def test_neighbourhood_page_shows_upcoming_activities_organisations_and_open_offers(
    client, make_neighbourhood, make_item
):
    place = make_neighbourhood()
    soon = datetime.now().replace(second=0, microsecond=0) + timedelta(days=2)
    past = datetime.now() - timedelta(days=2)
    make_item(
        "activity",
        neighbourhood=place,
        title="Komt eraan",
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
    )
    make_item(
        "activity",
        neighbourhood=place,
        title="Al geweest",
        starts_at=past,
        ends_at=past + timedelta(hours=1),
    )
    make_item("organisation", neighbourhood=place, title="Buurthuis")
    make_item("offer", neighbourhood=place, title="Open aanbod")
    make_item(
        "offer",
        neighbourhood=place,
        title="Verlopen aanbod",
        expires_on=date.today() - timedelta(days=1),
    )
    make_item("activity", title="Andere wijk")
    html = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    assert "Komt eraan" in html and "Buurthuis" in html and "Open aanbod" in html
    assert "Al geweest" not in html and "Verlopen aanbod" not in html
    assert "Andere wijk" not in html


def test_agenda_is_paginated_without_gaps_or_repeats(client, app, make_neighbourhood, make_item):
    place = make_neighbourhood()
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    titles = []
    for n in range(45):  # several share a start time, to test the tie-breaker
        title = f"Activiteit nummer {n:02d}"
        titles.append(title)
        moment = start + timedelta(hours=n // 3)
        make_item(
            "activity",
            neighbourhood=place,
            title=title,
            starts_at=moment,
            ends_at=moment + timedelta(hours=1),
        )
    seen, url = [], f"/wijk/{place.slug}"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [t for t in titles if t in html]
        marker = 'rel="next" href="'
        url = (
            html.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
            if marker in html
            else None
        )
    assert seen == titles


def test_garbled_page_cursor_is_harmless(client, make_neighbourhood):
    place = make_neighbourhood()
    assert client.get(f"/wijk/{place.slug}?na=garbage").status_code == 200
