"""Where cached public pages are kept: shared by every worker process, so a page
rendered by one worker is served by all, and dropped by none when one restarts.

- Redis (REDIS_URL set, or PAGE_CACHE_STORE=redis): shared by every node.
- A SQLite file in the instance folder (the default on one machine): every worker of
  the machine reads and writes it; WAL lets readers go on while one writes.
- Memory (PAGE_CACHE_STORE=memory): one process only, for a single-process server.

A store holds bytes under a key and forgets them after max_age seconds; whether a page
may still be served is decided by wijk/pagecache.py against the versions in the
database, never by the store, so a stale copy in any store is never shown.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import redis

_PRUNE_EVERY = 200  # writes per process between trims of the SQLite file


class Store(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> None: ...

    def clear(self) -> None: ...


class MemoryStore:
    """A least-recently-used dict of at most max_entries pages, for one process."""

    def __init__(self, max_entries: int, max_age: float) -> None:
        self.max_entries, self.max_age = max_entries, max_age
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class SQLiteStore:
    """Pages in a SQLite file that every worker process of the machine shares. Trimmed
    to max_entries (the least recently stored go first) every _PRUNE_EVERY writes."""

    def __init__(self, path: str, max_entries: int, max_age: float) -> None:
        self.path, self.max_entries, self.max_age = path, max_entries, max_age
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process: gunicorn forks after loading the app."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")  # a lost page is re-rendered
            connection.execute(
                "CREATE TABLE IF NOT EXISTS page "
                "(key TEXT PRIMARY KEY, stored REAL NOT NULL, value BLOB NOT NULL)"
            )
            connection.execute("CREATE INDEX IF NOT EXISTS page_stored ON page (stored)")
            local.connection, local.pid, local.writes = connection, os.getpid(), 0
        return local.connection

    def get(self, key: str) -> bytes | None:
        try:
            row = (
                self._connection()
                .execute(
                    "SELECT value FROM page WHERE key = ? AND stored > ?",
                    (key, time.time() - self.max_age),
                )
                .fetchone()
            )
        except sqlite3.Error:
            return None  # a busy or broken cache file means rendering, never an error
        return row[0] if row else None

    def put(self, key: str, value: bytes) -> None:
        try:
            connection = self._connection()
            connection.execute(
                "INSERT OR REPLACE INTO page (key, stored, value) VALUES (?, ?, ?)",
                (key, time.time(), value),
            )
            self._local.writes += 1
            if self._local.writes % _PRUNE_EVERY == 0:
                self._prune(connection)
        except sqlite3.Error:
            pass

    def _prune(self, connection: sqlite3.Connection) -> None:
        connection.execute("DELETE FROM page WHERE stored <= ?", (time.time() - self.max_age,))
        connection.execute(
            "DELETE FROM page WHERE stored <= (SELECT stored FROM page "
            "ORDER BY stored DESC LIMIT 1 OFFSET ?)",
            (self.max_entries,),
        )

    def clear(self) -> None:
        self._connection().execute("DELETE FROM page")


class RedisStore:
    """Pages in Redis under `wijk:page:<key>`, each expiring after max_age seconds."""

    PREFIX = "wijk:page:"

    def __init__(self, url: str, max_age: float) -> None:
        # Imported here: a machine without Redis never loads the client (6 MB a worker).
        import redis  # noqa: PLC0415

        self.client: redis.Redis = redis.Redis.from_url(url, socket_timeout=1)
        self.errors: type[Exception] = redis.RedisError
        self.max_age = max(int(max_age), 1)

    def get(self, key: str) -> bytes | None:
        try:
            value = self.client.get(self.PREFIX + key)
        except self.errors:
            return None
        return value if isinstance(value, bytes) else None

    def put(self, key: str, value: bytes) -> None:
        with contextlib.suppress(self.errors):
            self.client.set(self.PREFIX + key, value, ex=self.max_age)

    def clear(self) -> None:
        for key in self.client.scan_iter(self.PREFIX + "*"):
            self.client.delete(key)


def open_store(config: dict, instance_path: str) -> Store:
    """The store PAGE_CACHE_STORE names; `auto` is Redis with REDIS_URL, else the file."""
    kind = config.get("PAGE_CACHE_STORE") or "auto"
    max_age, max_entries = config["PAGE_CACHE_MAX_AGE"], config["PAGE_CACHE_MAX_ENTRIES"]
    redis_url = config.get("PAGE_CACHE_REDIS_URL") or config.get("REDIS_URL")
    if kind == "auto":
        kind = "redis" if redis_url else "file"
    if kind == "redis":
        if not redis_url:
            raise ValueError("PAGE_CACHE_STORE=redis needs REDIS_URL")
        return RedisStore(redis_url, max_age)
    if kind == "file":
        path = config.get("PAGE_CACHE_FILE") or str(Path(instance_path) / "pagecache.sqlite")
        return SQLiteStore(path, max_entries, max_age)
    if kind == "memory":
        return MemoryStore(max_entries, max_age)
    raise ValueError(f"PAGE_CACHE_STORE must be auto, file, redis or memory, not {kind!r}")
