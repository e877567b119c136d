"""The relay contact form: visitors reach a contact person whose address never travels
to the browser, through a real SMTP server."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.mail.delivery import run_once
from wijk.models import BlockedSender, OutboxMessage, RelayMessage, Report

VISITOR = {
    "name": "Vera Bezoeker",
    "email": "vera@example.net",
    "message": "Hallo, is de ladder nog beschikbaar?",
}


def contact(client, item, data=None, **environ):
    slug = {"activity": "activiteit", "organisation": "organisatie", "offer": "vraag-aanbod"}[
        item.kind
    ]
    return client.post(f"/{slug}/{item.id}/contact", data=data or VISITOR, environ_base=environ)


def links(message) -> list[str]:
    text = message.get_body(("plain",)).get_content()
    return [u.split("localhost", 1)[1] for u in re.findall(r"https?://\S+", text)]


def test_visitor_message_arrives_with_to_and_reply_to(client, app, make_item, smtp_server):
    item = make_item("offer", title="Ladder te leen", contact_email="eigenaar@example.org")
    page = client.get(f"/vraag-aanbod/{item.id}").get_data(as_text=True)
    assert "eigenaar@example.org" not in page and 'name="message"' in page

    response = contact(client, item)
    assert response.status_code == 302
    after = client.get(response.headers["Location"])
    assert "eigenaar@example.org" not in after.get_data(as_text=True)
    assert "eigenaar@example.org" not in str(after.headers)

    assert smtp_server.messages == []  # nothing is sent inside the request
    run_once(app)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["eigenaar@example.org"]
    # Only the visitor's alias travels: the contact's answer goes back through the relay.
    assert re.fullmatch(r"r-[0-9a-f]{32}@relay\.wijk\.localhost", mail.message["Reply-To"])
    assert mail.message["From"].addresses[0].addr_spec == mail.message["Reply-To"]
    assert mail.message["From"].addresses[0].display_name == "Vera Bezoeker via Wijk"
    assert "vera@example.net" not in mail.raw.decode()
    assert "Ladder te leen" in mail.message["Subject"]
    body = mail.message.get_body(("plain",)).get_content()
    assert "Hallo, is de ladder nog beschikbaar?" in body
    assert any("/melden" in link for link in links(mail.message))


def test_without_contact_email_the_owner_account_receives(
    client, app, make_item, make_user, smtp_server
):
    owner = make_user(email="owner@example.org")
    item = make_item("activity", owner=owner)
    contact(client, item)
    run_once(app)
    assert smtp_server.messages[0].rcpt_tos == ["owner@example.org"]


def test_bad_input_keeps_the_text_and_says_why(client, make_item):
    item = make_item("activity")
    response = contact(
        client, item, {"name": "", "email": "geen-adres", "message": "Mijn bewaarde tekst hier"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="contact-name-error"' in html and 'id="contact-email-error"' in html
    assert "Mijn bewaarde tekst hier" in html
    assert db.session.scalar(select(func.count(RelayMessage.id))) == 0


@pytest.mark.parametrize("message", ["kort", "x" * 5001])
def test_message_length_is_limited(client, make_item, message):
    item = make_item("activity")
    response = contact(client, item, {**VISITOR, "message": message})
    assert response.status_code == 400
    assert 'id="contact-message-error"' in response.get_data(as_text=True)


def test_honeypot_gets_the_same_answer_and_nothing_is_stored(client, make_item):
    item = make_item("activity")
    response = contact(client, item, {**VISITOR, "website": "http://spam.example"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_blocked_sender_gets_confirmation_but_nothing_is_delivered(
    client, app, make_item, smtp_server
):
    item = make_item("offer", contact_email="eigenaar@example.org")
    contact(client, item)
    run_once(app)
    block_link = next(
        link for link in links(smtp_server.messages[0].message) if "blokkeren" in link
    )
    assert "v***@example.net" in client.get(block_link).get_data(as_text=True)
    assert client.post(block_link).status_code == 200
    stored = db.session.scalar(select(BlockedSender))
    assert "vera@example.net" not in (stored.sender_hash + stored.sender_hint)

    response = contact(client, item, {**VISITOR, "email": "VERA@example.net"})
    assert response.status_code == 302
    assert "bericht is verstuurd" in client.get(response.headers["Location"]).get_data(as_text=True)
    run_once(app)
    assert len(smtp_server.messages) == 1
    assert db.session.scalar(select(func.count(RelayMessage.id))) == 1


def test_recipient_reports_abuse(client, app, make_item, smtp_server):
    item = make_item("activity")
    contact(client, item)
    run_once(app)
    report_link = next(link for link in links(smtp_server.messages[0].message) if "melden" in link)
    assert client.post(report_link, data={"reason": ""}).status_code == 400
    assert client.post(report_link, data={"reason": "Spam"}).status_code == 200
    report = db.session.scalar(select(Report))
    assert report.item_id == item.id and report.reason == "Spam"


def test_tampered_block_link_is_refused(client):
    assert client.get("/bericht/garbage/blokkeren").status_code == 404


@pytest.mark.parametrize("state", ["hidden", "expired"])
def test_relay_closes_for_hidden_or_expired_items(client, auth, make_item, make_user, state):
    if state == "hidden":
        item = make_item("activity", status="hidden")
    else:
        item = make_item("offer", expires_on=date.today() - timedelta(days=1))
    response = contact(client, item)
    assert response.status_code in (404, 410)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_relay_closes_when_the_item_is_deleted(client, make_item):
    item = make_item("activity")
    item_id = item.id
    db.session.delete(item)
    db.session.commit()
    assert client.post(f"/activiteit/{item_id}/contact", data=VISITOR).status_code == 404


def test_per_visitor_rate_limit_answers_429_with_a_friendly_page(client, make_item):
    item = make_item("activity")
    statuses = [contact(client, item).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    html = contact(client, item).get_data(as_text=True)
    assert "<h1>Even geduld</h1>" in html


def test_per_recipient_rate_limit_holds_across_visitors(client, make_item):
    item = make_item("activity")
    statuses = [contact(client, item, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(21)]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429


def test_no_address_is_stored_for_rate_limiting(client, app, make_item):
    item = make_item("activity")
    contact(client, item, REMOTE_ADDR="203.0.113.77")
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            assert "203.0.113.77" not in str(tuple(row))
