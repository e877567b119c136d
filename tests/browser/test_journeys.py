"""What a person does in a real browser: sign up, confirm, post, publish a field; and a
visitor writing to the contact person."""

from __future__ import annotations

import re

from wijk.extensions import db
from wijk.mail.delivery import run_once
from wijk.models import Item

from .support import screenshot

PASSWORD = "een lang wachtwoord"


def last_link(smtp_server, path_part: str) -> str:
    text = smtp_server.messages[-1].message.get_body(("plain",)).get_content()
    return next(u for u in re.findall(r"https?://\S+", text) if path_part in u)


def test_register_verify_post_and_publish_a_phone(
    app, live_server, new_page, smtp_server, make_neighbourhood
):
    place = make_neighbourhood("Lombok", postcodes=("3531",))
    page = new_page()
    page.goto(live_server + "/")
    page.get_by_role("link", name="Account maken").click()
    page.get_by_label("Je naam").fill("Anna de Vries")
    page.get_by_label("E-mailadres").fill("anna@example.org")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal wachtwoord").fill(PASSWORD)
    page.get_by_label("Ik ga akkoord", exact=False).check()
    page.get_by_label("16 jaar", exact=False).check()
    page.get_by_role("button", name="Account maken").click()
    # The same answer whether or not the address has an account: check your e-mail.
    assert "Kijk in je e-mail" in page.content()

    run_once(app)
    page.goto(last_link(smtp_server, "/bevestigen/"))
    assert "bevestigd" in page.content()
    page.get_by_label("E-mailadres").fill("anna@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.goto(live_server + f"/plaatsen/activiteit?wijk={place.slug}")
    page.get_by_label("Titel").fill("Buurtbarbecue")
    page.get_by_label("Beschrijving").fill("Iedereen is welkom.\n\nNeem een stoel mee.")
    page.get_by_label("Begint").fill("2030-06-01T17:00")
    page.get_by_label("Telefoon").fill("06 1234 5678")
    screenshot(page, "post-activity-form")
    page.get_by_role("button", name="Plaatsen").click()
    assert "Buurtbarbecue" in page.content() and "verborgen" in page.content()

    visitor = new_page()
    item = db.session.query(Item).one()
    visitor.goto(live_server + f"/activiteit/{item.id}")
    assert "06 1234 5678" not in visitor.content()

    page.get_by_role("button", name=re.compile("Openbaar maken")).click()
    screenshot(page, "owner-item-page")
    visitor.reload()
    assert "06 1234 5678" in visitor.content()
    assert page.problems == [] and visitor.problems == []


def test_visitor_contacts_the_owner_who_receives_it(
    app, live_server, new_page, smtp_server, make_item, make_user
):
    owner = make_user(email="eigenaar@example.org")
    item = make_item("offer", owner=owner, title="Ladder te leen")
    page = new_page()
    page.goto(live_server + f"/vraag-aanbod/{item.id}")
    page.get_by_label("Je naam").fill("Vera Bezoeker")
    page.get_by_label("Je e-mailadres").fill("vera@example.net")
    page.get_by_label("Je bericht").fill("Is de ladder dit weekend vrij?")
    screenshot(page, "contact-form")
    page.get_by_role("button", name="Bericht versturen").click()
    assert "je bericht is verstuurd" in page.content()
    assert "eigenaar@example.org" not in page.content()
    run_once(app)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["eigenaar@example.org"]
    # The owner answers an alias of the conversation, never the visitor's own address.
    assert mail.message["Reply-To"].startswith("r-")
    assert "vera@example.net" not in mail.message.as_string()
    assert page.problems == []
