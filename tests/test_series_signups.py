"""Sign-ups per date of a series: each date has its own places and waiting list, the
date is chosen in the form, the confirmation's .ics holds that date alone, and when the
owner cancels or moves one date, exactly those signed up for it are mailed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import icalendar
from sqlalchemy import select

from wijk.clock import local_now
from wijk.extensions import db
from wijk.models import OutboxMessage, SignUp
from wijk.signups import notices


def weekly(make_item, owner=None, *, first=None, places=1):
    first = first or datetime(2030, 6, 6, 19, 0)
    values = dict(
        title="Breiclub",
        signups_enabled=True,
        max_places=places,
        starts_at=first,
        ends_at=first + timedelta(hours=2),
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    if owner is not None:
        values["owner"] = owner
    return make_item("activity", **values)


def sign_up(client, activity, occurrence, email, name="Gast"):
    return client.post(
        f"/activiteit/{activity.id}/aanmelden",
        data={"name": name, "email": email, "occurrence": occurrence.id if occurrence else ""},
    )


def mails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def status_of(email: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(SignUp.status).where(SignUp.email == email))


def test_places_and_waiting_list_are_per_date(client, make_item):
    activity = weekly(make_item)
    first, second = activity.occurrences[0], activity.occurrences[1]
    page = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    assert f'value="{first.id}"' in page and f'value="{second.id}"' in page
    assert sign_up(client, activity, first, "anna@example.net").status_code == 302
    sign_up(client, activity, first, "ben@example.net")
    sign_up(client, activity, second, "cem@example.net")
    assert [status_of(e) for e in ("anna@example.net", "ben@example.net", "cem@example.net")] == [
        "confirmed",
        "waiting",
        "confirmed",
    ]
    page = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    assert "(vol: wachtlijst)" in page  # the first date is full, which its option says
    # Anna cancels: Ben moves up on her date; nobody of another date is touched.
    link = re.search(r"/aanmelding/\S+/annuleren", mails("signup_confirmed")[0].body_text)
    client.post(link.group(0))
    assert status_of("ben@example.net") == "confirmed"
    [promoted] = mails("signup_promoted")
    assert promoted.to_addr == "ben@example.net"


def test_the_confirmation_holds_the_chosen_date_alone(client, make_item):
    activity = weekly(make_item)
    second = activity.occurrences[1]
    sign_up(client, activity, second, "cem@example.net")
    [confirmed] = mails("signup_confirmed")
    assert "13 juni 2030" in confirmed.body_text
    [attachment] = confirmed.attachments
    [event] = [
        c for c in icalendar.Calendar.from_ical(attachment["content"]).walk() if c.name == "VEVENT"
    ]
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2030, 6, 13, 19, 0)
    assert "RRULE" not in event
    assert "20300613T1900" in str(event["UID"])


def test_a_date_that_is_not_one_of_the_series_is_refused_beside_the_field(client, make_item):
    activity = weekly(make_item)
    other = weekly(make_item)
    for occurrence in (None, other.occurrences[0]):
        response = sign_up(client, activity, occurrence, "anna@example.net", name="Anna")
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'id="signup-occurrence-error"' in html and 'value="Anna"' in html
    assert db.session.scalar(select(SignUp.id)) is None


def test_cancelling_one_date_mails_those_signed_up_for_it(client, auth, make_user, make_item):
    owner = make_user()
    activity = weekly(make_item, owner)
    first, second = activity.occurrences[0], activity.occurrences[1]
    sign_up(client, activity, first, "anna@example.net")
    sign_up(client, activity, first, "ben@example.net")  # waiting for that date
    sign_up(client, activity, second, "cem@example.net")
    auth.login(owner)
    response = client.post(
        f"/activiteit/{activity.id}/datums/wijzigen",
        data={"occurrence": first.id, "action": "cancel"},
    )
    assert response.status_code == 302
    cancelled = mails("signup_date_cancelled")
    assert sorted(m.to_addr for m in cancelled) == ["anna@example.net", "ben@example.net"]
    assert "6 juni 2030" in cancelled[0].body_text
    client.post(
        f"/activiteit/{activity.id}/datums/wijzigen",
        data={"occurrence": second.id, "action": "move", "starts_at": "2030-06-14T19:00"},
    )
    [moved] = mails("signup_changed")
    assert moved.to_addr == "cem@example.net" and "14 juni 2030" in moved.body_text


def test_reminder_and_organiser_message_follow_the_date(client, auth, make_user, make_item):
    owner = make_user()
    first = local_now().replace(second=0, microsecond=0) + timedelta(days=1)
    activity = weekly(make_item, owner, first=first, places=5)
    tomorrow, next_week = activity.occurrences[0], activity.occurrences[1]
    sign_up(client, activity, tomorrow, "morgen@example.net")
    sign_up(client, activity, next_week, "volgende@example.net")
    with client.application.test_request_context():
        assert notices.send_reminders(local_now()) == 1
    [reminder] = mails("signup_reminder")
    assert reminder.to_addr == "morgen@example.net"
    auth.login(owner)
    page = client.get(f"/activiteit/{activity.id}/aanmeldingen").get_data(as_text=True)
    assert f'value="{next_week.id}"' in page
    response = client.post(
        f"/activiteit/{activity.id}/aanmeldingen/bericht",
        data={
            "to": "confirmed",
            "occurrence": next_week.id,
            "subject": "Wol",
            "message": "Neem wol mee.",
        },
    )
    assert response.status_code == 302
    assert [m.to_addr for m in mails("signup_message")] == ["volgende@example.net"]
