"""Two-step login: setup with a server-drawn QR code and recovery codes, the code step at
login, recovery codes that work once, rate limits, and manager and admin pages that stay
closed until TOTP is on."""

from __future__ import annotations

import re

import pyotp
import pytest
from manage_fixtures import audit_count, code_for, login, switch_on_totp
from sqlalchemy import select

from wijk.extensions import db
from wijk.models import RecoveryCode


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_setup_shows_a_server_drawn_qr_code_and_the_secret(client, auth, make_user):
    user = make_user()
    auth.login(user)
    html = client.get("/account/tweestapsverificatie").get_data(as_text=True)
    db.session.refresh(user)
    assert user.totp_secret and user.totp_enabled_at is None
    assert 'src="data:image/svg+xml' in html  # drawn here; no external QR service
    secret = user.totp_secret
    assert secret in html
    # A reload shows the same pending secret, so a scanned code stays valid.
    again = client.get("/account/tweestapsverificatie").get_data(as_text=True)
    db.session.refresh(user)
    assert user.totp_secret == secret and secret in again


def test_confirming_with_a_code_switches_on_and_shows_recovery_codes_once(client, auth, make_user):
    user = make_user()
    auth.login(user)
    client.get("/account/tweestapsverificatie")
    db.session.refresh(user)
    wrong = client.post("/account/tweestapsverificatie", data={"code": "000000"})
    assert wrong.status_code == 400 and 'id="code-error"' in wrong.get_data(as_text=True)
    db.session.refresh(user)
    assert user.totp_enabled_at is None

    response = client.post("/account/tweestapsverificatie", data={"code": code_for(user)})
    html = response.get_data(as_text=True)
    codes = re.findall(r"<li>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</li>", html)
    assert response.status_code == 200 and len(codes) == 10
    db.session.refresh(user)
    assert user.totp_enabled_at is not None
    stored = set(
        db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id))
    )
    assert len(stored) == 10 and not stored & set(codes)  # only hashes are kept
    assert audit_count("mfa.enabled", subject_id=user.id) == 1
    assert not any(
        code in client.get("/account/tweestapsverificatie").get_data(as_text=True) for code in codes
    )


