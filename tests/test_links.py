"""Templates build links through wijk.links: kept per app, keyed by every input a link
depends on, and always the link Flask would have built (issue 16)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask import url_for as flask_url_for

from wijk import links

TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')

CASES = [
    ("neighbourhoods.home", {}),
    ("neighbourhoods.neighbourhood", {"slug": "lombok"}),
    ("neighbourhoods.neighbourhood", {"slug": "lombok", "categorie": "sport"}),
    ("neighbourhoods.neighbourhood", {"slug": "lombok", "categorie": None}),
    ("neighbourhoods.neighbourhood", {"slug": "wijk met spatie & ü"}),
    ("content.show", {"kind_slug": "activiteit", "item_id": 7}),
    ("static", {"filename": "css/wijk.css"}),
    ("neighbourhoods.neighbourhood", {"slug": "lombok", "_external": True}),
    ("neighbourhoods.neighbourhood", {"slug": "lombok", "_anchor": "agenda"}),
]
REQUESTS = [
    {"base_url": "http://localhost/"},
    {"base_url": "https://wijk.example.nl/"},
    {"base_url": "http://other.example.org:8080/"},
    {"base_url": "http://localhost/sub/"},  # served under a script root
]


@pytest.mark.parametrize("where", REQUESTS, ids=lambda r: r["base_url"])
def test_a_kept_link_is_the_link_flask_builds(app, where):
    template_url_for = app.jinja_env.globals["url_for"]
    assert template_url_for is not flask_url_for
    for _ in range(2):  # built, then kept
        for other in REQUESTS:  # other requests' links in the memo meanwhile
            with app.test_request_context("/", **other):
                for endpoint, values in CASES:
                    template_url_for(endpoint, **values)
        with app.test_request_context("/", **where):
            for endpoint, values in CASES:
                assert template_url_for(endpoint, **values) == flask_url_for(endpoint, **values)


def test_a_link_is_built_once_per_input(app, monkeypatch):
    built: list[str] = []

    def counting(endpoint, **values):
        built.append(endpoint)
        return flask_url_for(endpoint, **values)

    monkeypatch.setattr(links, "flask_url_for", counting)
    template_url_for = links._memoised(links.KEPT)
    with app.test_request_context("/"):
        for _ in range(3):
            template_url_for("neighbourhoods.neighbourhood", slug="lombok")
    assert built == ["neighbourhoods.neighbourhood"]
    with app.test_request_context("/", base_url="https://wijk.example.nl/"):
        template_url_for("neighbourhoods.neighbourhood", slug="lombok", _external=True)
    with app.test_request_context("/", base_url="http://localhost/"):
        template_url_for("neighbourhoods.neighbourhood", slug="lombok", _external=True)
    assert len(built) == 3  # another host is another input


def test_a_page_renders_the_same_links_with_and_without_the_memo(app, client, make_item):
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    client.get(url)
    kept = client.get(url).get_data(as_text=True)
    app.jinja_env.globals["url_for"] = flask_url_for
    built = client.get(url).get_data(as_text=True)
    assert kept.count("href=") > 20
    assert TOKEN.sub("", kept) == TOKEN.sub("", built)  # the CSRF token differs per render


def test_an_app_with_url_defaults_is_refused():
    app = Flask(__name__)

    @app.url_defaults
    def add_language(endpoint, values):
        values.setdefault("lang", "nl")

    with pytest.raises(RuntimeError):
        links.register(app)
