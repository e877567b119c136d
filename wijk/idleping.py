"""A pooled PostgreSQL connection is pinged before use only when it sat idle.

SQLAlchemy's pool_pre_ping sends a round trip on every checkout, that is on every request:
on a cached PostgreSQL page it was a third of the time spent with the database (issue 16).
A connection dies between requests when the server restarts or something on the way drops
an idle connection; both show on a connection that waited, not on one a worker used a
moment ago. So a connection checked in less than DATABASE_PING_AFTER seconds ago (default
1) is handed out as it is, and one idle longer is pinged first and, when the ping fails,
replaced by a fresh one (the pool's documented way: raise DisconnectionError on checkout).
What is given up: a server restart within that second fails the one request that finds its
connection broken, and SQLAlchemy then renews the worker's whole pool.
SQLite (a file, no connection to lose) is left alone.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

USED_AT = "wijk_checked_in_at"  # in the pool's record of a connection: time.monotonic()


def register(app: Flask, engine: Engine) -> None:
    """Ping `engine`'s connections that sat idle longer than DATABASE_PING_AFTER seconds
    (read at each checkout, so a test or an operator can change it on a running app)."""
    if engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi: Any, record: Any) -> None:
        if record is not None:
            record.info[USED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi: Any, record: Any, _proxy: Any) -> None:
        used_at = record.info.get(USED_AT)  # None: opened just now (info goes with it)
        if used_at is None or time.monotonic() - used_at < app.config["DATABASE_PING_AFTER"]:
            return
        try:
            alive = engine.dialect.do_ping(dbapi)
        except Exception as error:  # any failure of the ping means: not usable
            raise DisconnectionError("the idle connection did not answer") from error
        if not alive:
            raise DisconnectionError("the idle connection did not answer")
