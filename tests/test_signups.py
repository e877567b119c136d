"""Sign-ups: a visitor signs up with name and e-mail, gets a confirmation with a cancel
link; a full activity offers a waiting list that moves up; only the organiser and the
co-managers see who signed up; the list is gone after the retention run."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from wijk.clock import local_now
from wijk.extensions import db
from wijk.models import ItemManager, OutboxMessage, SignUp
from wijk.privacy.retention import purge
from wijk.signups import services


def open_activity(make_item, *, max_places=None, **fields):
    return make_item("activity", signups_enabled=True, max_places=max_places, **fields)


def sign_up(client, activity, name="Fatima", email="fatima@example.net", **extra):
    return client.post(
        f"/activiteit/{activity.id}/aanmelden", data={"name": name, "email": email, **extra}
    )


def mails(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def link_in(message: OutboxMessage) -> str:
    url = re.search(r"https?://\S+/aanmelding/\S+", message.body_text).group(0)
    return url.split("localhost", 1)[1]


def test_organiser_switches_sign_ups_on_with_places(client, auth, make_user, make_neighbourhood):
    place = make_neighbourhood()
    auth.login(make_user())
    response = client.post(
        "/plaatsen/activiteit",
        data={
            "neighbourhood_id": place.id,
            "title": "Kookworkshop",
            "starts_at": "2030-06-01T17:00",
            "signups_enabled": "y",
            "max_places": "12",
        },
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "aanmeldingen" in html  # the organiser gets the link to the list
    response = client.post(
        "/plaatsen/activiteit",
        data={
            "neighbourhood_id": place.id,
            "title": "Te vol",
            "starts_at": "2030-06-01T17:00",
            "signups_enabled": "y",
            "max_places": "0",
        },
    )
    assert response.status_code == 400 and 'id="max_places-error"' in response.get_data(
        as_text=True
    )


def test_visitor_signs_up_and_gets_a_confirmation_with_a_cancel_link(client, make_item):
    activity = open_activity(make_item, max_places=10)
    assert "aanmelden" in client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    response = sign_up(client, activity, name="  Fatima   El  Amrani ", email="Fatima@Example.net")
    assert response.status_code == 302
    signup = db.session.scalar(select(SignUp))
    assert (signup.name, signup.email, signup.status) == (
        "Fatima El Amrani",
        "fatima@example.net",
        "confirmed",
    )
    (mail,) = mails("signup_confirmed")
    assert mail.to_addr == "fatima@example.net"
    assert activity.title in mail.subject
    cancel = link_in(mail)
    page = client.get(cancel)
    assert page.status_code == 200  # GET only asks, so a link scanner cancels nothing
    db.session.refresh(signup)
    assert signup.status == "confirmed"
    assert client.post(cancel).status_code == 200
    db.session.refresh(signup)
    assert signup.status == "cancelled" and signup.cancelled_at is not None
    assert client.post(cancel).status_code == 200  # twice is harmless
    assert client.get("/aanmelding/vals-token/annuleren").status_code == 404


def test_full_activity_shows_full_and_offers_a_waiting_list_that_moves_up(client, make_item):
    activity = open_activity(make_item, max_places=1)
    sign_up(client, activity, name="Eerste", email="eerste@example.net")
    html = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    assert "Vol" in html and "wachtlijst" in html
    sign_up(client, activity, name="Tweede", email="tweede@example.net")
    sign_up(client, activity, name="Derde", email="derde@example.net")
    statuses = dict(db.session.execute(select(SignUp.name, SignUp.status)).all())
    assert statuses == {"Eerste": "confirmed", "Tweede": "waiting", "Derde": "waiting"}
    assert [m.to_addr for m in mails("signup_waiting")] == [
        "tweede@example.net",
        "derde@example.net",
    ]

    client.post(link_in(mails("signup_confirmed")[0]))
    statuses = dict(db.session.execute(select(SignUp.name, SignUp.status)).all())
    assert statuses == {"Eerste": "cancelled", "Tweede": "confirmed", "Derde": "waiting"}
    (promoted,) = mails("signup_promoted")
    assert promoted.to_addr == "tweede@example.net"
    assert "/aanmelding/" in promoted.body_text  # with a cancel link of its own

    # Someone on the waiting list who cancels frees no place.
    client.post(link_in(mails("signup_waiting")[1]))
    assert len(mails("signup_promoted")) == 1


def test_adding_places_moves_the_waiting_list_up(client, auth, make_item, make_user):
    owner = make_user()
    activity = open_activity(make_item, owner=owner, max_places=1)
    for n in range(3):
        sign_up(client, activity, name=f"Persoon {n}", email=f"p{n}@example.net")
    auth.login(owner)
    start = activity.starts_at
    response = client.post(
        f"/activiteit/{activity.id}/bewerken",
        data={
            "neighbourhood_id": activity.neighbourhood_id,
            "title": activity.title,
            "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "signups_enabled": "y",
            "max_places": "2",
        },
    )
    assert response.status_code == 302
    assert services.counts(activity).confirmed == 2
    assert [m.to_addr for m in mails("signup_promoted")] == ["p1@example.net"]


def test_signing_up_twice_changes_nothing_and_tells_no_one_else(client, make_item):
    activity = open_activity(make_item, max_places=5)
    sign_up(client, activity)
    response = sign_up(client, activity, name="Iemand anders", email="FATIMA@example.net")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(SignUp.id))) == 1
    (again,) = mails("signup_again")
    assert again.to_addr == "fatima@example.net"


def test_honeypot_and_bad_input(client, make_item):
    activity = open_activity(make_item)
    assert sign_up(client, activity, website="http://spam.example").status_code == 302
    assert db.session.scalar(select(func.count(SignUp.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    response = sign_up(client, activity, name="", email="geen-adres")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="signup-name-error"' in html and 'id="signup-email-error"' in html


def test_sign_ups_are_rate_limited(client, make_item):
    activity = open_activity(make_item)
    codes = [sign_up(client, activity, email=f"p{n}@example.net").status_code for n in range(6)]
    assert codes == [302] * 5 + [429]


def test_sign_up_is_closed_when_off_ended_or_unpublished(client, make_item):
    past = datetime.now() - timedelta(days=1)
    off = make_item("activity")
    ended = open_activity(make_item, starts_at=past, ends_at=past + timedelta(hours=1))
    hidden = open_activity(make_item, status="hidden")
    assert sign_up(client, off).status_code == 410
    assert sign_up(client, ended).status_code == 410
    assert sign_up(client, hidden).status_code == 404
    assert db.session.scalar(select(func.count(SignUp.id))) == 0
    assert "aanmelden" not in client.get(f"/activiteit/{off.id}").get_data(as_text=True)


def test_only_organiser_and_co_managers_see_the_list(client, auth, make_item, make_user):
    owner, helper, stranger = make_user(), make_user(), make_user()
    activity = open_activity(make_item, owner=owner)
    activity.co_managers.append(ItemManager(user_id=helper.id))
    db.session.commit()
    sign_up(client, activity, name="Fatima El Amrani", email="fatima@example.net")
    url = f"/activiteit/{activity.id}/aanmeldingen"

    response = client.get(url)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    for page in (
        f"/activiteit/{activity.id}",
        "/zoeken?q=" + activity.title,
        f"/activiteit/{activity.id}/agenda.ics",
    ):
        body = client.get(page).get_data(as_text=True)
        assert "Fatima" not in body and "fatima@example.net" not in body, page

    auth.login(stranger)
    assert client.get(url).status_code == 403
    assert client.get(url + ".csv").status_code == 403
    assert "Fatima" not in client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    auth.logout()

    for person in (owner, helper):
        auth.login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert "Fatima El Amrani" in response.get_data(as_text=True)
        assert "no-store" in response.headers["Cache-Control"]
        auth.logout()


def test_organiser_exports_csv_safe_for_spreadsheets(client, auth, make_item, make_user):
    owner = make_user()
    activity = open_activity(make_item, owner=owner, max_places=1)
    sign_up(client, activity, name='=HYPERLINK("http://x")', email="a@example.net")
    sign_up(client, activity, name="Wachtende", email="b@example.net")
    auth.login(owner)
    response = client.get(f"/activiteit/{activity.id}/aanmeldingen.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["name", "email", "status", "signed_up_at"]
    assert rows[1][:3] == ['\'=HYPERLINK("http://x")', "a@example.net", "confirmed"]
    assert rows[2][:3] == ["Wachtende", "b@example.net", "waiting"]


def test_sign_up_list_is_gone_after_the_retention_run(client, auth, make_item, make_user):
    owner = make_user()
    activity = open_activity(make_item, owner=owner)
    sign_up(client, activity, name="Fatima El Amrani")
    # The activity took place; 7 days after its end the purge erases the list.
    ended = local_now() - timedelta(days=7, minutes=1)
    activity.starts_at, activity.ends_at = ended - timedelta(hours=2), ended
    db.session.commit()
    counts = purge()
    assert counts["signup_list"] == 1
    assert db.session.scalar(select(func.count(SignUp.id))) == 0
    auth.login(owner)
    html = client.get(f"/activiteit/{activity.id}/aanmeldingen").get_data(as_text=True)
    assert "Fatima" not in html


def test_confirmation_reaches_a_real_smtp_server_and_its_link_cancels(
    app, client, make_item, smtp_server
):
    from wijk.mail.delivery import run_once

    activity = open_activity(make_item, max_places=3)
    sign_up(client, activity, email="fatima@example.net")
    assert run_once() == 1
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["fatima@example.net"]
    text = received.message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/aanmelding/\S+", text).group(0).split("localhost", 1)[1]
    assert client.post(link).status_code == 200
    assert db.session.scalar(select(SignUp.status)) == "cancelled"


def test_contact_and_sign_up_forms_on_one_page_share_no_id(client, make_item):
    activity = open_activity(make_item)
    html = client.get(f"/activiteit/{activity.id}").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert [i for i in set(ids) if ids.count(i) > 1] == []
    for form in ("contact", "signup"):
        for name in ("name", "email"):
            assert f'<label class="label" for="{form}-{name}">' in html
            assert re.search(f'<input [^>]*id="{form}-{name}"[^>]*name="{name}"', html)
