"""Offers and requests disappear after their expiry date; three days before, the owner
gets one reminder with a link that extends the offer once."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from wijk.config import DEFAULTS
from wijk.content import expiry
from wijk.extensions import db
from wijk.models import OutboxMessage

# The app's today is the neighbourhood's (Amsterdam), not the machine's (often UTC).
TODAY = datetime.now(ZoneInfo(str(DEFAULTS["BABEL_DEFAULT_TIMEZONE"]))).date()


def send_reminders(today: date) -> int:
    from flask import current_app

    with current_app.test_request_context(base_url="https://wijk.test"):
        return expiry.send_reminders(today)


def reminders() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "offer_expiry")
            .order_by(OutboxMessage.id)
        )
    )


def extend_link(message: OutboxMessage) -> str:
    url = re.search(r"https?://\S+/verlengen/\S+", message.body_text).group(0)
    return url.split("wijk.test", 1)[1]


def test_an_expired_offer_is_not_listed_anywhere(client, make_item, make_neighbourhood):
    place = make_neighbourhood()
    make_item(
        "offer",
        neighbourhood=place,
        title="Fietspomp verlopen",
        expires_on=TODAY - timedelta(days=1),
    )
    make_item("offer", neighbourhood=place, title="Fietspomp vandaag", expires_on=TODAY)
    for url in (
        f"/wijk/{place.slug}",
        "/zoeken?q=fietspomp",
        f"/wijk/{place.slug}/feed.atom",
        "/sitemap.xml",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "Fietspomp verlopen" not in body, url
    assert "Fietspomp vandaag" in client.get(f"/wijk/{place.slug}").get_data(as_text=True)


def test_reminder_goes_three_days_before_once(app, make_item, make_user):
    owner = make_user(name="Sanne", email="sanne@example.org")
    due = make_item("offer", owner=owner, title="Kinderwagen", expires_on=TODAY + timedelta(days=3))
    make_item("offer", owner=owner, title="Nog lang", expires_on=TODAY + timedelta(days=4))
    make_item(
        "offer",
        owner=owner,
        title="Verborgen",
        status="hidden",
        expires_on=TODAY + timedelta(days=1),
    )
    make_item("offer", owner=owner, title="Al verlopen", expires_on=TODAY - timedelta(days=1))
    assert send_reminders(TODAY) == 1
    (mail,) = reminders()
    assert mail.to_addr == "sanne@example.org" and "Kinderwagen" in mail.subject
    assert "/verlengen/" in mail.body_text and "/verlengen/" in mail.body_html
    db.session.refresh(due)
    assert due.reminder_sent_at is not None
    assert send_reminders(TODAY) == 0  # hourly from cron: never twice
    assert len(reminders()) == 1


def test_flask_reminders_command(runner, make_item):
    make_item("offer", expires_on=TODAY + timedelta(days=2))
    result = runner.invoke(args=["reminders"])
    assert result.exit_code != 0 and "FLASK_SERVER_NAME" in result.output
    result = runner.invoke(args=["reminders", "--base-url", "https://wijk.example.nl"])
    assert result.exit_code == 0 and "queued      1" in result.output
    assert "https://wijk.example.nl/vraag-aanbod/verlengen/" in reminders()[0].body_text
    assert (
        "queued      0"
        in runner.invoke(args=["reminders", "--base-url", "https://wijk.example.nl"]).output
    )


def test_extend_link_asks_then_extends_by_60_days_once(client, make_item):
    offer = make_item("offer", expires_on=TODAY + timedelta(days=3))
    send_reminders(TODAY)
    link = extend_link(reminders()[0])
    assert client.get(link).status_code == 200  # a link scanner changes nothing
    db.session.refresh(offer)
    assert offer.expires_on == TODAY + timedelta(days=3)
    response = client.post(link)  # no login needed: the signed link is the permission
    assert response.status_code == 200
    db.session.refresh(offer)
    assert offer.expires_on == TODAY + timedelta(days=63)
    assert offer.reminder_sent_at is None  # the new date gets a reminder of its own
    assert client.post(link).status_code == 404  # used
    assert client.get(link[:-3] + "abc").status_code == 404  # tampered


def test_extend_link_rescues_a_just_expired_offer(client, make_item):
    offer = make_item("offer", expires_on=TODAY + timedelta(days=1))
    send_reminders(TODAY)
    offer.expires_on = TODAY - timedelta(days=2)  # the owner was on holiday
    offer.reminder_sent_at = None
    db.session.commit()
    assert client.post(f"/vraag-aanbod/verlengen/{expiry.extend_token(offer)}").status_code == 200
    db.session.refresh(offer)
    assert offer.expires_on == TODAY + timedelta(days=60)


def test_changing_the_date_in_the_form_rearms_the_reminder(client, auth, make_item, make_user):
    owner = make_user()
    offer = make_item("offer", owner=owner, expires_on=TODAY + timedelta(days=2))
    send_reminders(TODAY)
    auth.login(owner)
    client.post(
        f"/vraag-aanbod/{offer.id}/bewerken",
        data={
            "neighbourhood_id": offer.neighbourhood_id,
            "title": offer.title,
            "offer_kind": "offer",
            "expires_on": (TODAY + timedelta(days=30)).isoformat(),
        },
    )
    db.session.refresh(offer)
    assert offer.expires_on == TODAY + timedelta(days=30) and offer.reminder_sent_at is None
