"""Parts rendered once per process and language (wijk/layout.py): the layout's links, menu,
language list and footer, and the blank relay contact form. A speed measure (bench/);
these tests prove the parts follow the language at once, never carry one visitor's
CSRF token or text to another, and render the same HTML as the templates they replace."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import get_locale
from markupsafe import Markup

from wijk import layout

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
LAYOUT_PARTS = {"base.links", "base.header", "base.language_menu", "base.languages", "base.footer"}


@pytest.fixture
def part_renders(app, monkeypatch):
    """(name, language) of every part whose block was rendered, not taken from the memo."""
    rendered = []
    original = app.jinja_env.globals.get("once", layout.once)

    def counted(name, caller):
        def counting_caller():
            rendered.append((name, str(get_locale())))
            return caller()

        return original(name, counting_caller)

    monkeypatch.setitem(app.jinja_env.globals, "once", counted)
    return rendered


def item_url(item) -> str:
    slug = {"activity": "activiteit", "organisation": "organisatie", "offer": "vraag-aanbod"}
    return f"/{slug[item.kind]}/{item.id}"


def test_the_layout_is_rendered_once_per_language_for_every_page(client, make_item, part_renders):
    item = make_item("activity")
    for url in ("/voorwaarden", item_url(item), "/bestaat-niet", "/voorwaarden?x=1"):
        client.get(url)
    client.post("/taal", data={"lang": "en", "next": "/"})
    for url in ("/voorwaarden", item_url(item)):
        client.get(url)
    layout_renders = [(name, lang) for name, lang in part_renders if name in LAYOUT_PARTS]
    assert sorted(layout_renders) == sorted(
        (name, lang) for name in LAYOUT_PARTS for lang in ("nl", "en")
    )


def test_a_language_switch_shows_the_other_language_at_once(client):
    html = client.get("/voorwaarden").get_data(as_text=True)
    assert '<html lang="nl" dir="ltr">' in html and ">Hulp nodig?</a>" in html
    assert 'value="nl" lang="nl" aria-current="true"' in html
    client.post("/taal", data={"lang": "en", "next": "/voorwaarden"})
    html = client.get("/voorwaarden").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html and ">Need help?</a>" in html
    assert 'value="en" lang="en" aria-current="true"' in html
    assert 'value="nl" lang="nl" aria-current' not in html
    client.post("/taal", data={"lang": "ar", "next": "/voorwaarden"})
    html = client.get("/voorwaarden").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html and "Need help?" not in html
    assert 'value="ar" lang="ar" aria-current="true"' in html


def test_the_layout_follows_the_configured_languages(app, client):
    assert 'name="lang" value="tr"' in client.get("/voorwaarden").get_data(as_text=True)
    app.config["LANGUAGES"] = ["nl", "en"]
    assert 'name="lang" value="tr"' not in client.get("/voorwaarden").get_data(as_text=True)


def test_each_session_gets_its_own_csrf_token_in_the_layout(app):
    first, second = app.test_client(), app.test_client()
    tokens = []
    for client in (first, second, first):
        html = client.get("/voorwaarden").get_data(as_text=True)
        [token] = TOKEN.findall(html)
        tokens.append(token)
    assert tokens[0] != tokens[1]
    # Each session's token is accepted for that session: the language form posts with it.
    response = second.post("/taal", data={"lang": "en", "next": "/", "csrf_token": tokens[1]})
    assert response.status_code == 302


def test_the_account_menu_stays_each_visitors_own_around_the_shared_layout(
    app, client, auth, make_user
):
    anonymous = app.test_client()
    assert ">Inloggen</a>" in anonymous.get("/voorwaarden").get_data(as_text=True)
    auth.login(make_user(name="Mirjam Ingelogd"))
    html = client.get("/voorwaarden").get_data(as_text=True)
    assert ">Uitloggen</button>" in html and ">Inloggen</a>" not in html
    html = anonymous.get("/voorwaarden").get_data(as_text=True)
    assert ">Inloggen</a>" in html and "Uitloggen" not in html


def test_the_language_form_returns_to_the_page_it_is_on(client):
    html = client.get("/voorwaarden?x=1").get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/voorwaarden?x=1">' in html
    html = client.get("/privacy").get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/privacy?">' in html


@pytest.mark.parametrize(
    "inside",
    ["{{ csrf_token() }}", '{{ personal("_personal/account_nav.html") }}', "{{ page_path() }}"],
)
def test_a_shared_part_refuses_what_belongs_to_one_visitor(app, inside):
    with app.test_request_context("/voorwaarden"):
        with pytest.raises(layout.SharedPartError):
            render_template_string('{% call once("test.part") %}' + inside + "{% endcall %}")
        # ... and outside a part all is as before.
        assert render_template_string("{{ csrf_token() }}")


def test_the_layout_html_is_that_of_its_template(app, client, make_item, monkeypatch):
    """The same page with every part rendered in place: byte for byte the same."""
    item = make_item("activity")
    urls = ("/voorwaarden", item_url(item), "/bestaat-niet")
    memo = [TOKEN.sub("", client.get(url).get_data(as_text=True)) for url in urls]
    monkeypatch.setitem(
        app.jinja_env.globals,
        "once",
        lambda name, caller: Markup(caller()),  # noqa: S704
    )
    in_place = [TOKEN.sub("", client.get(url).get_data(as_text=True)) for url in urls]
    assert memo == in_place


# --- the relay contact form ---------------------------------------------------------------


def test_a_blank_contact_form_is_rendered_once_per_language(client, make_item, part_renders):
    items = [make_item("activity"), make_item("offer")]
    for item in items:
        assert 'id="contact-message"' in client.get(item_url(item)).get_data(as_text=True)
    client.post("/taal", data={"lang": "tr", "next": "/"})
    for item in items:
        client.get(item_url(item))
    forms = [lang for name, lang in part_renders if name == "content.contact_fields"]
    assert forms == ["nl", "tr"]


def test_the_blank_contact_form_is_the_form_that_checks_the_post(app, make_item):
    """The shared blank form is what ContactForm renders: the same fields, labels, limits."""
    from wijk.contact.forms import ContactForm
    from wijk.content.page import render_item_page

    item = make_item("activity")
    for lang in ("nl", "ar"):
        with app.test_request_context(item_url(item) + f"?lang={lang}"):
            shared = render_item_page(item)
            own = render_item_page(item, contact_form=ContactForm(formdata=None))
        assert 'id="contact-name"' in shared
        assert TOKEN.sub("", shared) == TOKEN.sub("", own)


def test_a_contact_form_with_errors_keeps_the_visitors_text_and_shares_none(app, client, make_item):
    item = make_item("activity")
    client.get(item_url(item))  # the blank form is in the memo
    data = {"name": "Vera <Bezoeker>", "email": "geen-adres", "message": "Mijn bewaarde tekst"}
    response = client.post(item_url(item) + "/contact", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Vera &lt;Bezoeker&gt;"' in html and "Mijn bewaarde tekst" in html
    assert 'id="contact-email-error"' in html and 'aria-invalid="true"' in html
    other = app.test_client().get(item_url(item)).get_data(as_text=True)
    assert "Vera" not in other and "Mijn bewaarde tekst" not in other
    assert 'id="contact-email-error"' not in other


# --- the environment ------------------------------------------------------------------


def test_templates_read_the_environments_own_globals(app):
    """Every context and macro import copies a template's globals: from the environment's
    dict that is C work, over Jinja's default ChainMap it ran key by key in Python."""
    template = app.jinja_env.get_template("_macros.html")
    assert template.globals is app.jinja_env.globals
    # A global set after the template was loaded is seen by it, as before ...
    app.jinja_env.globals["wijk_test_late"] = "late"
    assert app.jinja_env.from_string("{{ wijk_test_late }}").render() == "late"
    del app.jinja_env.globals["wijk_test_late"]
    # ... and a template given globals of its own keeps them to itself.
    own = app.jinja_env.from_string("{{ mine }}", globals={"mine": "own"})
    assert own.render() == "own" and "mine" not in app.jinja_env.globals
