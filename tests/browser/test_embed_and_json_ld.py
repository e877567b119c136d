"""In a real browser: the Event JSON-LD on an activity page is data, which the CSP
(script-src 'self') lets be and never reports; an embed agenda shows inside a frame on a
configured origin and is refused on any other."""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server


def test_json_ld_parses_and_causes_no_csp_violation(new_page, live_server, make_item):
    activity = make_item("activity", title="Taalcafé", location_name="Bibliotheek")
    page = new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.goto(f"{live_server}/activiteit/{activity.id}")
    text = page.locator('script[type="application/ld+json"]').text_content()
    event = json.loads(text)
    assert event["name"] == "Taalcafé" and event["location"]["name"] == "Bibliotheek"
    page.reload()  # a second load, so any report has had its time
    assert violations == [] and page.problems == []


@pytest.fixture
def municipality_site():
    """Another site, on its own loopback port (so another origin): a municipality's page
    that frames the path it is asked for. Served for real, since chromium refuses frames
    of loopback addresses inside a page of unknown address."""

    def site(environ, start_response):
        path = environ.get("QUERY_STRING", "")
        body = f'<!doctype html><title>Gemeente</title><iframe src="{path}"></iframe>'
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    server = make_server("127.0.0.1", 0, site, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_embed_shows_in_a_frame_of_a_configured_origin(
    app, new_page, live_server, municipality_site, make_item
):
    activity = make_item("activity", title="Buurtsoep")
    app.config["EMBED_FRAME_ANCESTORS"] = (municipality_site,)
    page = new_page()
    page.goto(f"{municipality_site}/?{live_server}/embed/wijk/{activity.neighbourhood.slug}")
    link = page.frame_locator("iframe").get_by_role("link", name="Buurtsoep")
    assert link.get_attribute("target") == "_top"
    link.click()
    page.wait_for_url(f"{live_server}/activiteit/{activity.id}")  # the whole window moved


def test_embed_is_refused_in_a_frame_of_another_origin(
    app, new_page, live_server, municipality_site, make_item
):
    activity = make_item("activity", title="Buurtsoep")
    app.config["EMBED_FRAME_ANCESTORS"] = ("https://www.utrecht.nl",)
    page = new_page()
    refused = []
    page.on("console", lambda m: "frame-ancestors" in m.text and refused.append(m.text))
    page.goto(f"{municipality_site}/?{live_server}/embed/wijk/{activity.neighbourhood.slug}")
    page.wait_for_timeout(500)
    assert page.frame_locator("iframe").get_by_role("link", name="Buurtsoep").count() == 0
    assert refused
    page.problems.clear()  # the refusal is the point of this test
