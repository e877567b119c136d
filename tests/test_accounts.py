from __future__ import annotations

import re

from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import Consent, Item, OutboxMessage, User

GOOD = {
    "name": "Anna de Vries",
    "email": "Anna@Example.org",
    "password": "lange zin als wachtwoord",
    "password_repeat": "lange zin als wachtwoord",
    "accept_terms": "y",
    "confirm_age": "y",
}


def link_in(message: OutboxMessage) -> str:
    match = re.search(r"https?://\S+", message.body_text)
    assert match, message.body_text
    return match.group(0).split("localhost", 1)[1]


def test_registration_records_consent_with_version_and_time(client, app):
    response = client.post("/registreren", data=GOOD)
    assert response.status_code == 200
    user = db.session.scalar(select(User))
    assert user.email == "anna@example.org"
    assert user.password_hash.startswith("scrypt:")
    documents = {c.document: c.version for c in user.consents}
    assert documents == {
        "terms": app.config["TERMS_VERSION"],
        "privacy": app.config["PRIVACY_VERSION"],
        "age": "16",
    }
    assert all(c.accepted_at for c in user.consents)


def test_registration_without_consent_is_refused_and_keeps_input(client):
    data = {k: v for k, v in GOOD.items() if k != "accept_terms"}
    response = client.post("/registreren", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "accept the terms" in html or "voorwaarden" in html
    assert 'value="Anna de Vries"' in html
    assert db.session.scalar(select(User)) is None
    assert db.session.scalar(select(Consent)) is None
    assert db.session.scalar(select(OutboxMessage)) is None


def test_registration_without_age_confirmation_is_refused(client):
    data = {k: v for k, v in GOOD.items() if k != "confirm_age"}
    assert client.post("/registreren", data=data).status_code == 400
    assert db.session.scalar(select(User)) is None


def test_consent_box_is_unchecked_on_a_fresh_form(client):
    html = client.get("/registreren").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="accept_terms"[^>]*>', html).group(0)
    assert "checked" not in box


def test_registering_a_known_address_answers_as_for_a_new_one_and_tells_its_owner(
    client, make_user
):
    fresh = client.post("/registreren", data={**GOOD, "email": "nieuw@example.org"})
    make_user(email="anna@example.org")
    known = client.post("/registreren", data=GOOD)
    assert known.status_code == fresh.status_code == 200

    def page(response, email):
        html = response.get_data(as_text=True).replace(email, "ADDRESS")
        return re.sub(r'name="csrf_token" value="[^"]*"', "", html)

    assert page(known, "Anna@example.org") == page(fresh, "nieuw@example.org")
    kinds = {m.to_addr: m.kind for m in db.session.scalars(select(OutboxMessage))}
    assert kinds == {"nieuw@example.org": "verify", "anna@example.org": "account_exists"}
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.email == "anna@example.org")) == 1
    )


def test_overlong_name_is_refused_with_a_message(client):
    response = client.post("/registreren", data={**GOOD, "name": "x" * 101})
    assert response.status_code == 400
    assert "name-error" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_verification_mail_is_queued_and_link_verifies(client):
    client.post("/registreren", data=GOOD)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "verify"))
    assert message.to_addr == "anna@example.org"
    user = db.session.scalar(select(User))
    assert user.email_verified_at is None
    response = client.get(link_in(message))
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_verified_at is not None


def test_tampered_verification_link_is_refused(client):
    client.post("/registreren", data=GOOD)
    message = db.session.scalar(select(OutboxMessage))
    response = client.get(link_in(message)[:-3] + "abc")
    assert response.status_code == 400
    assert db.session.scalar(select(User)).email_verified_at is None


def test_verification_link_expires(client, app):
    client.post("/registreren", data=GOOD)
    message = db.session.scalar(select(OutboxMessage))
    app.config["VERIFY_TOKEN_MAX_AGE"] = -1
    assert client.get(link_in(message)).status_code == 400


def test_unverified_account_cannot_post(client, auth, make_user, make_neighbourhood):
    place = make_neighbourhood()
    user = make_user(verified=False)
    auth.login(user)
    assert client.get("/plaatsen/activiteit").status_code == 403
    response = client.post(
        "/plaatsen/activiteit",
        data={"neighbourhood_id": place.id, "title": "Stiekem", "starts_at": "2030-01-01T10:00"},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(Item)) is None


def test_login_and_logout(client, auth, make_user):
    user = make_user()
    response = auth.login(user)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    auth.logout()
    assert client.get("/account").status_code == 302


def test_wrong_password_gives_a_message_and_keeps_email(client, make_user):
    user = make_user()
    response = client.post("/inloggen", data={"email": user.email, "password": "wrong one!"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert user.email in html
    assert "password-error" in html


def test_password_reset_works_once_and_logs_out_other_sessions(client, app, make_user, auth):
    user = make_user()
    other = app.test_client()
    other.post("/inloggen", data={"email": user.email, "password": "correct horse battery"})
    assert other.get("/account").status_code == 200

    response = client.post("/wachtwoord-vergeten", data={"email": user.email})
    assert response.status_code == 200
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reset"))
    link = link_in(message)
    new = {"password": "een nieuw wachtwoord", "password_repeat": "een nieuw wachtwoord"}
    assert client.post(link, data=new).status_code == 302
    assert client.post(link, data=new).status_code == 400  # used once
    assert other.get("/account").status_code == 302  # the old session is gone
    assert auth.login(user, "een nieuw wachtwoord").status_code == 302


def test_reset_request_does_not_tell_who_has_an_account(client, make_user):
    known = make_user()
    a = client.post("/wachtwoord-vergeten", data={"email": known.email}).get_data(as_text=True)
    b = client.post("/wachtwoord-vergeten", data={"email": "nobody@example.org"}).get_data(
        as_text=True
    )
    # The pages differ only in the address typed, and in the CSRF token, which carries the
    # second it was made (two requests may straddle a second).
    token = re.compile(r'(name="csrf_token" (?:type="hidden" )?value=)"[^"]+"')
    assert token.sub(r"\1T", a.replace(known.email, "X")) == token.sub(
        r"\1T", b.replace("nobody@example.org", "X")
    )
    assert (
        db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.to_addr == "nobody@example.org")
        )
        is None
    )


def test_login_redirect_ignores_foreign_next(client, make_user):
    user = make_user()
    response = client.post(
        "/inloggen?next=https://evil.example/",
        data={"email": user.email, "password": "correct horse battery"},
    )
    assert "evil.example" not in response.headers["Location"]


def test_account_page_updates_name_and_language(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post("/account", data={"name": "Nieuwe Naam", "locale": "en"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Nieuwe Naam" and user.locale == "en"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
