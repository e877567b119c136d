"""Sessions end server-side: a session or remember cookie copied before a logout, a new
password or switching TOTP on is refused afterwards; a TOTP code counts once; the
remember cookie shows nothing of the account."""

from __future__ import annotations

from manage_fixtures import code_for, login, switch_on_totp

from wijk.accounts import services
from wijk.extensions import db


def copy_of(app, client, *names):
    """A second browser holding copies of the first one's cookies."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value)
    return other


def opens_account(client) -> bool:
    return client.get("/account").status_code == 200


def test_a_session_cookie_copied_before_logout_is_refused_after_it(app, client, auth, make_user):
    auth.login(make_user())
    stolen = copy_of(app, client, "wijk_session")
    assert opens_account(stolen)
    auth.logout()
    assert not opens_account(stolen)


def test_a_remember_cookie_copied_before_logout_is_refused_after_it(app, client, make_user):
    user = make_user()
    client.post(
        "/inloggen",
        data={"email": user.email, "password": "correct horse battery", "remember": "y"},
    )
    stolen = copy_of(app, client, "remember_token")
    assert opens_account(stolen)  # logs in from the remember cookie alone
    fresh_copy = copy_of(app, client, "remember_token")
    client.post("/uitloggen")
    assert not opens_account(stolen) and not opens_account(fresh_copy)


def test_the_remember_cookie_carries_nothing_of_the_password_or_the_id(client, make_user):
    user = make_user()
    client.post(
        "/inloggen",
        data={"email": user.email, "password": "correct horse battery", "remember": "y"},
    )
    value = client.get_cookie("remember_token").value
    payload = value.split("|")[0]
    assert user.password_hash[-12:] not in value and user.password_hash[-6:] not in value
    assert payload != str(user.id) and not payload.startswith(f"{user.id}.")


def test_log_out_everywhere_ends_the_sessions_on_other_devices(app, client, auth, make_user):
    user = make_user()
    auth.login(user)
    laptop = app.test_client()
    login(laptop, user)
    assert opens_account(laptop)
    response = client.post("/account/overal-uitloggen")
    assert response.status_code == 302
    assert not opens_account(laptop) and not opens_account(client)


def test_a_new_password_ends_every_session(app, client, auth, make_user):
    user = make_user()
    auth.login(user)
    services.set_password(user, "een heel nieuw wachtwoord")
    assert not opens_account(client)


def test_switching_totp_on_ends_other_sessions_but_keeps_this_one(app, client, auth, make_user):
    user = make_user()
    auth.login(user)
    phone = copy_of(app, client, "wijk_session")
    client.get("/account/tweestapsverificatie")
    db.session.refresh(user)
    response = client.post("/account/tweestapsverificatie", data={"code": code_for(user)})
    assert response.status_code == 200
    assert opens_account(client)
    assert not opens_account(phone)


def test_a_totp_code_is_accepted_once(app, make_user):
    user = make_user()
    switch_on_totp(user)
    first, second = app.test_client(), app.test_client()
    code = code_for(user)
    for browser in (first, second):
        browser.post("/inloggen", data={"email": user.email, "password": "correct horse battery"})
    assert first.post("/inloggen/code", data={"code": code}).status_code == 302
    replay = second.post("/inloggen/code", data={"code": code})
    assert replay.status_code == 400 and not opens_account(second)
    # A newer code still works.
    login(second, user)
    assert opens_account(second)


def test_deleting_the_account_ends_its_sessions(app, client, auth, make_user):
    auth.login(make_user())
    stolen = copy_of(app, client, "wijk_session")
    response = client.post("/mijn/gegevens/verwijderen", data={"password": "correct horse battery"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert not opens_account(stolen)


def test_the_session_serializer_is_built_once_and_follows_a_new_key(
    app, client, auth, make_user, monkeypatch
):
    """Built once per set of keys, not twice a request; a new SECRET_KEY refuses the
    old cookie unless the old key is in SECRET_KEY_FALLBACKS, as Flask's own does."""
    from flask.sessions import SecureCookieSessionInterface

    built: list[int] = []
    build = SecureCookieSessionInterface.get_signing_serializer

    def counted(self, flask_app):
        built.append(1)
        return build(self, flask_app)

    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", counted)
    auth.login(make_user())
    for _ in range(3):
        assert opens_account(client)
    assert len(built) <= 1

    old = app.secret_key
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")
    assert not opens_account(copy_of(app, client, "wijk_session"))
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old])
    assert opens_account(copy_of(app, client, "wijk_session"))
