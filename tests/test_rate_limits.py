"""Login (per account and per client), registration, password reset and the contact form
are rate limited; the limits hold with the shared SQLite file and with Redis (REDIS_URL)."""

from __future__ import annotations

import os

import pytest

from wijk.extensions import limiter


def statuses(client, path, data, n, **environ):
    return [client.post(path, data=data, environ_base=environ or {}).status_code for _ in range(n)]


def test_login_is_limited_per_account_across_clients(client, make_user):
    user = make_user()
    codes = [
        client.post(
            "/inloggen",
            data={"email": user.email, "password": "fout!"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n}"},
        ).status_code
        for n in range(11)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429


@pytest.mark.slow
def test_login_is_limited_per_client_across_accounts(client):
    codes = [
        client.post(
            "/inloggen", data={"email": f"iemand{n}@example.org", "password": "fout!"}
        ).status_code
        for n in range(21)
    ]
    assert codes[:20] == [400] * 20
    assert codes[20] == 429


def test_registration_is_limited(client):
    data = {"name": "", "email": "x"}
    codes = statuses(client, "/registreren", data, 11)
    assert codes[:10] == [400] * 10 and codes[10] == 429


def test_password_reset_is_limited(client):
    codes = statuses(client, "/wachtwoord-vergeten", {"email": "iemand@example.org"}, 6)
    assert codes[:5] == [200] * 5 and codes[5] == 429


def test_limits_use_the_configured_storage(app):
    expected = "redis" if os.environ.get("REDIS_URL") else "sqlitefile"
    assert type(limiter._storage).__name__.lower().startswith(expected)


@pytest.mark.parametrize("path", ["/inloggen", "/registreren", "/wachtwoord-vergeten"])
def test_the_429_page_is_friendly(client, path):
    for _ in range(25):
        response = client.post(path, data={"email": "a@example.org"})
        if response.status_code == 429:
            break
    assert response.status_code == 429
    assert "<h1>Even geduld</h1>" in response.get_data(as_text=True)
