"""What a municipality must be able to show: the terms of use with every earlier version,
the privacy statement's history, processors and officer, and the accessibility
statement with the outcome of the site's own check."""

from __future__ import annotations

import re

from sqlalchemy import select

from wijk.extensions import db
from wijk.legal import accessibility
from wijk.models import AccessibilityCheck, PublishedDocument
from wijk.models.base import utcnow


def test_terms_and_accessibility_pages_answer(client):
    assert client.get("/voorwaarden").status_code == 200
    assert client.get("/toegankelijkheid").status_code == 200


def test_footer_links_terms_and_accessibility_statement(client):
    html = client.get("/").get_data(as_text=True)
    footer = html[html.index('class="site-footer"') :]
    assert 'href="/voorwaarden"' in footer and 'href="/toegankelijkheid"' in footer


def test_signup_checkbox_links_to_the_terms(client):
    html = client.get("/registreren").get_data(as_text=True)
    after_checkbox = html[html.index('id="accept_terms"') :]
    assert 'href="/voorwaarden"' in after_checkbox[:1500]


def test_raising_the_terms_version_keeps_the_old_text_readable(client, app):
    app.config["TERMS_VERSION"] = "2026-11"
    assert "2026-11" in client.get("/voorwaarden").get_data(as_text=True)
    app.config["TERMS_VERSION"] = "2027-03"
    current = client.get("/voorwaarden").get_data(as_text=True)
    assert "2027-03" in current

    listing = client.get("/voorwaarden/versies").get_data(as_text=True)
    links = re.findall(r'href="(/voorwaarden/versies/\d+)"', listing)
    assert len(links) == 2
    old = db.session.scalar(
        select(PublishedDocument).where(
            PublishedDocument.document == "terms", PublishedDocument.version == "2026-11"
        )
    )
    page = client.get(f"/voorwaarden/versies/{old.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Versie 2026-11" in text and "Gebruiksvoorwaarden" in text
    new = client.get(links[0]).get_data(as_text=True)
    assert "Toegevoegd:" in new and "2027-03" in new


def test_the_same_text_is_published_once(client):
    client.get("/voorwaarden")
    client.get("/voorwaarden")
    client.get("/voorwaarden", headers={"Accept-Language": "en"})
    assert (
        len(
            db.session.scalars(
                select(PublishedDocument).where(PublishedDocument.document == "terms")
            ).all()
        )
        == 1
    )


def test_privacy_statement_history_says_what_changed(client, app):
    client.get("/privacy")
    app.config["PROCESSORS"] = [
        *app.config["PROCESSORS"],
        {
            "role": "other",
            "name": "Buurtkrant Drukkerij BV",
            "location": "Utrecht",
            "task": "prints the newsletter",
        },
    ]
    client.get("/privacy")
    rows = db.session.scalars(
        select(PublishedDocument)
        .where(PublishedDocument.document == "privacy")
        .order_by(PublishedDocument.id)
    ).all()
    assert len(rows) == 2
    assert "Buurtkrant" not in client.get(f"/privacy/versies/{rows[0].id}").get_data(as_text=True)
    latest = client.get(f"/privacy/versies/{rows[1].id}").get_data(as_text=True)
    assert re.search(r"<ins>Toegevoegd:[^<]*Buurtkrant Drukkerij BV", latest)
    assert 'href="/privacy/versies"' in client.get("/privacy").get_data(as_text=True)


def test_archived_version_of_another_document_is_not_found(client):
    client.get("/voorwaarden")
    terms = db.session.scalar(select(PublishedDocument.id))
    assert client.get(f"/privacy/versies/{terms}").status_code == 404


def test_privacy_statement_names_processors_officer_and_backups(client, app, runner):
    app.config.update(
        PROCESSORS=[
            {
                "role": "hosting",
                "name": "Hostnet Amsterdam",
                "location": "Amsterdam (NL)",
                "task": "runs the site",
            },
            {
                "role": "mail",
                "name": "Postbode Mail BV",
                "location": "Eindhoven (NL)",
                "task": "delivers e-mail",
            },
        ],
        DPO_NAME="Fenna Gegevens",
        DPO_CONTACT="fg@gemeente.example",
        BACKUP_KEEP_DAYS=42,
    )
    html = client.get("/privacy").get_data(as_text=True)
    for expected in (
        "Hostnet Amsterdam",
        "Amsterdam (NL)",
        "Postbode Mail BV",
        "Fenna Gegevens",
        "fg@gemeente.example",
        "42 dagen",
    ):
        assert expected in html
    register = runner.invoke(args=["privacy-register"]).output
    assert "Hostnet Amsterdam" in register and "Fenna Gegevens" in register
    assert "42" in register


def test_without_an_officer_the_statement_says_why(client, app):
    app.config.update(DPO_NAME=None, DPO_NONE_REASON="Geen grootschalige verwerking.")
    html = client.get("/privacy").get_data(as_text=True)
    assert "Geen grootschalige verwerking." in html


def test_the_automated_check_finds_what_it_promises_to():
    page = (
        "<html><head><title></title></head><body><h1>a</h1><h1>b</h1>"
        '<img src="x.png"><a href="/y"></a><input name="q" id="q"><p id="d"></p>'
        '<p id="d"></p></body></html>'
    )
    problems = accessibility.check_html(page)
    assert {
        "no language on the html element",
        "no page title",
        "2 main headings (h1) instead of one",
        "image without alt text: x.png",
        "link without text: /y",
        "form field without label: input q",
        "id used more than once: d",
    } <= set(problems)
    fine = (
        '<html lang="nl"><head><title>t</title></head><body><h1>a</h1>'
        '<label for="q">Zoek</label><input name="q" id="q"><a href="/"><img src="l.png"'
        ' alt="Home"></a></body></html>'
    )
    assert accessibility.check_html(fine) == []


def test_accessibility_statement_shows_the_date_and_outcome_of_the_check(client, runner):
    assert "nog niet" in client.get("/toegankelijkheid").get_data(as_text=True)
    result = runner.invoke(args=["accessibility-check"])
    assert result.exit_code == 0, result.output
    check = db.session.scalar(select(AccessibilityCheck))
    assert check.pages == len(accessibility.PAGES)
    html = client.get("/toegankelijkheid").get_data(as_text=True)
    assert f"{check.pages} pagina" in html and f"{len(check.problems)} problemen" in html
    assert str(utcnow().year) in html