def test_login_asks_for_the_code_after_the_password(client, make_user):
    user = make_user()
    switch_on_totp(user)
    response = client.post(
        "/inloggen", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.headers["Location"].endswith("/inloggen/code")
    assert not logged_in(client)  # the password alone is not enough
    assert client.post("/inloggen/code", data={"code": "123456"}).status_code == 400
    assert not logged_in(client)
    response = client.post("/inloggen/code", data={"code": code_for(user)})
    assert response.status_code == 302
    assert logged_in(client)


def test_the_code_step_needs_the_password_step_first(client, make_user):
    user = make_user()
    switch_on_totp(user)
    response = client.post("/inloggen/code", data={"code": code_for(user)})
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert not logged_in(client)


def test_a_recovery_code_logs_in_once(client, auth, make_user):
    user = make_user()
    auth.login(user)
    client.get("/account/tweestapsverificatie")
    db.session.refresh(user)
    html = client.post("/account/tweestapsverificatie", data={"code": code_for(user)}).get_data(
        as_text=True
    )
    recovery = re.findall(r"<li>([A-Z0-9-]{19})</li>", html)[0]
    auth.logout()

    for expected in (True, False):
        client.post("/inloggen", data={"email": user.email, "password": "correct horse battery"})
        client.post("/inloggen/code", data={"code": recovery.lower().replace("-", " ")})
        assert logged_in(client) is expected
        auth.logout()


def test_code_attempts_are_rate_limited(client, make_user):
    user = make_user()
    switch_on_totp(user)
    client.post("/inloggen", data={"email": user.email, "password": "correct horse battery"})
    statuses = [
        client.post("/inloggen/code", data={"code": "000000"}).status_code for _ in range(6)
    ]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    # Even the right code waits now.
    assert client.post("/inloggen/code", data={"code": code_for(user)}).status_code == 429


def test_switching_off_needs_a_valid_code(client, make_user):
    user = make_user()
    switch_on_totp(user)
    login(client, user)
    client.post("/account/tweestapsverificatie/uitzetten", data={"code": "111111"})
    db.session.refresh(user)
    assert user.totp_enabled_at is not None
    client.post("/account/tweestapsverificatie/uitzetten", data={"code": code_for(user)})
    db.session.refresh(user)
    assert user.totp_enabled_at is None and user.totp_secret is None
    assert audit_count("mfa.disabled", subject_id=user.id) == 1


def test_residents_find_two_step_login_on_their_account_page(client, auth, make_user):
    auth.login(make_user())
    html = client.get("/account").get_data(as_text=True)
    assert "/account/tweestapsverificatie" in html


@pytest.mark.parametrize(
    "path", ["/beheer", "/beheer/{slug}", "/beheer/{slug}/abonnees", "/beheer/{slug}/nieuwsbrieven"]
)
def test_manager_pages_refuse_a_manager_without_totp(
    client, make_neighbourhood, make_manager, path
):
    place = make_neighbourhood()
    manager = make_manager(place, totp=False)
    login(client, manager)
    response = client.get(path.format(slug=place.slug))
    assert response.status_code == 302
    assert "/account/tweestapsverificatie" in response.headers["Location"]
    json = client.get(path.format(slug=place.slug), headers={"Accept": "application/json"})
    assert json.status_code == 403 and json.is_json


def test_after_setup_the_manager_page_opens(client, make_neighbourhood, make_manager):
    place = make_neighbourhood()
    manager = make_manager(place, totp=False)
    login(client, manager)
    first = client.get(f"/beheer/{place.slug}")
    setup = client.get(first.headers["Location"])
    assert setup.status_code == 200
    db.session.refresh(manager)
    secret = manager.totp_secret
    action = (
        re.search(
            r'action="(/account/tweestapsverificatie\?next=[^"]+)"', setup.get_data(as_text=True)
        )
        .group(1)
        .replace("&amp;", "&")
    )
    done = client.post(action, data={"code": pyotp.TOTP(secret).now()})
    assert f"/beheer/{place.slug}" in done.get_data(as_text=True)  # "continue" goes back
    assert client.get(f"/beheer/{place.slug}").status_code == 200


def test_admin_pages_refuse_an_admin_without_totp(client, make_user):
    admin = make_user(is_admin=True)
    login(client, admin)
    response = client.get("/admin")
    assert response.status_code == 302
    assert "/account/tweestapsverificatie" in response.headers["Location"]


def test_setup_does_not_mention_recovery_codes_before_they_exist(client, auth, make_user):
    user = make_user()
    auth.login(user)
    html = client.get("/account/tweestapsverificatie").get_data(as_text=True)
    assert "herstelcode" not in html.lower()
    wrong = client.post("/account/tweestapsverificatie", data={"code": "000000"})
    assert "herstelcode" not in wrong.get_data(as_text=True).lower()


def test_recovery_codes_can_be_downloaded_as_a_text_file_once_shown(client, auth, make_user):
    from urllib.parse import unquote

    user = make_user(email="codes@example.org")
    auth.login(user)
    client.get("/account/tweestapsverificatie")
    db.session.refresh(user)
    response = client.post("/account/tweestapsverificatie", data={"code": code_for(user)})
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li>([A-Z0-9-]{19})</li>", html)
    link = re.search(
        r'<a [^>]*href="data:text/plain;charset=utf-8,([^"]*)" download="([^"]+)"', html
    )
    assert link is not None and link.group(2).endswith(".txt")
    text = unquote(link.group(1).replace("&amp;", "&"))
    assert "codes@example.org" in text and "herstelcodes" in text
    assert [line for line in text.splitlines() if re.fullmatch(r"[A-Z0-9-]{19}", line)] == codes
    assert len(codes) == 10
