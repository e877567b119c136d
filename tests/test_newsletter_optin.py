"""Residents hear what is new (issue 13): a newsletter without an account by double
opt-in from the neighbourhood page, confirmed through a mail that really went over SMTP;
the markdown the form promises; the confirmation step that names the number of recipients
before anything is queued; and the optional agenda section."""

from __future__ import annotations

import re
from datetime import timedelta

from manage_fixtures import login
from sqlalchemy import func, select

from wijk.clock import local_now
from wijk.extensions import db
from wijk.mail.delivery import drain
from wijk.models import Newsletter, NewsletterSubscription, OutboxMessage
from wijk.models.base import utcnow
from wijk.privacy.retention import purge


def outbox(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def test_visitor_without_account_subscribes_from_the_page_and_confirms_by_mail(
    app, client, make_neighbourhood, make_manager, smtp_server
):
    place = make_neighbourhood("Lombok")
    html = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    assert f'action="/wijk/{place.slug}/nieuwsbrief"' in html and 'name="email"' in html

    response = client.post(f"/wijk/{place.slug}/nieuwsbrief", data={"email": "Buur@Example.org"})
    assert response.status_code == 200 and "Kijk in je mail" in response.get_data(as_text=True)
    [row] = db.session.scalars(select(NewsletterSubscription))
    assert row.user_id is None and row.email == "buur@example.org" and row.confirmed_at is None
    from wijk.newsletters.services import subscriber_count

    assert subscriber_count(place.id) == 0  # not before the second step

    drain(app)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["buur@example.org"]
    text = mail.message.get_body(("plain",)).get_content()
    [confirm] = [u for u in links(text) if "/nieuwsbrief/bevestigen/" in u]
    path = confirm.split("localhost", 1)[1]

    page = client.get(path)  # a mail scanner opening the link confirms nothing
    assert page.status_code == 200
    db.session.expire_all()
    assert db.session.get(NewsletterSubscription, row.id).confirmed_at is None
    assert client.post(path).status_code == 200
    db.session.expire_all()
    assert db.session.get(NewsletterSubscription, row.id).confirmed_at is not None
    assert subscriber_count(place.id) == 1

    # The next newsletter reaches the address, with a one-click link that works.
    manager = make_manager(place)
    smtp_server.clear()
    login(client, manager)
    client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/opslaan",
        data={"subject": "Nieuws", "body": "Hallo buren"},
    )
    letter = db.session.scalar(select(Newsletter))
    client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/versturen",
        data={"newsletter_id": letter.id, "confirmed": "1"},
    )
    drain(app)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["buur@example.org"]
    received = smtp_server.messages[0].message
    stop = received["List-Unsubscribe"].strip("<>")
    anonymous = app.test_client()
    assert anonymous.post(stop.split("localhost", 1)[1]).status_code == 200
    db.session.expire_all()
    assert db.session.get(NewsletterSubscription, row.id).withdrawn_at is not None
    assert subscriber_count(place.id) == 0


def test_subscribing_twice_reveals_nothing_and_sends_no_second_mail(client, make_neighbourhood):
    place = make_neighbourhood()
    client.post(f"/wijk/{place.slug}/nieuwsbrief", data={"email": "buur@example.org"})
    row = db.session.scalar(select(NewsletterSubscription))
    row.confirmed_at = utcnow()
    db.session.commit()
    again = client.post(f"/wijk/{place.slug}/nieuwsbrief", data={"email": "buur@example.org"})
    assert again.status_code == 200 and "Kijk in je mail" in again.get_data(as_text=True)
    assert len(outbox("newsletter_confirm")) == 1
    assert db.session.scalar(select(func.count(NewsletterSubscription.id))) == 1


def test_an_unconfirmed_address_is_erased_after_7_days(client, make_neighbourhood):
    place = make_neighbourhood()
    client.post(f"/wijk/{place.slug}/nieuwsbrief", data={"email": "buur@example.org"})
    assert purge(utcnow() + timedelta(days=6))["unconfirmed_email_subscription"] == 0
    assert purge(utcnow() + timedelta(days=7, minutes=1))["unconfirmed_email_subscription"] == 1
    assert db.session.scalar(select(func.count(NewsletterSubscription.id))) == 0


