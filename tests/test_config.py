from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from wijk import create_app
from wijk.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_production_without_secret_key_refuses_to_start(tmp_path):
    """gunicorn imports app.py outside any `flask` command: that is production."""
    env = {"PATH": "/usr/bin:/bin", "WIJK_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "FLASK_SECRET_KEY is not set" in result.stderr


def test_production_with_secret_key_starts(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "WIJK_INSTANCE_PATH": str(tmp_path),
        "FLASK_SECRET_KEY": "k" * 64,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import app; print(app.app.config['SECRET_KEY'][:3])"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "kkk"


def test_development_generates_and_keeps_a_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    first = create_app({"DEBUG": True}).config["SECRET_KEY"]
    second = create_app({"DEBUG": True}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("FLASK_MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("FLASK_PAGE_SIZE", "7")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example.org/wijk")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MAIL_SERVER"] == "smtp.example.org"
    assert app.config["PAGE_SIZE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example.org/wijk"


def test_default_database_is_sqlite_in_the_instance_folder_in_wal_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'wijk.sqlite'}"
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_security_headers_and_cookie_flags(client, make_user, auth):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    login = auth.login(make_user())
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_behind_an_https_proxy(_schema, tmp_path, make_user):
    url, _ = _schema
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "PROXY_FIX_HOPS": 1,
        }
    )
    with app.app_context():
        user = make_user()
        response = app.test_client().post(
            "/inloggen",
            data={"email": user.email, "password": "correct horse battery"},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        )
        assert "Secure" in response.headers["Set-Cookie"]
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/registreren"])
def test_no_inline_script_or_style_and_no_third_party_assets(client, path):
    html = client.get(path).get_data(as_text=True)
    # Our own script files only (the CSP allows 'self'), never code in the page itself.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(
        re.search(r'src="/static/js/[\w.-]+\.js"', attrs) and not body.strip()
        for attrs, body in scripts
    )
    assert html.count("<script") == len(scripts)
    assert "<style" not in html and 'style="' not in html
    assert "http://" not in html.replace("http://localhost", "")
    assert "https://" not in html
