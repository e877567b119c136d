"""Browser journeys of a manager and of a person leaving: a manager sends a newsletter and
a subscriber leaves it with one click; a person downloads their data, then deletes their
account."""

from __future__ import annotations

import re
import zipfile

import pyotp
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.mail.delivery import run_once
from wijk.models import NeighbourhoodManager, NewsletterSubscription, OutboxMessage, User
from wijk.models.base import utcnow

from .support import PASSWORD, log_in, screenshot


def send_newsletter(page, base: str, slug: str, subject: str) -> None:
    page.goto(base + f"/beheer/{slug}/nieuwsbrieven/nieuw")
    page.get_by_label("Onderwerp").fill(subject)
    page.get_by_label("Tekst").fill("Beste buren,\n\nZaterdag is er soep in het buurthuis.")
    page.get_by_role("button", name="Opslaan en voorbeeld bekijken").click()
    screenshot(page, "newsletter-preview")
    page.get_by_role("button", name=re.compile("Versturen naar de abonnees")).click()
    page.get_by_role("button", name=re.compile("Ja, verstuur naar")).click()  # confirmation


def test_manager_sends_a_newsletter_and_a_subscriber_leaves_with_one_click(
    app, live_server, new_page, smtp_server, make_user, make_neighbourhood
):
    place = make_neighbourhood("Lombok")
    manager = make_user(name="Mira Beheer")
    manager.totp_secret, manager.totp_enabled_at = pyotp.random_base32(), utcnow()
    db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=manager.id))
    subscriber = make_user(email="lid@example.org")
    db.session.add(
        NewsletterSubscription(
            user_id=subscriber.id,
            neighbourhood_id=place.id,
            source="account",
            subscribed_at=utcnow(),
        )
    )
    db.session.commit()

    page = new_page()
    log_in(page, live_server, manager)
    send_newsletter(page, live_server, place.slug, "Soep op zaterdag")
    run_once(app)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["lid@example.org"]
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = mail.message.get_body(("plain",)).get_content()
    link = next(u for u in re.findall(r"https?://\S+", text) if "afmelden" in u)

    reader = new_page()
    reader.goto(link)
    reader.get_by_role("button", name="Nieuwsbrief stoppen").click()
    screenshot(reader, "unsubscribed")
    db.session.expire_all()
    assert db.session.scalar(select(NewsletterSubscription.withdrawn_at)) is not None

    send_newsletter(page, live_server, place.slug, "Tweede nieuwsbrief")
    run_once(app)
    assert len(smtp_server.messages) == 1  # the second one skipped the person who left
    assert page.problems == [] and reader.problems == []


def test_a_person_downloads_their_data_then_deletes_their_account(
    app, live_server, new_page, make_user, make_item
):
    person = make_user(name="Daan Vertrekker", email="daan@example.org")
    make_item("offer", owner=person, title="Fiets te koop", contact_phone="0612345678")
    page = new_page()
    log_in(page, live_server, person)
    page.get_by_role("link", name="Mijn gegevens").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Mijn gegevens downloaden (ZIP)").click()
    archive = zipfile.ZipFile(download.value.path())
    data = archive.read("data.json").decode()
    assert "daan@example.org" in data and "Fiets te koop" in data

    page.goto(live_server + "/mijn/gegevens/verwijderen")
    page.get_by_label("Je wachtwoord").fill(PASSWORD)
    screenshot(page, "delete-account")
    page.get_by_role("button", name="Mijn account verwijderen").click()
    db.session.expire_all()
    assert db.session.get(User, person.id).deleted_at is not None
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.to_addr == "daan@example.org")
        )
        >= 1
    )  # the confirmation
    page.goto(live_server + "/mijn/gegevens")
    assert "/inloggen" in page.url  # logged out
    log_in(page, live_server, person)
    assert "/inloggen" in page.url  # and the login is refused (answered 400, by design)
    assert [p for p in page.problems if "status of 400" not in p] == []
