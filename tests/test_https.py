"""HTTPS done fully: behind a trusted proxy every cookie is Secure and HSTS is sent; over
plain HTTP neither (a development machine must keep working)."""

from __future__ import annotations

import pytest

from wijk import create_app
from wijk.extensions import db

HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def proxied(_schema, tmp_path):
    url, _ = _schema

    def make(**config):
        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "PROXY_FIX_HOPS": 1,
                "RATELIMIT_ENABLED": False,
                **config,
            }
        )

    return make


def test_every_cookie_is_secure_behind_https_including_remember(proxied, make_user):
    app = proxied()
    with app.app_context():
        user = make_user()
        response = app.test_client().post(
            "/inloggen",
            headers=HTTPS,
            data={"email": user.email, "password": "correct horse battery", "remember": "y"},
        )
        cookies = response.headers.getlist("Set-Cookie")
        names = {c.split("=", 1)[0] for c in cookies}
        assert {"wijk_session", "remember_token"} <= names
        assert all("; Secure" in c for c in cookies), cookies
        db.session.remove()
        db.engine.dispose()


def test_hsts_only_over_https_and_configurable(proxied):
    app = proxied()
    with app.app_context():
        client = app.test_client()
        assert client.get("/", headers=HTTPS).headers["Strict-Transport-Security"] == (
            "max-age=31536000"
        )
        assert "Strict-Transport-Security" not in client.get("/").headers
    app = proxied(HSTS_MAX_AGE=0)
    with app.app_context():
        assert "Strict-Transport-Security" not in app.test_client().get("/", headers=HTTPS).headers
    app = proxied(HSTS_MAX_AGE=600, HSTS_INCLUDE_SUBDOMAINS=True)
    with app.app_context():
        assert (
            app.test_client().get("/", headers=HTTPS).headers["Strict-Transport-Security"]
            == "max-age=600; includeSubDomains"
        )


def test_cookies_stay_usable_over_plain_http(client, make_user):
    user = make_user()
    response = client.post(
        "/inloggen",
        data={"email": user.email, "remember": "y", "password": "correct horse battery"},
    )
    assert not any("Secure" in c for c in response.headers.getlist("Set-Cookie"))
