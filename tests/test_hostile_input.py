"""Hostile input never becomes a 500 and never loses what a person typed: control
characters in `next`, ids beyond 64 bits, e-mail addresses the outbox cannot deliver."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from wijk.converters import IdConverter
from wijk.extensions import db
from wijk.mail.address import mailable
from wijk.models import OutboxMessage, RelayMessage, User

HUGE = 10**20  # 21 digits, far beyond 2**63


@pytest.mark.parametrize("next_url", ["/\r\nSet-Cookie: x=1", "/account\n", "/a\x00b"])
def test_language_switch_with_control_characters_in_next_goes_home(client, next_url):
    response = client.post("/taal", data={"lang": "en", "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_with_crlf_in_next_logs_in_and_stays_on_site(client, make_user):
    user = make_user()
    response = client.post(
        "/inloggen?next=/account%0D%0ASet-Cookie:%20x=1",
        data={"email": user.email, "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"]
    assert response.headers["Location"] == "/mijn/bijdragen"


def _value_for(match: re.Match) -> str:
    converter, args, _name = match.groups()
    if converter == "int":
        return str(HUGE)
    if converter == "any":  # the first of the allowed values, e.g. a kind's path
        return args.split(",")[0].strip().strip("'\"")
    return "x"


def test_an_id_beyond_64_bits_is_a_404_on_every_route(app, client, auth, make_user):
    auth.login(make_user(is_admin=True))
    checked = 0
    for rule in app.url_map.iter_rules():
        ids = {
            name
            for name, converter in rule._converters.items()
            if isinstance(converter, IdConverter)
        }
        if not ids:
            continue
        path = re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", _value_for, rule.rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code == 404, (rule.rule, response.status_code)
        checked += 1
    assert checked >= 20


def test_a_twenty_digit_id_is_a_404_not_a_500(client, make_item):
    make_item()
    assert client.get(f"/activiteit/{HUGE}").status_code == 404
    assert client.get(f"/activiteit/{2**63}").status_code == 404
    assert client.get(f"/activiteit/{2**31}").status_code == 404  # beyond PostgreSQL's INTEGER
    assert client.post(f"/activiteit/{HUGE}/aanmelden").status_code == 404


def test_a_contact_message_from_an_accented_address_is_refused_and_kept(client, make_item):
    item = make_item("offer", contact_email="eigenaar@example.org")
    message = "Hallo, is de ladder nog beschikbaar? Groet, Jörg"
    response = client.post(
        f"/vraag-aanbod/{item.id}/contact",
        data={"name": "Jörg", "email": "jörg@example.org", "message": message},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "special letters before the @" in html or "speciale letters" in html
    assert message in html and "jörg@example.org" in html  # nothing typed is lost
    assert db.session.scalar(select(RelayMessage)) is None
    assert db.session.scalar(select(OutboxMessage)) is None


def test_an_international_domain_works_end_to_end_in_ascii(client, make_item):
    item = make_item("offer", contact_email="eigenaar@example.org")
    response = client.post(
        f"/vraag-aanbod/{item.id}/contact",
        data={
            "name": "Anna",
            "email": "anna@bücher.example",
            "message": "Hallo, is de ladder nog beschikbaar?",
        },
    )
    assert response.status_code == 302
    outbox = db.session.scalar(select(OutboxMessage))
    assert outbox is not None and outbox.to_addr.isascii()
    assert (outbox.reply_to or "").isascii()


def test_registration_with_an_accented_local_part_is_refused_at_the_form(client):
    response = client.post(
        "/registreren",
        data={
            "name": "Jörg",
            "email": "jörg@example.org",
            "password": "lange zin als wachtwoord",
            "password_repeat": "lange zin als wachtwoord",
            "accept_terms": "y",
            "confirm_age": "y",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "email-error" in html
    assert 'value="Jörg"' in html
    assert db.session.scalar(select(User)) is None
    assert db.session.scalar(select(OutboxMessage)) is None


def test_mailable_keeps_ascii_and_converts_international_domains():
    assert mailable("vera@example.net") == "vera@example.net"
    assert mailable("anna@bücher.example") == "anna@xn--bcher-kva.example"
    assert mailable("jörg@example.org") is None
    assert mailable("geen adres") is None
