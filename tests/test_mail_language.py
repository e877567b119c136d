"""Mail is written in the recipient's stored language (the account's, or the one stored
with a sign-up, subscription, request or relay alias), never in the language of whoever
causes it or of the request that happens to queue it."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select

from wijk.clock import utcnow
from wijk.contact import inbound
from wijk.extensions import db
from wijk.mail import queue_mail, recipient_locale
from wijk.models import OutboxMessage, PrivacyRequest, RelayAlias, RelaySide


def last(kind: str) -> OutboxMessage:
    return db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def test_an_invitation_is_in_the_invited_persons_language(client, auth, make_user, make_item):
    owner = make_user()
    invited = make_user(email="helper@example.org")
    invited.locale = "en"
    db.session.commit()
    item = make_item("organisation", owner=owner, title="Buurtclub")
    auth.login(owner)
    client.post(f"/organisatie/{item.id}/uitnodigen?lang=nl", data={"email": invited.email})
    mail = last("invite")
    assert mail.body_text.startswith("Hello,") and "invites you" in mail.subject
    client.post(f"/organisatie/{item.id}/uitnodigen?lang=en", data={"email": "nieuw@example.org"})
    assert last("invite").body_text.startswith("Hallo,")  # no account: the site's language


def test_the_relay_writes_to_a_contact_address_in_its_accounts_language(
    client, make_user, make_item
):
    owner = make_user(email="eigenaar@example.org")
    colleague = make_user(email="collega@example.org")
    colleague.locale = "en"
    db.session.commit()
    item = make_item("activity", owner=owner, title="Klusdag", contact_email=colleague.email)
    client.post(
        f"/activiteit/{item.id}/contact?lang=nl",
        data={"name": "Vera", "email": "vera@example.net", "message": "Mag ik meedoen met jullie?"},
    )
    mail = last("relay")
    assert mail.to_addr == colleague.email
    assert "sent you a message through Wijk" in mail.body_text


def test_an_answer_reaches_the_visitor_in_the_language_they_wrote_in(
    app, client, make_user, make_item
):
    owner = make_user(email="eigenaar@example.org")
    item = make_item("activity", owner=owner, title="Klusdag")
    client.post(
        f"/activiteit/{item.id}/contact?lang=en",
        data={
            "name": "Vera",
            "email": "vera@example.net",
            "message": "Can I join you on Saturday?",
        },
    )
    assert "stuurde je via Wijk een bericht" in last("relay").body_text  # the owner: Dutch
    visitor = db.session.scalar(select(RelayAlias).where(RelayAlias.side == RelaySide.VISITOR))
    assert visitor.locale == "en"
    answer = EmailMessage()
    answer["From"] = owner.email
    answer["To"] = f"r-{visitor.token}@relay.wijk.localhost"
    answer["Subject"] = "Re: Klusdag"
    answer.set_content("Ja hoor, tot zaterdag!")
    with app.test_request_context("/?lang=nl"):
        assert inbound.relay(owner.email, answer.as_bytes(), [answer["To"]], utcnow()) == 1
    relayed = last("relay")
    assert relayed.to_addr == "vera@example.net"
    assert "An answer through Wijk" in relayed.body_text


def test_a_privacy_answer_is_in_the_language_of_the_request_not_the_admins(app, client, make_user):
    from wijk.privacy.services import answer_request

    client.post(
        "/privacy/verzoek?lang=en",
        data={
            "kind": "question",
            "email": "visitor@example.net",
            "message": "Which data do you keep about me?",
        },
    )
    request = db.session.scalar(select(PrivacyRequest))
    assert request.locale == "en"
    admin = make_user(is_admin=True)
    with app.test_request_context("/?lang=nl"):
        answer_request(request, "Nothing at all.", admin)
    mail = last("privacy_answer")
    assert mail.body_text.startswith("Hello,")
    assert "A question about my data" in mail.body_text  # the kind too, not in Dutch


def test_an_unknown_stored_language_gets_the_sites_language(app, make_user):
    person = make_user()
    person.locale = "xx"
    with app.test_request_context("/?lang=en"):
        assert recipient_locale("xx", None) == "nl"
        assert recipient_locale(None, "en") == "en"
        queue_mail(
            "verify", person.email, "verify", locale=person.locale, user=person, link="x", days=7
        )
    db.session.commit()
    assert last("verify").subject == "Bevestig je e-mailadres voor Wijk"
