"""Newsletter opt-ins (one record each, unchecked by default), the manager's subscriber list
and CSV export (audited per person), and newsletters: sanitised, previewed, tested,
queued once with bulk inserts, delivered over real SMTP with RFC 8058 one-click
unsubscribe, and archived on the site."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from manage_fixtures import audit_count, login
from sqlalchemy import func, insert, select

from wijk.extensions import db
from wijk.mail.delivery import drain
from wijk.models import AuditEntry, Newsletter, NewsletterSubscription, OutboxMessage, User
from wijk.models.base import utcnow

REGISTRATION = {
    "name": "Noor Jansen",
    "email": "noor@example.org",
    "password": "een lange zin als wachtwoord",
    "password_repeat": "een lange zin als wachtwoord",
    "accept_terms": "y",
    "confirm_age": "y",
}


def queued(kind: str = "newsletter") -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def write(client, place, subject="Nieuws uit de wijk", body="Beste buren,\n\nTot snel!"):
    response = client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/opslaan", data={"subject": subject, "body": body}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Newsletter).order_by(Newsletter.id.desc()))


def send(client, place, letter):
    """Send after the confirmation step (which is tested on its own)."""
    return client.post(
        f"/beheer/{place.slug}/nieuwsbrieven/versturen",
        data={"newsletter_id": letter.id, "confirmed": "1"},
    )


@pytest.fixture
def setting(make_neighbourhood, make_manager, make_user, subscribe):
    """A with manager, two active subscribers, one who stopped, one unverified; B with one
    subscriber of its own."""
    a, b = make_neighbourhood("Lombok"), make_neighbourhood("Ondiep")
    jan = make_user("Jan de Vries", "jan@example.org")
    els = make_user("Els", "els@example.org")
    gone = make_user("Gert Weg", "gert@example.org")
    unverified = make_user("Ursula Nieuw", "ursula@example.org", verified=False)
    bea = make_user("Bea Ondiep", "bea@example.org")
    subscribe(jan, a)
    subscribe(els, a, source="signup")
    subscribe(gone, a, withdrawn=True)
    subscribe(unverified, a)
    subscribe(bea, b)
    return {"a": a, "b": b, "manager": make_manager(a), "jan": jan, "els": els, "bea": bea}


# --- opting in ----------------------------------------------------------------------------


def test_sign_up_offers_unchecked_boxes_and_records_each_opt_in(client, make_neighbourhood):
    make_neighbourhood("Lombok")
    b = make_neighbourhood("Ondiep")
    html = client.get("/registreren").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="newsletters"[^>]*>', html)
    assert len(boxes) == 2 and not any("checked" in box for box in boxes)

    client.post("/registreren", data={**REGISTRATION, "newsletters": [str(b.id)]})
    [row] = db.session.scalars(select(NewsletterSubscription))
    assert row.neighbourhood_id == b.id and row.source == "signup" and row.withdrawn_at is None
    assert row.user.email == "noor@example.org"


def test_sign_up_without_ticking_subscribes_to_nothing(client, make_neighbourhood):
    make_neighbourhood()
    client.post("/registreren", data=REGISTRATION)
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert db.session.scalar(select(func.count(NewsletterSubscription.id))) == 0


def test_account_page_opt_in_and_out_keeps_the_history(client, auth, make_user, make_neighbourhood):
    place = make_neighbourhood("Lombok")
    user = make_user()
    auth.login(user)
    html = client.get("/account").get_data(as_text=True)
    assert (
        re.search(rf'name="neighbourhood" value="{place.id}"[^>]*>', html).group(0).count("checked")
        == 0
    )
    client.post("/account/nieuwsbrieven", data={"neighbourhood": [str(place.id)]})
    client.post("/account/nieuwsbrieven", data={})
    client.post("/account/nieuwsbrieven", data={"neighbourhood": [str(place.id)]})
    rows = list(
        db.session.scalars(select(NewsletterSubscription).order_by(NewsletterSubscription.id))
    )
    assert [(r.source, r.withdrawn_at is None) for r in rows] == [
        ("account", False),
        ("account", True),
    ]
    assert "checked" in re.search(
        rf'value="{place.id}"[^>]*>', client.get("/account").get_data(as_text=True)
    ).group(0)


# --- subscribers, as the manager sees them ----------------------------------------------


def test_manager_sees_only_active_subscribers_of_a_with_split_names(client, setting):
    login(client, setting["manager"])
    html = client.get(f"/beheer/{setting['a'].slug}/abonnees").get_data(as_text=True)
    assert "<td>Jan</td><td>de Vries</td><td>jan@example.org</td>" in html
    assert "<td>Els</td><td></td><td>els@example.org</td>" in html
    for absent in ("gert@example.org", "ursula@example.org", "bea@example.org"):
        assert absent not in html
    viewed = set(
        db.session.scalars(
            select(AuditEntry.subject_id).where(AuditEntry.action == "subscribers.viewed")
        )
    )
    assert viewed == {setting["jan"].id, setting["els"].id}


def test_csv_export_for_a_mail_program_is_audited_per_person(client, setting):
    login(client, setting["manager"])
    response = client.post(f"/beheer/{setting['a'].slug}/abonnees/export")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Email Address", "First Name", "Last Name"]
    assert sorted(rows[1:]) == [
        ["els@example.org", "Els", ""],
        ["jan@example.org", "Jan", "de Vries"],
    ]
    for person in ("jan", "els"):
        assert (
            audit_count(
                "subscribers.exported",
                subject_id=setting[person].id,
                actor_id=setting["manager"].id,
                neighbourhood_id=setting["a"].id,
            )
            == 1
        )
    assert audit_count("subscribers.exported", subject_id=setting["bea"].id) == 0


def test_csv_cells_cannot_start_a_formula(client, setting, make_user, subscribe):
    subscribe(make_user("=HYPERLINK(1) x", "formula@example.org"), setting["a"])
    login(client, setting["manager"])
    text = client.post(f"/beheer/{setting['a'].slug}/abonnees/export").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


# --- writing and sending --------------------------------------------------------------------


def test_body_is_sanitised_and_gets_a_plain_text_part(client, setting):
    login(client, setting["manager"])
    letter = write(
        client,
        setting["a"],
        body="<p>Hallo <script>alert(1)</script>"
        '<a href="javascript:x()">klik</a> '
        "<strong>buren</strong></p>",
    )
    assert "<script" not in letter.body_html and "javascript:" not in letter.body_html
    assert "<strong>buren</strong>" in letter.body_html
    assert letter.body_text == "Hallo klik buren"


@pytest.mark.parametrize("body", ["", "   ", "<p> </p>", "<script>x</script>"])
def test_an_empty_body_is_refused_before_sending(client, setting, body):
    login(client, setting["manager"])
    response = client.post(
        f"/beheer/{setting['a'].slug}/nieuwsbrieven/opslaan", data={"subject": "Leeg", "body": body}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Newsletter.id))) == 0


def test_a_draft_emptied_behind_the_form_is_not_sent(client, setting):
    login(client, setting["manager"])
    letter = write(client, setting["a"])
    letter.body_html, letter.body_text = "", ""
    db.session.commit()
    send(client, setting["a"], letter)
    db.session.refresh(letter)
    assert letter.sent_at is None and queued() == []


def test_preview_shows_the_recipient_count_and_a_test_goes_to_me_only(client, setting):
    login(client, setting["manager"])
    letter = write(client, setting["a"])
    html = client.get(f"/beheer/{setting['a'].slug}/nieuwsbrieven/{letter.id}").get_data(
        as_text=True
    )
    assert 'data-recipients="2"' in html
    client.post(
        f"/beheer/{setting['a'].slug}/nieuwsbrieven/test", data={"newsletter_id": letter.id}
    )
    [test] = queued("newsletter_test")
    assert test.to_addr == setting["manager"].email and "Test" in test.subject
    db.session.refresh(letter)
    assert letter.sent_at is None and queued() == []


def test_a_double_click_queues_once(client, setting):
    login(client, setting["manager"])
    letter = write(client, setting["a"])
    assert send(client, setting["a"], letter).status_code == 302
    assert send(client, setting["a"], letter).status_code == 302
    assert len(queued()) == 2
    db.session.refresh(letter)
    assert letter.recipient_count == 2 and letter.sent_at is not None
    assert audit_count("newsletter.sent", neighbourhood_id=setting["a"].id) == 1


def test_the_sent_newsletter_cannot_be_changed(client, setting):
    login(client, setting["manager"])
    letter = write(client, setting["a"])
    send(client, setting["a"], letter)
    client.post(
        f"/beheer/{setting['a'].slug}/nieuwsbrieven/opslaan",
        data={"newsletter_id": letter.id, "subject": "Anders", "body": "Anders"},
    )
    db.session.refresh(letter)
    assert letter.subject == "Nieuws uit de wijk"


@pytest.mark.slow
def test_ten_thousand_subscribers_are_queued_with_bulk_inserts(
    app, make_neighbourhood, make_manager
):
    """The count is the promise; the time is printed for the record (see the issue note)."""
    from flask import g

    from wijk.newsletters import services as letters

    place = make_neighbourhood()
    manager = make_manager(place)
    now = utcnow()
    db.session.execute(
        insert(User),
        [
            {
                "name": f"Bewoner {n} van Dijk",
                "email": f"b{n}@bulk.example",
                "password_hash": "x",
                "email_verified_at": now,
                "created_at": now,
                "is_admin": False,
            }
            for n in range(10_000)
        ],
    )
    ids = list(db.session.scalars(select(User.id).where(User.email.like("%@bulk.example"))))
    db.session.execute(
        insert(NewsletterSubscription),
        [
            {
                "user_id": uid,
                "neighbourhood_id": place.id,
                "source": "account",
                "subscribed_at": now,
            }
            for uid in ids
        ],
    )
    letter = Newsletter(
        neighbourhood_id=place.id,
        author_id=manager.id,
        subject="Groot",
        body_html="<p>Voor iedereen</p>",
        body_text="Voor iedereen",
    )
    db.session.add(letter)
    db.session.commit()

    with app.test_request_context("/"):
        g._login_user = manager
        started = time.perf_counter()
        count = letters.send(letter, manager)
        seconds = time.perf_counter() - started
    print(f"\nqueued {count} newsletter messages in {seconds:.2f} s ({db.engine.dialect.name})")
    assert count == 10_000
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "newsletter")
        )
        == 10_000
    )
    tokens = db.session.scalars(select(OutboxMessage.headers).limit(3))
    assert len({h["List-Unsubscribe"] for h in tokens}) == 3  # personal links


# --- delivery, unsubscribe and the next newsletter --------------------------------------


def unsubscribe_url(mail) -> str:
    """The URL of the List-Unsubscribe header as it went over the wire: unfolded, and
    never an RFC 2047 encoded word (mail programs would not recognise it)."""
    head = mail.raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").decode()
    header = re.search(r"^List-Unsubscribe: *(.*)$", head, re.MULTILINE).group(1)
    return re.fullmatch(r"<(https?://[^>]+)>", header.strip()).group(1)


def test_newsletter_reaches_only_active_subscribers_of_a_and_one_click_works(
    app, client, setting, smtp_server
):
    login(client, setting["manager"])
    letter = write(client, setting["a"], body="Beste buren,\n\n<b>Soep</b> op zaterdag.")
    assert smtp_server.messages == []
    send(client, setting["a"], letter)
    assert smtp_server.messages == []  # nothing is sent inside the request
    drain(app)

    received = {mail.rcpt_tos[0]: mail for mail in smtp_server.messages}
    assert set(received) == {"jan@example.org", "els@example.org"}
    jan = received["jan@example.org"].message
    assert "Nieuws uit de wijk" in jan["Subject"]
    assert jan["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = unsubscribe_url(received["jan@example.org"])
    assert link != unsubscribe_url(received["els@example.org"])  # personal
    text = jan.get_body(("plain",)).get_content()
    html = jan.get_body(("html",)).get_content()
    assert link in text and link in html and "Soep" in text
    assert "<img" not in html  # no tracking pixel
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert all("/nieuwsbrief/afmelden/" in h or "/nieuwsbrieven" in h for h in hrefs)

    # One-click: the mail program POSTs, with no session and no CSRF token.
    from wijk import create_app
    from wijk.extensions import db as database

    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    path = link.split("localhost", 1)[1]
    response = strict.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    database.session.expire_all()
    row = database.session.scalar(
        select(NewsletterSubscription).where(NewsletterSubscription.user_id == setting["jan"].id)
    )
    assert row.withdrawn_at is not None
    assert audit_count("subscribers.viewed") == 0  # sending is not a view

    smtp_server.clear()
    second = write(client, setting["a"], subject="Tweede nieuwsbrief", body="Weer nieuws")
    send(client, setting["a"], second)
    drain(app)
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == ["els@example.org"]


def test_the_unsubscribe_link_asks_first_on_get(client, setting):
    from wijk.newsletters.subscriptions import unsubscribe_token

    token = unsubscribe_token(setting["jan"].id, setting["a"].id)
    page = client.get(f"/nieuwsbrief/afmelden/{token}")
    assert page.status_code == 200 and "Lombok" in page.get_data(as_text=True)
    assert '<form method="post">' in page.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count(NewsletterSubscription.id)).where(
                NewsletterSubscription.withdrawn_at.is_(None)
            )
        )
        == 4
    )  # nothing changed yet


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_tampered_token_shows_a_friendly_page_and_changes_nothing(client, setting, method):
    from wijk.newsletters.subscriptions import unsubscribe_token

    token = unsubscribe_token(setting["jan"].id, setting["a"].id)
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "nonsense",
        token.replace(".", "", 1),
    ):
        response = client.open(f"/nieuwsbrief/afmelden/{bad}", method=method)
        assert response.status_code == 400
        assert "<h1>" in response.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count(NewsletterSubscription.id)).where(
                NewsletterSubscription.withdrawn_at.is_(None)
            )
        )
        == 4
    )


def test_sent_newsletters_are_archived_on_the_site(client, setting):
    login(client, setting["manager"])
    sent = write(client, setting["a"], subject="Verstuurd nummer 1")
    send(client, setting["a"], sent)
    write(client, setting["a"], subject="Nog een concept")
    client.post("/uitloggen")

    place = client.get(f"/wijk/{setting['a'].slug}").get_data(as_text=True)
    assert f"/wijk/{setting['a'].slug}/nieuwsbrieven" in place
    archive = client.get(f"/wijk/{setting['a'].slug}/nieuwsbrieven").get_data(as_text=True)
    assert "Verstuurd nummer 1" in archive and "Nog een concept" not in archive
    page = client.get(f"/wijk/{setting['a'].slug}/nieuwsbrieven/{sent.id}")
    assert page.status_code == 200 and "Tot snel!" in page.get_data(as_text=True)
    assert "afmelden" not in page.get_data(as_text=True)  # no personal link on the site
    draft = db.session.scalar(select(Newsletter).where(Newsletter.sent_at.is_(None)))
    assert client.get(f"/wijk/{setting['a'].slug}/nieuwsbrieven/{draft.id}").status_code == 404
    assert client.get(f"/wijk/{setting['b'].slug}/nieuwsbrieven/{sent.id}").status_code == 404


def test_a_used_unsubscribe_link_says_you_are_already_off_the_list(client, setting):
    from wijk.newsletters.subscriptions import unsubscribe_token

    token = unsubscribe_token(setting["jan"].id, setting["a"].id)
    assert client.post(f"/nieuwsbrief/afmelden/{token}").status_code == 200
    again = client.get(f"/nieuwsbrief/afmelden/{token}")
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "Je staat al niet meer op de lijst" in page
    assert '<form method="post">' not in page  # nothing left to ask
    second_post = client.post(f"/nieuwsbrief/afmelden/{token}").get_data(as_text=True)
    assert "Je staat al niet meer op de lijst" in second_post
