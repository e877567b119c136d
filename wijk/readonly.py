"""On PostgreSQL, statements that only read run outside a transaction: no BEGIN before
them and no COMMIT or ROLLBACK after them. psycopg sends BEGIN as a round trip of its own,
so a page that only reads (nearly every page, and every cached one) saves two round trips,
and psycopg keeps the statements it prepared (it forgets them on every ROLLBACK; issue 16).

Why this changes nothing a reader can see: Wijk runs PostgreSQL at READ COMMITTED, where
every statement of a transaction takes a fresh snapshot anyway, so a read sent before a
transaction's first write sees exactly what it would see inside it. The rule, applied to
each statement just before it is sent:
- a plain SELECT while no transaction is open goes in autocommit;
- anything else (INSERT, UPDATE, DELETE, WITH, SAVEPOINT, SET, a SELECT that locks rows
  or calls a function with effects) turns autocommit off first, so it and everything
  after it form one transaction that SQLAlchemy commits or rolls back as before;
- reads inside an open transaction stay in it.
SQLite is left alone (its driver has no round trips and Wijk opens its transactions with
BEGIN IMMEDIATE, see wijk/__init__.py), and so is a connection given an isolation level of
its own (Alembic's autocommit block, say).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# A SELECT that must belong to a transaction: it locks rows until the transaction ends,
# or calls a function whose effect is tied to one (or is not undone by a rollback).
_NEEDS_TRANSACTION = re.compile(
    r"\bFOR\s+(?:UPDATE|NO\s+KEY\s+UPDATE|SHARE|KEY\s+SHARE)\b"
    r"|\b(?:nextval|setval|pg_\w*advisory\w*|pg_notify|set_config|txid_current\w*"
    r"|pg_current_xact_id\w*|lo_\w+)\s*\(",
    re.IGNORECASE,
)


@lru_cache(maxsize=2048)
def reads_only(statement: str) -> bool:
    """Whether a statement only reads and may run outside a transaction (statements are
    built once and sent again and again, so the answer is kept per statement)."""
    return (
        statement.lstrip()[:6].upper() == "SELECT" and _NEEDS_TRANSACTION.search(statement) is None
    )


@event.listens_for(Engine, "before_cursor_execute")
def _reads_outside_transactions(conn: Connection, cursor: Any, statement: str, *_args: Any) -> None:
    if conn.dialect.name != "postgresql" or "isolation_level" in conn.get_execution_options():
        return  # SQLite, or a caller that chose its own (AUTOCOMMIT for CONCURRENTLY...)
    dbapi = conn.connection.dbapi_connection
    if dbapi is None or dbapi.closed:
        return
    from psycopg.pq import TransactionStatus  # noqa: PLC0415 (PostgreSQL only)

    if dbapi.info.transaction_status != TransactionStatus.IDLE:
        return  # inside a transaction (or a statement in flight): leave it as it is
    reads = reads_only(statement)
    if reads != dbapi.autocommit:
        dbapi.autocommit = reads
