"""Rate-limit counts that every worker process on one machine shares, without Redis.

gunicorn runs several worker processes; with Flask-Limiter's in-memory storage each
counted alone, so N workers let N times the limit through. This storage keeps the
fixed-window counters in a small SQLite file (WAL, one atomic UPSERT per hit), which all
processes of the machine see. Across machines, set REDIS_URL instead. Keys are the keyed
hashes of extensions.client_key and account keys; a row lives until its window ends and
expired rows are deleted as hits come in."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from limits.storage import Storage

SCHEME = "wijk+sqlite"
_PURGE_EVERY = 500  # hits per process between deletions of expired rows

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counter "
    "(key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires REAL NOT NULL)"
)
_INCR = """
INSERT INTO counter (key, value, expires) VALUES (:key, :amount, :expires)
ON CONFLICT (key) DO UPDATE SET
    value = CASE WHEN counter.expires <= :now THEN :amount ELSE counter.value + :amount END,
    expires = CASE WHEN counter.expires <= :now THEN :expires ELSE counter.expires END
RETURNING value
"""


def storage_uri(path: str) -> str:
    return f"{SCHEME}://{path}"


class SQLiteFileStorage(Storage):
    """limits storage for `wijk+sqlite:///absolute/path.sqlite` (fixed-window strategy)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = (uri or "").split("://", 1)[1]
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process: gunicorn forks after loading the app."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            connection = sqlite3.connect(self.path, timeout=15, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(_SCHEMA)
            local.connection, local.pid, local.hits = connection, os.getpid(), 0
        return local.connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        connection = self._connection()
        now = time.time()
        value = connection.execute(
            _INCR, {"key": key, "amount": amount, "now": now, "expires": now + expiry}
        ).fetchone()[0]
        self._local.hits += 1
        if self._local.hits % _PURGE_EVERY == 0:
            connection.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute("SELECT value FROM counter WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._connection()
            .execute(
                "SELECT expires FROM counter WHERE key = ? AND expires > ?", (key, time.time())
            )
            .fetchone()
        )
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))
