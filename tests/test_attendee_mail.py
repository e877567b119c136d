"""Attendees are told, by mail through the outbox, in the language they signed up in:
the confirmation carries the date as an .ics file, a reminder comes the day before
(once), and a changed time or place, an activity called off (deleted, taken offline by a
manager, or gone with its owner's account) or a message of the organiser reaches each of
them in a mail of their own. Delivered over a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import icalendar
from sqlalchemy import insert, select

from wijk.clock import local_now
from wijk.extensions import db
from wijk.mail.delivery import drain, run_once
from wijk.manage.services import hide
from wijk.models import OutboxMessage, SignUp
from wijk.models.base import utcnow
from wijk.models.outbox import OutboxState
from wijk.privacy.erasure import delete_account
from wijk.signups import notices

START = datetime(2030, 6, 1, 19, 30)


def open_activity(make_item, **fields):
    values = dict(
        signups_enabled=True,
        title="Buurtbarbecue",
        starts_at=START,
        ends_at=START + timedelta(hours=3),
        location_name="Speeltuin De Wip",
    )
    values.update(fields)
    return make_item("activity", **values)


def sign_up(client, activity, name="Fatima", email="fatima@example.net"):
    return client.post(f"/activiteit/{activity.id}/aanmelden", data={"name": name, "email": email})


def mails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def cancel_path(message: OutboxMessage) -> str:
    url = re.search(r"https?://\S+/aanmelding/\S+", message.body_text).group(0)
    return url.split("localhost", 1)[1]


def calendar_part(email):
    [part] = [p for p in email.walk() if p.get_content_type() == "text/calendar"]
    return part


def test_confirmation_carries_the_date_as_an_ics_file_over_smtp(client, make_item, smtp_server):
    activity = open_activity(make_item)
    assert sign_up(client, activity).status_code == 302
    assert run_once() == 1
    [received] = smtp_server.messages
    email = received.message
    assert received.rcpt_tos == ["fatima@example.net"]
    assert "Buurtbarbecue" in email.get_body(("plain",)).get_content()
    part = calendar_part(email)
    assert part.get_filename() == f"activiteit-{activity.id}.ics"
    assert part.get_content_disposition() == "attachment"
    [event] = [
        c for c in icalendar.Calendar.from_ical(part.get_content()).walk() if c.name == "VEVENT"
    ]
    assert str(event["SUMMARY"]) == "Buurtbarbecue"
    assert event.decoded("DTSTART").replace(tzinfo=None) == START
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Amsterdam"
    assert "fatima@example.net" not in part.get_content()


def test_an_attachment_that_is_not_a_calendar_file_is_refused(app, smtp_server):
    now = utcnow()
    row = dict(
        kind="test",
        to_addr="a@example.org",
        subject="Hoi",
        body_text="Hoi",
        headers={},
        status=OutboxState.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.execute(
        insert(OutboxMessage),
        [
            row
            | {
                "attachments": [
                    {"filename": "x.exe", "mimetype": "application/x-msdownload", "content": "MZ"}
                ]
            },
            row
            | {
                "attachments": [
                    {"filename": "a\r\nBcc: b.ics", "mimetype": "text/calendar", "content": "x"}
                ]
            },
            row | {"attachments": None},
        ],
    )
    db.session.commit()
    report = drain()
    assert (report.sent, report.failed) == (1, 2)
    assert len(smtp_server.messages) == 1


def test_mails_come_in_the_language_the_person_signed_up_in(client, make_item):
    activity = open_activity(make_item, max_places=1)
    sign_up(client, activity, name="Anna", email="anna@example.net")
    english = client.application.test_client()
    english.post("/taal", data={"lang": "en"})
    sign_up(english, activity, name="Ben", email="ben@example.net")
    assert db.session.scalar(select(SignUp.locale).where(SignUp.email == "ben@example.net")) == "en"
    [waiting] = mails("signup_waiting")
    assert "waiting list" in waiting.body_text
    # Anna cancels in Dutch; Ben moves up and is told in English, with the .ics.
    client.post(cancel_path(mails("signup_confirmed")[0]))
    [promoted] = mails("signup_promoted")
    assert promoted.to_addr == "ben@example.net" and "Good news" in promoted.body_text
    assert promoted.attachments[0]["mimetype"] == "text/calendar"


def test_reminder_the_day_before_goes_once_to_confirmed_places(app, client, make_item, runner):
    now = local_now().replace(second=0, microsecond=0)
    tomorrow = open_activity(
        make_item, title="Morgen", max_places=1, starts_at=now + timedelta(days=1), ends_at=None
    )
    later = open_activity(make_item, title="Later", starts_at=now + timedelta(days=5), ends_at=None)
    sign_up(client, tomorrow, email="plaats@example.net")
    sign_up(client, tomorrow, email="wacht@example.net")  # waiting list: no reminder
    sign_up(client, later, email="later@example.net")
    result = runner.invoke(args=["reminders", "--base-url", "http://localhost"])
    assert result.exit_code == 0 and "signup_reminder      queued      1" in result.output
    [reminder] = mails("signup_reminder")
    assert reminder.to_addr == "plaats@example.net" and "Morgen" in reminder.subject
    assert "/aanmelding/" in reminder.body_text and reminder.attachments
    assert notices.send_reminders(local_now()) == 0  # idempotent
    assert len(mails("signup_reminder")) == 1


def test_a_new_time_or_place_is_told_to_everyone_taking_part(client, auth, make_user, make_item):
    owner = make_user()
    activity = open_activity(make_item, owner=owner, max_places=1)
    sign_up(client, activity, email="plaats@example.net")
    sign_up(client, activity, email="wacht@example.net")
    auth.login(owner)
    form = {
        "neighbourhood_id": activity.neighbourhood_id,
        "title": "Buurtbarbecue",
        "starts_at": "2030-06-01T19:30",
        "ends_at": "2030-06-01T22:30",
        "location_name": "Speeltuin De Wip",
        "signups_enabled": "y",
        "max_places": "1",
        "description": "Neem een salade mee.",
    }
    assert client.post(f"/activiteit/{activity.id}/bewerken", data=form).status_code == 302
    assert mails("signup_changed") == []  # only the description changed
    form.update(starts_at="2030-06-02T18:00", ends_at="2030-06-02T21:00")
    assert client.post(f"/activiteit/{activity.id}/bewerken", data=form).status_code == 302
    changed = mails("signup_changed")
    assert sorted(m.to_addr for m in changed) == ["plaats@example.net", "wacht@example.net"]
    assert "2 jun 2030" in changed[0].body_text or "18:00" in changed[0].body_text
    ics = changed[0].attachments[0]["content"]
    assert "DTSTART;TZID=Europe/Amsterdam:20300602T180000" in ics


def test_deleting_an_activity_tells_attendees_and_the_cancel_link_says_so(
    client, auth, make_user, make_item
):
    owner = make_user()
    activity = open_activity(make_item, owner=owner)
    sign_up(client, activity, email="een@example.net")
    sign_up(client, activity, email="twee@example.net")
    link = cancel_path(mails("signup_confirmed")[0])
    auth.login(owner)
    assert client.post(f"/activiteit/{activity.id}/verwijderen").status_code == 302
    called_off = mails("signup_called_off")
    assert sorted(m.to_addr for m in called_off) == ["een@example.net", "twee@example.net"]
    assert "organiser" in called_off[0].body_text or "organisator" in called_off[0].body_text
    assert "/aanmelding/" not in called_off[0].body_text  # nothing left to link to
    assert all(
        "twee@" not in m.body_text + (m.body_html or "")
        for m in called_off
        if m.to_addr == "een@example.net"
    )
    auth.logout()
    response = client.get(link)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "afgelast" in html
    assert "Buurtbarbecue" not in html


def test_a_manager_hiding_it_tells_attendees_and_the_link_no_longer_describes_it(
    app, client, make_user, make_item
):
    activity = open_activity(make_item)
    sign_up(client, activity)
    link = cancel_path(mails("signup_confirmed")[0])
    with app.test_request_context():
        hide(activity, make_user(), "Geen buurtactiviteit")
    [message] = mails("signup_called_off")
    assert message.to_addr == "fatima@example.net" and "wijkbeheerder" in message.body_text
    response = client.get(link)
    html = response.get_data(as_text=True)
    assert response.status_code == 410 and "afgelast" in html
    assert "Buurtbarbecue" not in html
    assert client.post(link).status_code == 410
    assert db.session.scalar(select(SignUp.status)) == "confirmed"  # nothing changed


def test_an_owner_deleting_their_account_tells_attendees(app, client, make_user, make_item):
    owner = make_user()
    activity = open_activity(make_item, owner=owner)
    sign_up(client, activity)
    with app.test_request_context():
        delete_account(owner, {})
    [message] = mails("signup_called_off")
    assert message.to_addr == "fatima@example.net"


def test_organiser_writes_to_each_attendee_without_showing_other_addresses(
    client, auth, make_user, make_item, smtp_server
):
    owner = make_user(name="Organisator Olga")
    activity = open_activity(make_item, owner=owner, max_places=2)
    for n in range(3):
        sign_up(client, activity, name=f"Gast {n}", email=f"gast{n}@example.net")
    run_once()
    smtp_server.messages.clear()
    url = f"/activiteit/{activity.id}/aanmeldingen/bericht"
    data = {"to": "confirmed", "subject": "Regen", "message": "We gaan naar binnen."}
    assert client.post(url, data=data).status_code == 302  # to the login page
    assert mails("signup_message") == []
    auth.login(owner)
    assert client.post(url, data=data | {"subject": ""}).status_code == 400
    response = client.post(url, data=data)
    assert response.status_code == 302
    run_once()
    received = sorted(smtp_server.messages, key=lambda m: m.rcpt_tos)
    assert [m.rcpt_tos for m in received] == [["gast0@example.net"], ["gast1@example.net"]]
    for mail in received:
        raw = mail.raw.decode()
        others = {f"gast{n}@example.net" for n in range(3)} - set(mail.rcpt_tos)
        assert not any(address in raw for address in others)
        assert owner.email not in raw and mail.message["Reply-To"] is None
        # A header, not the letters: a random link token may hold "Bcc".
        assert mail.message["Bcc"] is None and "\nBcc:" not in raw
        assert "We gaan naar binnen." in mail.message.get_body(("plain",)).get_content()
        assert "Organisator Olga" in mail.message.get_body(("plain",)).get_content()
    client.post(url, data=data | {"to": "everyone"})
    assert len(mails("signup_message")) == 5
