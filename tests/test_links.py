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


ITEM_LINKS = [
    ("content.show", {"kind_slug": "activiteit"}),
    ("content.show", {"kind_slug": "organisatie"}),
    ("content.show", {"kind_slug": "vraag-aanbod"}),
    ("content.edit", {"kind_slug": "activiteit"}),
    ("content.delete", {"kind_slug": "vraag-aanbod"}),
    ("discover.news_page", {}),
    ("discover.edit_news", {}),
    ("pictures.show", {"key": "abc123", "width": 480}),  # not plain text: Flask builds it
]
IDS = [0, 1, 7, 42, 1234567, 7305486191, 10**15]


@pytest.mark.parametrize("where", REQUESTS, ids=lambda r: r["base_url"])
def test_an_item_link_from_its_shape_is_the_link_flask_builds(app, where):
    for _ in range(2):  # shaped, then kept
        for other in REQUESTS:  # other requests' shapes in the memo meanwhile
            with app.test_request_context("/", **other):
                for endpoint, values in ITEM_LINKS:
                    links.url_for_id(endpoint, "item_id", 5, **values)
        with app.test_request_context("/", **where):
            for endpoint, values in ITEM_LINKS:
                for item_id in IDS:
                    assert links.url_for_id(endpoint, "item_id", item_id, **values) == (
                        flask_url_for(endpoint, item_id=item_id, **values)
                    )


def test_every_kind_of_item_links_as_flask_builds_it(app, make_item):
    from wijk.content.page import item_link
    from wijk.content.services import KIND_SLUGS
    from wijk.visibility import item_view

    def expected(item, endpoint: str) -> str:
        if item.kind == "news":
            news = "discover.news_page" if endpoint == "show" else f"discover.{endpoint}_news"
            return flask_url_for(news, item_id=item.id)
        return flask_url_for(
            f"content.{endpoint}", kind_slug=KIND_SLUGS[item.kind], item_id=item.id
        )

    items = [make_item(kind) for kind in ("activity", "organisation", "offer", "news")]
    for where in REQUESTS:
        with app.test_request_context("/", **where):
            for item in items:
                view = item_view(item, None)
                for endpoint in ("show", "edit", "delete"):
                    assert item_link(view, endpoint) == expected(item, endpoint)


def test_an_item_links_shape_is_built_once_per_request_shape(app, monkeypatch):
    built: list[str] = []

    def counting(endpoint, **values):
        built.append(endpoint)
        return flask_url_for(endpoint, **values)

    monkeypatch.setattr(links, "flask_url_for", counting)
    app.extensions[links.EXTENSION] = links._Shapes(links.SHAPES_KEPT)
    with app.test_request_context("/"):
        for item_id in range(50):
            links.url_for_id("content.show", "item_id", item_id, kind_slug="activiteit")
    shaped = len(built)
    assert 0 < shaped <= 3
    with app.test_request_context("/", base_url="http://localhost/sub/"):
        assert links.url_for_id("content.show", "item_id", 9, kind_slug="activiteit") == (
            "/sub/activiteit/9"
        )
    assert len(built) == 2 * shaped  # another script root is another shape


@pytest.mark.parametrize(
    "item_id", ["12", -3, True, 2.0], ids=["text", "negative", "bool", "float"]
)
def test_an_id_that_is_not_a_plain_count_is_left_to_flask(app, monkeypatch, item_id):
    asked: list[object] = []

    def recording(endpoint, **values):
        asked.append(values["item_id"])
        return flask_url_for(endpoint, **values)

    monkeypatch.setattr(links, "flask_url_for", recording)
    with app.test_request_context("/"):
        links.url_for_id("content.show", "item_id", item_id, kind_slug="activiteit")
    assert asked == [item_id]


def test_a_route_whose_link_is_not_text_around_the_id_is_built_by_flask():
    app = Flask(__name__)

    @app.get("/dag/<int(fixed_digits=4):item_id>")
    def padded(item_id):
        return ""

    links.register(app)
    with app.test_request_context("/"):
        for item_id in (7, 12345):
            assert links.url_for_id("padded", "item_id", item_id) == flask_url_for(
                "padded", item_id=item_id
            )
        assert links.url_for_id("padded", "item_id", 7) == "/dag/0007"
