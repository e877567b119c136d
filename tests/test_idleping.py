"""A pooled PostgreSQL connection is pinged only when it sat idle longer than
DATABASE_PING_AFTER, and replaced when that ping finds it dead (wijk/idleping.py)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from wijk.extensions import db

pytestmark = pytest.mark.postgresql


def backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()  # the end of a request: the connection goes back to the pool
    return pid


@pytest.fixture
def pings(app, monkeypatch):
    counted: list[int] = []
    ping = db.engine.dialect.do_ping

    def counting(dbapi_connection):
        counted.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(db.engine.dialect, "do_ping", counting)
    return counted


def test_a_connection_used_a_moment_ago_is_not_pinged(app, pings):
    app.config["DATABASE_PING_AFTER"] = 60
    first = backend_pid()
    for _ in range(5):
        assert backend_pid() == first  # the same pooled connection, request after request
    assert pings == []


def test_a_connection_idle_longer_than_the_limit_is_pinged(app, pings):
    app.config["DATABASE_PING_AFTER"] = 0
    backend_pid()
    backend_pid()
    assert len(pings) == 1  # the second checkout found it checked in "long" ago


def test_a_dead_idle_connection_is_replaced_before_the_request_uses_it(app):
    app.config["DATABASE_PING_AFTER"] = 0
    dead = backend_pid()
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as other:  # what a server restart does to it
        assert other.execute("SELECT pg_terminate_backend(%s)", [dead]).fetchone() == (True,)
    fresh = backend_pid()  # no error: the ping failed, and the pool opened a new connection
    assert fresh != dead
