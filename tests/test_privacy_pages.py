"""The generated privacy statement and register, the "my data" page and re-acceptance
of new terms."""

from __future__ import annotations

import csv
import io

from privacy_helpers import login_as_admin
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import (
    AuditEntry,
    Consent,
    Item,
    NeighbourhoodManager,
    NewsletterSubscription,
    RelayMessage,
    SignUp,
)
from wijk.models.base import utcnow
from wijk.privacy.retention import SCHEDULE

# --- /privacy ---------------------------------------------------------------------------


def test_privacy_statement_is_generated_from_declarations_schedule_and_config(app, client):
    app.config.update(
        CONTROLLER_NAME="Stichting Buurtkracht", CONTROLLER_CONTACT="privacy@buurtkracht.example"
    )
    html = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "Stichting Buurtkracht" in html and "privacy@buurtkracht.example" in html
    for rule in SCHEDULE:
        assert str(rule.description) in html
    assert "contact phone number" in html  # a field label from a declaration
    assert "let visitors call the contact person" in html  # its purpose
    assert "legitimate interest" in html and "consent" in html


def test_privacy_statement_is_dutch_by_default(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="nl" dir="ltr">' in html
    assert "Privacyverklaring" in html
    assert "telefoonnummer" in html  # the field labels are translated
    assert "gerechtvaardigd belang" in html


def test_declaration_texts_are_all_translatable(app):
    from wijk.privacy.vocabulary import DECLARATION_TEXTS, FIELD_LABELS

    known = {t._args[0] if hasattr(t, "_args") else str(t) for t in DECLARATION_TEXTS}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            declaration = column.info.get("personal")
            if not declaration:
                continue
            key = f"{table.name}.{column.name}"
            assert key in FIELD_LABELS, f"add a label for {key} in privacy/vocabulary.py"
            for part in ("category", "purpose", "audience"):
                assert declaration[part] in known, (
                    f"add {declaration[part]!r} to DECLARATION_TEXTS in privacy/vocabulary.py"
                )


def test_footer_links_to_the_privacy_statement_for_everyone(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in html


# --- the processing register ------------------------------------------------------------


def test_register_is_for_admins_with_two_step_login(client, auth, make_user):
    resident = make_user()
    auth.login(resident)
    assert client.get("/privacy/beheer/register").status_code == 403
    assert client.get("/privacy/beheer/register.csv").status_code == 403
    assert client.get("/privacy/beheer/verzoeken").status_code == 403
    assert client.get("/privacy/beheer/datalekken").status_code == 403
    auth.logout()
    no_totp = make_user(is_admin=True)
    auth.login(no_totp)
    # Without two-step login: sent to switch it on (or refused), never shown.
    assert client.get("/privacy/beheer/register").status_code in (302, 403)
    auth.logout()
    login_as_admin(auth, make_user(is_admin=True))
    response = client.get("/privacy/beheer/register")
    assert response.status_code == 200
    assert "telefoonnummer van de contactpersoon" in response.get_data(as_text=True)


def test_register_downloads_as_csv_and_markdown(client, auth, make_user):
    login_as_admin(auth, make_user(is_admin=True))
    response = client.get("/privacy/beheer/register.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    tables = {t for row in rows for t in row["tables"].split(", ")}
    assert {"user_account", "item", "relay_message", "signup", "audit_entry"} <= tables
    assert all(row["purpose"] and row["basis"] and row["retention"] for row in rows)
    markdown = client.get("/privacy/beheer/register.md").get_data(as_text=True)
    assert markdown.startswith("# Verwerkingsregister (AVG art. 30)")
    assert markdown.count("\n|") == len(rows) + 2


# --- my data ----------------------------------------------------------------------------


def test_my_data_is_one_click_from_every_page(client, auth, make_user, make_item):
    user = make_user()
    item = make_item("activity", owner=user)
    auth.login(user)
    for path in ("/", "/mijn/bijdragen", f"/activiteit/{item.id}", "/privacy"):
        html = client.get(path).get_data(as_text=True)
        assert 'href="/mijn/gegevens"' in html, path


def test_my_data_shows_everything_grouped(client, auth, make_user, make_item, make_neighbourhood):
    user = make_user(name="Greetje Mulder", email="greetje@example.org")
    manager = make_user()
    place = make_neighbourhood(name="Lombok")
    db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=manager.id))
    item = make_item(
        "activity",
        owner=user,
        neighbourhood=place,
        contact_phone="0612345678",
        contact_phone_public=False,
        address="Kanaalstraat 1",
        address_public=True,
    )
    other = make_item("activity", neighbourhood=place, title="Buurtfeest")
    db.session.add_all(
        [
            NewsletterSubscription(
                user_id=user.id, neighbourhood_id=place.id, source="account", withdrawn_at=utcnow()
            ),
            NewsletterSubscription(user_id=user.id, neighbourhood_id=place.id, source="signup"),
            AuditEntry(
                actor_id=manager.id,
                action="author.viewed",
                subject_id=user.id,
                item_id=item.id,
                neighbourhood_id=place.id,
            ),
            AuditEntry(actor_id=manager.id, action="author.viewed", subject_id=manager.id),
            RelayMessage(
                item_id=item.id,
                recipient_id=user.id,
                sender_name="Kees Verstuurder",
                sender_email="kees@example.net",
                body="Een vraag van Kees",
            ),
            RelayMessage(
                item_id=other.id,
                recipient_id=other.owner_id,
                sender_name="Greetje",
                sender_email="Greetje@example.org",
                body="Mijn eigen vraag",
            ),
            SignUp(activity_id=other.id, name="Greetje M", email="greetje@example.org"),
            Consent(user_id=user.id, document="terms", version="2026-11"),
        ]
    )
    db.session.commit()
    auth.login(user)
    html = client.get("/mijn/gegevens?lang=en").get_data(as_text=True)
    assert "Greetje Mulder" in html and "greetje@example.org" in html
    assert "Terms of use" in html and "2026-11" in html
    assert html.count("Lombok") >= 2  # opt-ins, withdrawn and active
    assert "0612345678" in html and "Kanaalstraat 1" in html
    assert f'action="/mijn/gegevens/zichtbaarheid/{item.id}"' in html
    assert "a neighbourhood manager" in html
    assert "Viewed the author" in html or "author.viewed" in html
    assert html.count("<tr>") >= 1
    # Messages others sent: date and post only.
    assert "Kees" not in html and "kees@example.net" not in html
    # What was sent from the person's own (verified) address is theirs.
    assert "Mijn eigen vraag" in html and "Greetje M" in html
    # Rectification: links to where things change.
    assert 'href="/account"' in html and f"/activiteit/{item.id}/bewerken" in html


def test_unverified_accounts_do_not_see_what_was_sent_from_their_address(
    client, auth, make_user, make_item
):
    someone = make_item("activity")
    db.session.add(
        RelayMessage(
            item_id=someone.id,
            recipient_id=someone.owner_id,
            sender_name="Echte Eigenaar",
            sender_email="echt@example.org",
            body="Privé bericht",
        )
    )
    db.session.commit()
    squatter = make_user(email="echt@example.org", verified=False)
    auth.login(squatter)
    html = client.get("/mijn/gegevens").get_data(as_text=True)
    assert "Privé bericht" not in html and "Echte Eigenaar" not in html


def test_toggle_on_my_data_switches_a_field_and_comes_back(client, auth, make_user, make_item):
    user = make_user()
    item = make_item("activity", owner=user, contact_phone="0612345678")
    auth.login(user)
    response = client.post(
        f"/mijn/gegevens/zichtbaarheid/{item.id}", data={"field": "contact_phone", "public": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/mijn/gegevens#item-{item.id}")
    db.session.expire_all()
    assert db.session.get(Item, item.id).contact_phone_public is True
    stranger = make_user()
    auth.logout()
    auth.login(stranger)
    assert (
        client.post(
            f"/mijn/gegevens/zichtbaarheid/{item.id}",
            data={"field": "contact_phone", "public": "0"},
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(Item, item.id).contact_phone_public is True


# --- re-acceptance of new terms ---------------------------------------------------------


def test_new_terms_must_be_accepted_before_going_on(app, client, auth, make_user):
    user = make_user()
    db.session.add_all(
        [
            Consent(user_id=user.id, document="terms", version="2026-11"),
            Consent(user_id=user.id, document="privacy", version="2026-11"),
        ]
    )
    db.session.commit()
    auth.login(user)
    assert client.get("/mijn/bijdragen").status_code == 200
    app.config["TERMS_VERSION"] = "2027-01"
    response = client.get("/mijn/bijdragen")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/voorwaarden/opnieuw")
    assert client.post("/account", data={"name": "X", "locale": "nl"}).status_code == 303
    # Rights and the statement stay open.
    assert client.get("/privacy").status_code == 200
    assert client.get("/mijn/gegevens").status_code == 200
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'type="checkbox"' in page and "checked" not in page
    assert client.post("/voorwaarden/opnieuw", data={}).status_code == 400
    done = client.post("/voorwaarden/opnieuw?next=/mijn/bijdragen", data={"accept": "y"})
    assert done.status_code == 302 and done.headers["Location"] == "/mijn/bijdragen"
    assert client.get("/mijn/bijdragen").status_code == 200
    history = list(
        db.session.execute(
            select(Consent.document, Consent.version)
            .where(Consent.user_id == user.id)
            .order_by(Consent.id)
        )
    )
    assert ("terms", "2026-11") in history and ("terms", "2027-01") in history
    assert ("privacy", "2027-01") not in history  # only what changed is asked again
    html = client.get("/mijn/gegevens?lang=en").get_data(as_text=True)
    assert "2027-01" in html and "2026-11" in html


def test_anonymous_visitors_are_not_asked_to_accept(app, client):
    app.config["PRIVACY_VERSION"] = "2099-01"
    assert client.get("/").status_code == 200