def test_the_privacy_statement_names_the_new_rules(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "zonder account voor een nieuwsbrief" in html
    assert "Iets volgen per e-mail wordt na 7 dagen gewist" in html


# --- the manager's side ---------------------------------------------------------------------


def test_markdown_lists_and_bold_arrive_formatted_and_sanitised(
    client, make_neighbourhood, make_manager
):
    place = make_neighbourhood()
    login(client, make_manager(place))
    body = (
        "Beste buren,\n\n- soep op **zaterdag**\n- *koffie* om tien uur\n\n"
        "[site](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=y>"
    )
    client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/opslaan", data={"subject": "Nieuws", "body": body}
    )
    letter = db.session.scalar(select(Newsletter))
    assert "<ul>\n<li>soep op <strong>zaterdag</strong></li>" in letter.body_html
    assert "<li><em>koffie</em> om tien uur</li>" in letter.body_html
    assert "**" not in letter.body_html and "- soep" not in letter.body_html
    for bad in ("<script", 'href="javascript:', "<img", "onerror"):
        assert bad not in letter.body_html
    assert "- soep op zaterdag" in letter.body_text  # the text part keeps the list
    # The manager edits what they typed, not the HTML.
    edit = client.get(f"/beheer/{place.slug}/nieuwsbrieven/{letter.id}/bewerken")
    assert "- soep op **zaterdag**" in edit.get_data(as_text=True)


def test_the_confirmation_step_names_the_count_and_queues_nothing_before_it(
    client, make_neighbourhood, make_manager, make_user, subscribe
):
    place = make_neighbourhood()
    for n in range(3):
        subscribe(make_user(email=f"lezer{n}@example.org"), place)
    db.session.add(
        NewsletterSubscription(
            neighbourhood_id=place.id,
            email="los@example.org",
            source="email",
            subscribed_at=utcnow(),
            confirmed_at=utcnow(),
        )
    )
    db.session.commit()
    login(client, make_manager(place))
    client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/opslaan", data={"subject": "Nieuws", "body": "Hallo"}
    )
    letter = db.session.scalar(select(Newsletter))

    step = client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/versturen", data={"newsletter_id": letter.id}
    )
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and 'data-recipients="4"' in html
    assert "gaat naar 4 ontvanger(s)" in html and 'name="confirmed"' in html
    db.session.expire_all()
    assert outbox("newsletter") == [] and db.session.get(Newsletter, letter.id).sent_at is None

    done = client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/versturen",
        data={"newsletter_id": letter.id, "confirmed": "1"},
    )
    assert done.status_code == 302
    assert len(outbox("newsletter")) == 4


def test_the_agenda_section_lists_coming_public_activities_only(
    client, make_neighbourhood, make_manager, make_item, make_user, subscribe
):
    place = make_neighbourhood()
    subscribe(make_user(email="lezer@example.org"), place)
    soon = local_now().replace(second=0, microsecond=0) + timedelta(days=5)
    make_item(
        "activity",
        neighbourhood=place,
        title="Buurtsoep",
        starts_at=soon,
        contact_phone="0612345678",
    )
    make_item("activity", neighbourhood=place, title="Ver weg", starts_at=soon + timedelta(weeks=6))
    make_item(
        "activity", neighbourhood=place, title="Verborgen feest", starts_at=soon, status="hidden"
    )
    login(client, make_manager(place))
    client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/opslaan",
        data={"subject": "Nieuws", "body": "Hallo", "with_agenda": "y"},
    )
    letter = db.session.scalar(select(Newsletter))
    assert letter.with_agenda
    client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/versturen",
        data={"newsletter_id": letter.id, "confirmed": "1"},
    )
    [mail] = outbox("newsletter")
    assert "Agenda voor de komende weken" in mail.body_text and "Buurtsoep" in mail.body_html
    for absent in ("Ver weg", "Verborgen feest", "0612345678"):
        assert absent not in mail.body_text and absent not in mail.body_html


def test_managers_see_how_many_addresses_but_never_the_addresses(
    client, make_neighbourhood, make_manager
):
    place = make_neighbourhood()
    db.session.add(
        NewsletterSubscription(
            neighbourhood_id=place.id,
            email="los@example.org",
            source="email",
            subscribed_at=utcnow(),
            confirmed_at=utcnow(),
        )
    )
    db.session.commit()
    login(client, make_manager(place))
    html = client.get(f"/beheer/{place.slug}/abonnees").get_data(as_text=True)
    assert 'data-by-email="1"' in html and "los@example.org" not in html
    csv_text = client.post(f"/beheer/{place.slug}/abonnees/export").get_data(as_text=True)
    assert "los@example.org" not in csv_text
