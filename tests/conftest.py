"""Fixtures: a real database (SQLite file, or PostgreSQL via TEST_DATABASE_URL /
DATABASE_URL) built by the migrations once per run and emptied after every test;
factory helpers; a logged-in client; and a real SMTP server (see smtp_fixtures)."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from itertools import count

import pytest
from flask import g, request_started
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from wijk import create_app
from wijk.extensions import db
from wijk.models import (
    ITEM_CLASSES,
    Item,
    Neighbourhood,
    NeighbourhoodPostcode,
    User,
)
from wijk.models.base import utcnow

# Fixture modules are plugins: pytest collects their fixtures and rewrites their asserts.
pytest_plugins = ["smtp_fixtures", "manage_fixtures"]
# Helper modules the tests import: their asserts are rewritten too (before first import).
pytest.register_assert_rewrite("access_world", "privacy_helpers", "xss_payloads", "browser.support")

PASSWORD = "correct horse battery"
# Fast hashing keeps the suite quick; production uses werkzeug's scrypt default.
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_serial = count(1)


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        from wijk.config import _normalise_db_url

        return _normalise_db_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def base_config(url: str, instance: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_FILE_DIR": os.path.join(instance, "mail"),
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def _schema(tmp_path_factory):
    """Build the schema once, through the real migrations."""
    url = database_url(tmp_path_factory)
    instance = str(tmp_path_factory.mktemp("instance"))
    app = create_app(base_config(url, instance))
    with app.app_context():
        _drop_everything()
        upgrade()
    yield url, instance
    with app.app_context():
        _drop_everything()
        db.engine.dispose()


def _drop_everything() -> None:
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "sqlite":
            conn.execute(text("DROP TABLE IF EXISTS item_fts"))
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(_schema, tmp_path):
    url, _instance = _schema
    app = create_app(base_config(url, str(tmp_path)))
    from wijk.extensions import limiter

    # The test keeps one app context open, and Flask reuses it for every request made in
    # the test, so `g` (the logged-in user, the locale) would leak from one client to the
    # next. In production each request has its own; give each test request a clean `g`.
    request_started.connect(_fresh_g, app)
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _fresh_g(sender, **extra) -> None:
    g.__dict__.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories -----------------------------------------------------------------------


@pytest.fixture
def make_user(app):
    def make(
        name: str | None = None,
        email: str | None = None,
        *,
        verified: bool = True,
        is_admin: bool = False,
    ) -> User:
        n = next(_serial)
        user = User(
            name=name or f"Bewoner {n}",
            email=(email or f"bewoner{n}@example.org").lower(),
            password_hash=FAST_HASH,
            email_verified_at=utcnow() if verified else None,
            is_admin=is_admin,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_neighbourhood(app):
    def make(name: str | None = None, postcodes: tuple[str, ...] = ()) -> Neighbourhood:
        n = next(_serial)
        place = Neighbourhood(
            name=name or f"Wijk {n}",
            slug=f"wijk-{n}",
            city="Utrecht",
            description="Een levendige wijk.",
        )
        place.postcodes = [NeighbourhoodPostcode(postcode=p) for p in postcodes]
        db.session.add(place)
        db.session.commit()
        return place

    return make


@pytest.fixture
def make_item(app, make_user, make_neighbourhood):
    def make(
        kind: str = "activity",
        *,
        owner: User | None = None,
        neighbourhood: Neighbourhood | None = None,
        **fields,
    ) -> Item:
        n = next(_serial)
        values: dict = {"title": f"Item {n}", "description": "<p>Omschrijving</p>"}
        if kind == "activity":
            start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=3)
            values.update(
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                location_name="Buurthuis De Linde",
            )
        elif kind == "offer":
            values.update(offer_kind="offer", expires_on=date.today() + timedelta(days=60))
        values.update(fields)
        item = ITEM_CLASSES[kind](
            owner=owner or make_user(),
            neighbourhood=neighbourhood or make_neighbourhood(),
            **values,
        )
        db.session.add(item)
        db.session.commit()
        return item

    return make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post("/inloggen", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/uitloggen")


@pytest.fixture
def auth(client):
    return AuthActions(client)


# --- PostgreSQL-only tests and the CI rule that nothing may be skipped ------------------


def _on_postgresql() -> bool:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    return url.startswith("postgres")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "postgresql: needs PostgreSQL (deselected in the SQLite run, not skipped)"
    )
    config.addinivalue_line(
        "markers", "sqlite: about SQLite itself (deselected in the PostgreSQL run, not skipped)"
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    other = "sqlite" if _on_postgresql() else "postgresql"
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker(other) else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test means a missing part was never exercised: fail the run."""
    if os.environ.get("CI") == "true" and _skipped:
        print(f"\nCI: {len(_skipped)} test(s) skipped, which CI does not allow:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = 1
