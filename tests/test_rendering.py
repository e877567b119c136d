"""Rendering work done once, not per use: an item card per distinct input (wijk/cards.py),
the catalogue per render rather than per translated string (wijk/languages.py). Both are
speed measures (bench/); these tests prove they never show anything outdated or in
the wrong language."""

from __future__ import annotations

import re

import flask_babel
import pytest
from flask import render_template_string
from flask_babel import force_locale

from wijk import languages
from wijk.extensions import db


@pytest.fixture
def card_renders(app, monkeypatch):
    """How often the card template itself was rendered."""
    template = app.jinja_env.get_template("_card.html")
    original = template.render
    count = []

    def counted(*args, **kwargs):
        count.append(kwargs.get("view"))
        return original(*args, **kwargs)

    monkeypatch.setattr(template, "render", counted)
    return count


def test_a_card_is_rendered_once_for_every_page_that_shows_it(app, client, make_item, card_renders):
    item = make_item("activity", title="Buurtsoep")
    slug = item.neighbourhood.slug
    for url in (f"/wijk/{slug}", f"/wijk/{slug}?pagina=1", f"/wijk/{slug}?x=1"):
        assert "Buurtsoep" in client.get(url).get_data(as_text=True)
    assert len([v for v in card_renders if v.id == item.id]) == 1


def test_a_changed_item_gets_a_new_card_at_once(app, client, make_item, card_renders):
    item = make_item("activity", title="Buurtsoep", location_name="Buurthuis")
    url = f"/wijk/{item.neighbourhood.slug}?x=1"  # a page of its own: no page cache between
    assert "Buurthuis" in client.get(url).get_data(as_text=True)
    item.title, item.location_name = "Soepavond", "De Linde"
    db.session.commit()
    html = client.get(url + "&y=2").get_data(as_text=True)
    assert "Soepavond" in html and "De Linde" in html
    assert "Buurtsoep" not in html and "Buurthuis" not in html


def test_a_card_follows_the_language(app, client, make_item):
    item = make_item("offer", title="Ladder te leen", offer_kind="offer")
    url = f"/wijk/{item.neighbourhood.slug}"
    assert ">Aanbod<" in client.get(url).get_data(as_text=True)
    client.post("/taal", data={"lang": "en", "next": url})
    assert ">Offer<" in client.get(url).get_data(as_text=True)


def test_a_page_looks_its_catalogue_up_per_render_not_per_string(
    app, client, make_item, monkeypatch
):
    make_item("activity", title="Buurtsoep")
    item = make_item("offer", title="Ladder te leen")
    url = f"/wijk/{item.neighbourhood.slug}?lang=en"
    client.get(url)  # the first request loads the catalogues
    lookups = []
    original = flask_babel.get_translations

    def counted():
        lookups.append(1)
        return original()

    # Flask-Babel's own template callables and ours both name it here.
    monkeypatch.setattr(flask_babel, "get_translations", counted)
    monkeypatch.setattr(languages, "get_translations", counted)
    html = client.get(url).get_data(as_text=True)
    assert "Offers and requests" in html
    assert html.count("<") > 200 and len(lookups) < 15


def test_a_template_rendered_in_another_language_within_a_request_uses_that_language(app):
    with app.test_request_context("/?lang=nl"):
        assert render_template_string("{{ _('Log in') }}") == "Inloggen"
        with force_locale("tr"):
            assert render_template_string("{{ _('Log in') }}") == "Giriş yap"
        assert render_template_string("{{ _('Log in') }}") == "Inloggen"


def test_a_translated_string_is_one_template_call(app, monkeypatch):
    """`_()` and `gettext()` are the most common calls on a page: each is one call into
    Python, not Jinja's alias, wrapper and function."""
    from jinja2.runtime import Context

    calls = []
    original = Context.call

    def counted(self, function, *args, **kwargs):
        calls.append(function)
        return original(self, function, *args, **kwargs)

    monkeypatch.setattr(Context, "call", counted)
    with app.test_request_context("/?lang=nl"):
        assert render_template_string("{{ _('Log in') }}{{ gettext('Log in') }}") == (
            "InloggenInloggen"
        )
    assert len(calls) == 2


def test_translated_strings_keep_jinjas_newstyle_rules(app):
    """Variables are escaped in HTML, every string is a format string (so `%%` is one
    percent sign), and text templates (mail) are not escaped."""
    with app.test_request_context("/?lang=en"):
        html = "{{ _('New from %(name)s', name=name) }}|{{ _('100%%') }}"
        assert render_template_string(html, name="<b>") == "New from &lt;b&gt;|100%"
        text = app.jinja_env.from_string(f"{{% autoescape false %}}{html}{{% endautoescape %}}")
        assert text.render(name="<b>").startswith("New from <b>|")
        assert render_template_string("{{ _('%(message)s!', message='x') }}") == "x!"


