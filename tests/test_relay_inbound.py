"""The double-blind relay end to end: a real outbound SMTP server (smtp_fixtures) and the
real inbound receiver of `flask relay-inbound` on a free port. Neither side may ever see
the other's address, in any header or any body part."""

from __future__ import annotations

import re
import smtplib
import socket
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

import pytest
from smtp_fixtures import _allowed_lock, _allowed_ports
from sqlalchemy import func, select

from wijk.clock import utcnow
from wijk.contact import receiver
from wijk.extensions import db
from wijk.mail.delivery import run_once
from wijk.models import OutboxMessage, RelayAlias, RelayConversation, RelayMessage, RelaySide
from wijk.privacy.retention import purge

VISITOR = "vera@example.net"
CONTACT = "eigenaar@example.org"
FORM = {
    "name": "Vera Bezoeker",
    "email": VISITOR,
    "message": "Hallo, is de ladder nog beschikbaar?",
}
ALIAS = re.compile(r"^r-[0-9a-f]{32}@relay\.wijk\.localhost$")


class Receiver:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def send(self, message: EmailMessage | bytes, *, mail_from: str, to: str) -> None:
        data = message if isinstance(message, bytes) else message.as_bytes(policy=SMTP)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.sendmail(mail_from, [to], data)


@pytest.fixture
def relay_receiver(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = receiver.controller(app, "127.0.0.1", port, "http://localhost")
    server.start()
    with _allowed_lock:
        _allowed_ports.add(port)
    try:
        yield Receiver("127.0.0.1", port)
    finally:
        with _allowed_lock:
            _allowed_ports.discard(port)
        server.stop()


def mail_to(address: str, sender: str, to: str, text: str, **headers: str) -> EmailMessage:
    """A reply as a real mail client and its server would send it, naming the sender
    in every header that usually does."""
    domain = sender.rpartition("@")[2]
    message = EmailMessage()
    message["From"] = f"Echte Naam <{sender}>"
    message["Sender"] = sender
    message["Reply-To"] = sender
    message["To"] = to
    message["Subject"] = "Re: Ladder te leen"
    message["Message-ID"] = make_msgid(domain=f"mail.{domain}")
    message["Return-Path"] = f"<{sender}>"
    message["Received"] = f"from laptop.{domain} by mx.{domain}; Tue, 1 Dec 2026 10:00 +0000"
    message["DKIM-Signature"] = f"v=1; a=rsa-sha256; d={domain}; s=mail; b=abc"
    message["ARC-Seal"] = f"i=1; a=rsa-sha256; d={domain}; s=arc; b=def"
    message["List-Unsubscribe"] = f"<mailto:{sender}>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"{text}\n\n-- \nGroet, {address}\n")
    return message


def texts(received) -> list[str]:
    """Every header value and every decoded body part of a received mail."""
    message = received.message
    found = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if not part.is_multipart():
            found.append(str(part.get_content()))
    return found


def assert_never_names(received, address: str) -> None:
    domain = address.rpartition("@")[2]
    for text in texts(received) + [received.raw.decode("utf-8", "replace")]:
        assert address not in text.lower()
        assert f"mail.{domain}" not in text  # the sender's Message-ID host
        assert f"d={domain}" not in text  # their DKIM signature


def start_conversation(client, app, make_item, smtp_server):
    item = make_item("offer", title="Ladder te leen", contact_email=CONTACT)
    assert client.post(f"/vraag-aanbod/{item.id}/contact", data=FORM).status_code == 302
    run_once(app)
    [first] = smtp_server.messages
    visitor_alias = first.message["Reply-To"]
    assert ALIAS.match(visitor_alias)
    return item, first, visitor_alias


def links(received) -> dict[str, str]:
    text = received.message.get_body(("plain",)).get_content()
    found = [u.split("localhost", 1)[1] for u in re.findall(r"https?://\S+", text)]
    return {
        "block": next(u for u in found if "blokkeren" in u),
        "report": next(u for u in found if "melden" in u),
    }


def test_both_sides_talk_and_neither_sees_the_other_address(
    client, app, make_item, smtp_server, relay_receiver
):
    _item, first, visitor_alias = start_conversation(client, app, make_item, smtp_server)

    relay_receiver.send(
        mail_to(CONTACT, CONTACT, visitor_alias, "Ja hoor, kom maar langs."),
        mail_from=CONTACT,
        to=visitor_alias,
    )
    run_once(app)
    answer = smtp_server.messages[-1]
    assert answer.rcpt_tos == [VISITOR]
    assert "Ja hoor, kom maar langs." in answer.message.get_body(("plain",)).get_content()
    contact_alias = answer.message["Reply-To"]
    assert ALIAS.match(contact_alias) and contact_alias != visitor_alias
    assert answer.message["From"].addresses[0].addr_spec == contact_alias
    assert answer.message["From"].addresses[0].display_name == "Ladder te leen via Wijk"

    relay_receiver.send(
        mail_to(VISITOR, VISITOR, contact_alias, "Top, ik kom zaterdag."),
        mail_from=VISITOR,
        to=contact_alias,
    )
    run_once(app)
    follow_up = smtp_server.messages[-1]
    assert follow_up.rcpt_tos == [CONTACT]
    assert "Top, ik kom zaterdag." in follow_up.message.get_body(("plain",)).get_content()
    assert follow_up.message["Reply-To"] == visitor_alias
    # Threads in both mailboxes through our own reference, never a sender's Message-ID.
    assert follow_up.message["References"] == answer.message["References"]

    assert len(smtp_server.messages) == 3
    for received in smtp_server.messages:
        if received.rcpt_tos == [CONTACT]:
            assert_never_names(received, VISITOR)
        else:
            assert received.rcpt_tos == [VISITOR]
            assert_never_names(received, CONTACT)
    assert "Echte Naam" not in str(answer.message) + str(follow_up.message)


@pytest.mark.parametrize(
    "address",
    ["r-0123456789abcdef0123456789abcdef@relay.wijk.localhost", "someone@example.org", "expired"],
)
def test_unknown_foreign_or_expired_alias_is_refused_at_rcpt(
    client, app, make_item, smtp_server, relay_receiver, address
):
    if address == "expired":
        _item, _first, address = start_conversation(client, app, make_item, smtp_server)
        for alias in db.session.scalars(select(RelayAlias)):
            alias.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        relay_receiver.send(
            mail_to(CONTACT, CONTACT, address, "Hallo"), mail_from=CONTACT, to=address
        )
    [(code, _text)] = refused.value.recipients.values()
    assert 550 <= code < 600


@pytest.mark.parametrize(
    "headers, mail_from",
    [
        ({"Auto-Submitted": "auto-replied"}, CONTACT),
        ({"Precedence": "bulk"}, CONTACT),
        ({"X-Autoreply": "yes"}, CONTACT),
        ({"X-Loop": "relay.wijk.localhost"}, CONTACT),
        ({}, ""),  # a bounce: empty return path
    ],
)
def test_auto_replies_bounces_and_loops_are_not_relayed(
    client, app, make_item, smtp_server, relay_receiver, headers, mail_from
):
    _item, _first, visitor_alias = start_conversation(client, app, make_item, smtp_server)
    relay_receiver.send(
        mail_to(CONTACT, CONTACT, visitor_alias, "Ik ben met vakantie.", **headers),
        mail_from=mail_from,
        to=visitor_alias,
    )
    assert run_once(app) == 0
    assert len(smtp_server.messages) == 1
    assert db.session.scalar(select(func.count(RelayMessage.id))) == 1


def test_relayed_mail_itself_coming_back_is_not_relayed(
    client, app, make_item, smtp_server, relay_receiver
):
    """A contact whose mailbox forwards everything to the visitor's alias: our own loop
    header stops it."""
    _item, first, visitor_alias = start_conversation(client, app, make_item, smtp_server)
    relay_receiver.send(first.raw, mail_from=CONTACT, to=visitor_alias)
    assert run_once(app) == 0


def test_blocked_contact_reply_is_dropped(client, app, make_item, smtp_server, relay_receiver):
    _item, _first, visitor_alias = start_conversation(client, app, make_item, smtp_server)
    relay_receiver.send(
        mail_to(CONTACT, CONTACT, visitor_alias, "Eerste antwoord."),
        mail_from=CONTACT,
        to=visitor_alias,
    )
    run_once(app)
    answer = smtp_server.messages[-1]
    block = links(answer)["block"]
    page = client.get(block).get_data(as_text=True)
    assert CONTACT not in page and "example.org" not in page
    assert client.post(block).status_code == 200

    relay_receiver.send(
        mail_to(CONTACT, CONTACT, visitor_alias, "Nog een antwoord."),
        mail_from=CONTACT,
        to=visitor_alias,
    )  # accepted: learns nothing
    assert run_once(app) == 0
    assert len(smtp_server.messages) == 2


def test_contact_blocks_from_the_first_message_and_the_visitor_reply_is_dropped(
    client, app, make_item, smtp_server, relay_receiver
):
    _item, first, visitor_alias = start_conversation(client, app, make_item, smtp_server)
    relay_receiver.send(
        mail_to(CONTACT, CONTACT, visitor_alias, "Wie ben jij?"),
        mail_from=CONTACT,
        to=visitor_alias,
    )
    run_once(app)
    contact_alias = smtp_server.messages[-1].message["Reply-To"]
    assert client.post(links(first)["block"]).status_code == 200

    relay_receiver.send(
        mail_to(VISITOR, VISITOR, contact_alias, "Toch nog even dit."),
        mail_from=VISITOR,
        to=contact_alias,
    )
    assert run_once(app) == 0


def test_a_reply_can_be_reported_by_the_visitor(
    client, app, make_item, smtp_server, relay_receiver
):
    from wijk.models import Report

    item, _first, visitor_alias = start_conversation(client, app, make_item, smtp_server)
    relay_receiver.send(
        mail_to(CONTACT, CONTACT, visitor_alias, "Iets onaardigs."),
        mail_from=CONTACT,
        to=visitor_alias,
    )
    run_once(app)
    report = links(smtp_server.messages[-1])["report"]
    assert client.post(report, data={"reason": "Scheldwoorden"}).status_code == 200
    stored = db.session.scalar(select(Report))
    assert stored.item_id == item.id
    assert stored.relay_message.sender_side == RelaySide.CONTACT
    assert stored.relay_message.body.startswith("Iets onaardigs.")


def test_attachments_are_not_relayed(client, app, make_item, smtp_server, relay_receiver):
    _item, _first, visitor_alias = start_conversation(client, app, make_item, smtp_server)
    message = mail_to(CONTACT, CONTACT, visitor_alias, "Hier een foto.")
    message.add_attachment(
        b"\xff\xd8\xff\xe0 not really a jpeg with GPS",
        maintype="image",
        subtype="jpeg",
        filename="IMG_0001.jpg",
    )
    relay_receiver.send(message, mail_from=CONTACT, to=visitor_alias)
    run_once(app)
    answer = smtp_server.messages[-1].message
    assert list(answer.iter_attachments()) == []
    text = answer.get_body(("plain",)).get_content()
    assert "Hier een foto." in text and "IMG_0001" not in text


def test_each_side_has_a_daily_limit_per_alias(client, app, make_item, smtp_server, relay_receiver):
    app.config["RELAY_DAILY_LIMIT"] = 1
    _item, _first, visitor_alias = start_conversation(client, app, make_item, smtp_server)
    relay_receiver.send(
        mail_to(CONTACT, CONTACT, visitor_alias, "Een."), mail_from=CONTACT, to=visitor_alias
    )
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        relay_receiver.send(
            mail_to(CONTACT, CONTACT, visitor_alias, "Twee."), mail_from=CONTACT, to=visitor_alias
        )
    [(code, _text)] = refused.value.recipients.values()
    assert code == 450


def test_oversized_mail_is_refused(app, client, make_item, smtp_server):
    app.config["RELAY_MAX_BYTES"] = 4000
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = receiver.controller(app, "127.0.0.1", port, "http://localhost")
    server.start()
    with _allowed_lock:
        _allowed_ports.add(port)
    try:
        _item, _first, visitor_alias = start_conversation(client, app, make_item, smtp_server)
        with pytest.raises(smtplib.SMTPException):
            Receiver("127.0.0.1", port).send(
                mail_to(CONTACT, CONTACT, visitor_alias, "x" * 8000),
                mail_from=CONTACT,
                to=visitor_alias,
            )
    finally:
        with _allowed_lock:
            _allowed_ports.discard(port)
        server.stop()
    assert db.session.scalar(select(func.count(RelayMessage.id))) == 1


def test_aliases_expire_28_days_after_the_last_message(client, app, make_item, smtp_server):
    start_conversation(client, app, make_item, smtp_server)
    now = utcnow()
    assert purge(now + timedelta(days=27))["relay_alias"] == 0
    assert purge(now + timedelta(days=28, minutes=1))["relay_alias"] == 2
    assert db.session.scalar(select(func.count(RelayAlias.id))) == 0
    assert db.session.scalar(select(func.count(RelayConversation.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_privacy_statement_shows_the_alias_rule(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "28 dagen na het laatste bericht" in html


def test_contact_form_hint_says_what_each_side_sees(client, make_item):
    item = make_item("offer", contact_email=CONTACT)
    html = client.get(f"/vraag-aanbod/{item.id}").get_data(as_text=True)
    assert "ziet je naam en je bericht, niet je e-mailadres" in html
    assert "They will see your name and e-mail address" not in html


def test_names_with_accents_and_quotes_arrive_readable_in_from(
    client, app, make_item, smtp_server, relay_receiver
):
    """A name is encoded once, by the message builder: no =?utf-8?...?= text in the name."""
    item = make_item("offer", title='Café "De Hoek": soep', contact_email=CONTACT)
    form = dict(FORM, name="Zoë Ünal")
    assert client.post(f"/vraag-aanbod/{item.id}/contact", data=form).status_code == 302
    run_once(app)
    [first] = smtp_server.messages
    assert first.message["From"].addresses[0].display_name == "Zoë Ünal via Wijk"
    relay_receiver.send(
        mail_to(CONTACT, CONTACT, first.message["Reply-To"], "Graag!"),
        mail_from=CONTACT,
        to=first.message["Reply-To"],
    )
    run_once(app)
    answer = smtp_server.messages[-1]
    assert answer.message["From"].addresses[0].display_name == 'Café "De Hoek": soep via Wijk'
