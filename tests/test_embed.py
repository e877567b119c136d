"""Embeddable agendas: /embed/wijk/<slug> and /embed/gemeente/<slug> may be framed only by
the origins in EMBED_FRAME_ANCESTORS, and every other response keeps frame-ancestors
'none'; without configuration the embeds are not framable either. No script, links to
the top window, our own stylesheet only, and no cookie."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from wijk import create_app
from wijk.extensions import db

ORIGINS = ("https://www.utrecht.nl", "https://wijkteam.example.org:8443")


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]+)", response.headers["Content-Security-Policy"])[1]


@pytest.fixture
def agenda(make_item, make_neighbourhood):
    here = make_neighbourhood("Lombok")
    there = make_neighbourhood("Zuilen")  # also Utrecht (the factory's city)
    elsewhere = make_neighbourhood("Binnenstad")
    elsewhere.city = "Amersfoort"
    db.session.commit()
    make_item("activity", neighbourhood=here, title="Buurtsoep Lombok")
    make_item("activity", neighbourhood=there, title="Koffie in Zuilen")
    make_item("activity", neighbourhood=elsewhere, title="Markt Amersfoort")
    make_item("activity", neighbourhood=here, title="Verborgen", status="hidden")
    return here, there, elsewhere


def test_without_configuration_embeds_cannot_be_framed(client, agenda):
    here, _there, _elsewhere = agenda
    response = client.get(f"/embed/wijk/{here.slug}")
    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_configured_origins_may_frame_only_the_embeds(app, client, agenda):
    here, _there, _elsewhere = agenda
    app.config["EMBED_FRAME_ANCESTORS"] = ORIGINS
    for url in (f"/embed/wijk/{here.slug}", f"/embed/gemeente/{here.municipality.slug}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert frame_ancestors(response) == " ".join(ORIGINS)
        assert "X-Frame-Options" not in response.headers
    for url in (
        "/",
        f"/wijk/{here.slug}",
        "/api",
        "/api/v1/activities",
        "/privacy",
        "/embed/wijk/bestaat-niet",  # an error page is no embed
    ):
        response = client.get(url)
        assert frame_ancestors(response) == "'none'", url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_embed_is_a_compact_agenda_without_script(client, agenda):
    here, _there, _elsewhere = agenda
    response = client.get(f"/embed/wijk/{here.slug}")
    page = response.get_data(as_text=True)
    assert "Buurtsoep Lombok" in page
    assert "Koffie in Zuilen" not in page and "Verborgen" not in page
    assert "<script" not in page and "<form" not in page
    assert '<base target="_top">' in page
    links = re.findall(r'<a href="([^"]+)"([^>]*)>', page)
    assert links and all('target="_top"' in attributes for _href, attributes in links)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert all(a.startswith(("/", "http://localhost/")) for a in assets), assets
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', page) == ["/static/css/embed.css"]
    assert "Set-Cookie" not in response.headers


def test_city_embed_lists_each_neighbourhood_of_the_city_and_no_other(client, agenda):
    here, there, _elsewhere = agenda
    page = client.get(f"/embed/gemeente/{here.municipality.slug}").get_data(as_text=True)
    assert "Buurtsoep Lombok" in page and "Koffie in Zuilen" in page
    assert "Markt Amersfoort" not in page
    assert here.name in page and there.name in page  # which neighbourhood, per date
    one = client.get(f"/embed/gemeente/{here.municipality.slug}?wijk={there.slug}")
    assert "Koffie in Zuilen" in one.get_data(as_text=True)
    assert "Buurtsoep Lombok" not in one.get_data(as_text=True)


def test_embed_of_a_series_lists_each_date(client, make_item, make_neighbourhood):
    place = make_neighbourhood()
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    make_item("activity", neighbourhood=place, title="Wekelijks", starts_at=start,
              ends_at=start + timedelta(hours=1), rrule="FREQ=WEEKLY;COUNT=3")  # fmt: skip
    page = client.get(f"/embed/wijk/{place.slug}").get_data(as_text=True)
    assert page.count("Wekelijks") == 3


def test_unknown_places_are_404(client):
    assert client.get("/embed/wijk/nergens").status_code == 404
    assert client.get("/embed/gemeente/nergens").status_code == 404
    assert client.get("/embed/wijk/%C3%A9%00x").status_code == 404
    assert client.get("/embed/gemeente/%00").status_code == 404
    assert client.get("/embed/gemeente/utrecht?wijk=%00").status_code in (200, 404)


@pytest.mark.parametrize(
    "value",
    [
        '"https://www.utrecht.nl"',  # not a list
        '["https://www.utrecht.nl/agenda"]',  # a path
        '["https://www.utrecht.nl; script-src *"]',  # a second directive
        '["*"]',
        '["javascript:alert(1)"]',
    ],
)
def test_a_wrong_frame_ancestors_setting_stops_the_start(monkeypatch, tmp_path, value):
    monkeypatch.setenv("FLASK_EMBED_FRAME_ANCESTORS", value)
    monkeypatch.setenv("WIJK_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="FLASK_EMBED_FRAME_ANCESTORS"):
        create_app({"TESTING": True, "SECRET_KEY": "x"})


def test_frame_ancestors_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_EMBED_FRAME_ANCESTORS", '["https://WWW.Utrecht.nl/"]')
    monkeypatch.setenv("WIJK_INSTANCE_PATH", str(tmp_path))
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert app.config["EMBED_FRAME_ANCESTORS"] == ("https://www.utrecht.nl",)