def test_a_card_imports_no_macros_however_many_cards_a_page_shows(
    app, client, make_item, make_neighbourhood, monkeypatch
):
    """Importing a macro module checks the caller's globals against the module's each time
    (about a tenth of a millisecond): once per page is fine, once per card was a tenth of
    a rendered agenda."""
    from jinja2.environment import Template

    place = make_neighbourhood()
    for n in range(6):
        make_item("activity", neighbourhood=place, title=f"Activiteit {n}")
        make_item("offer", neighbourhood=place, title=f"Aanbod {n}")
    imports = []
    original = Template._get_default_module

    def counted(self, ctx=None):
        imports.append(self.name)
        return original(self, ctx)

    monkeypatch.setattr(Template, "_get_default_module", counted)
    html = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    assert html.count('class="card card-') >= 12
    assert ">Aanbod<" in html  # the kind of an offer, now told by cards.kind_label
    assert len(imports) < 8


def test_a_card_is_one_template_call_and_names_its_place_where_the_page_asks(
    app, client, make_item, make_neighbourhood, monkeypatch
):
    """Pages call the Python global card(), not a macro around it: 26 cards on a
    neighbourhood page were 52 calls. A search everywhere names each card's
    neighbourhood (show_place); the neighbourhood's own page does not."""
    from jinja2.runtime import Context

    place = make_neighbourhood("Lombok")
    for n in range(3):
        make_item("activity", neighbourhood=place, title=f"Moestuin {n}")
    calls = []
    original = Context.call

    def counted(self, function, *args, **kwargs):
        name = getattr(function, "name", None) or getattr(function, "__name__", "")
        calls.append((type(function).__name__, name))
        return original(self, function, *args, **kwargs)

    monkeypatch.setattr(Context, "call", counted)
    html = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    assert html.count('class="card card-activity"') == 3
    assert '<p class="card-meta">Lombok</p>' not in html
    assert calls.count(("function", "card")) == 3 and ("Macro", "item_card") not in calls
    html = client.get("/zoeken?q=moestuin").get_data(as_text=True)
    assert html.count('<p class="card-meta">Lombok</p>') == 3


def test_series_of_one_rule_share_their_words_and_keep_their_own_weekday(
    app, client, make_item, make_neighbourhood, monkeypatch
):
    from datetime import datetime, timedelta

    from wijk import visibility

    place = make_neighbourhood()
    tuesday = datetime(2027, 3, 2, 19, 0)
    described = []
    original = visibility.describe

    def counted(rule, first):
        described.append((rule, first))
        return original(rule, first)

    monkeypatch.setattr(visibility, "describe", counted)
    for weeks in range(3):  # three Tuesday series, each starting on another date
        start = tuesday + timedelta(weeks=weeks)
        make_item("activity", neighbourhood=place, starts_at=start, rrule="FREQ=WEEKLY;COUNT=9")
    wednesday = tuesday + timedelta(days=1)
    make_item("activity", neighbourhood=place, starts_at=wednesday, rrule="FREQ=WEEKLY;COUNT=9")
    html = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    cards = html.split('<article class="card')[1:]
    days = [re.search(r"<time [^>]*>(\w+)", c).group(1) for c in cards]
    words = [re.search(r"elke week op (\w+)", c).group(1) for c in cards]
    assert days == words and {"dinsdag", "woensdag"} <= set(days)
    assert len([rule for rule, first in described if first.weekday() == 1]) == 1


class _Recording:
    """An ItemView that notes every field read from it."""

    def __init__(self, view, read: set[str]):
        self._view, self._read = view, read

    def __getattr__(self, name: str):
        self._read.add(name)
        return getattr(self._view, name)


def test_a_card_reads_only_the_fields_its_memo_is_keyed_by(app, make_item):
    """wijk/cards.py keys a card by cards.SHOWN alone; a card template that read any other
    field of the view could be served from the memo with that field outdated."""
    import dataclasses

    from wijk import cards
    from wijk.visibility import item_view

    organisation = make_item("organisation", title="Buurthuis")
    items = [
        make_item("activity", organisation=organisation, rrule="FREQ=WEEKLY;COUNT=3"),
        make_item("offer", offer_kind="offer"),
        make_item("offer", offer_kind="request"),
        organisation,
        make_item("news"),
    ]
    read: set[str] = set()
    with app.test_request_context("/"):
        template = app.jinja_env.get_template(cards.TEMPLATE)
        for item in items:
            view = dataclasses.replace(
                item_view(item, None),
                picture_key="abc123",
                categories=("sport",),
                moved=True,
                repeats="elke week",
            )
            for show_place in (True, False):
                html = template.render(
                    view=_Recording(view, read), heading="h3", show_place=show_place
                )
                assert view.title in html
    assert read, "nothing was recorded"
    assert read <= set(cards.SHOWN), read - set(cards.SHOWN)
