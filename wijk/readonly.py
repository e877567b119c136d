"""On PostgreSQL, a transaction that only read ends with COMMIT instead of ROLLBACK, so
psycopg keeps its prepared statements from one request to the next.

psycopg prepares a statement on the server after it ran it five times on a connection,
and from then on the server neither parses nor plans it from scratch: the agenda's
statement took 2.2 ms unprepared and 0.5 ms prepared (issue 16). But psycopg forgets
every prepared statement on ROLLBACK, and every request ends its transaction with one
(Flask-SQLAlchemy closes the session, which rolls back): no statement was ever prepared.

For a transaction that sent nothing but SELECT statements and is not in error, COMMIT
and ROLLBACK end it the same way. So when SQLAlchemy is about to roll such a
transaction back, this module commits it first; SQLAlchemy's rollback then finds no
transaction and psycopg sends nothing and forgets nothing. A transaction that sent
anything else (an INSERT, UPDATE, DELETE, a WITH that could write, a SET...) is rolled
back as before, as is one in error. SQLite is left alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

WROTE = "wijk_wrote"  # in the DBAPI connection's info: sent more than a SELECT


def _is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


@event.listens_for(Engine, "begin")
def _begin(conn: Connection) -> None:
    conn.info[WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note(conn: Connection, cursor: Any, statement: str, *_args: Any) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True


@event.listens_for(Engine, "rollback")
def _end_reads_with_commit(conn: Connection) -> None:
    if not _is_postgresql(conn) or conn.info.get(WROTE, True):
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi is None:
        return
    from psycopg.pq import TransactionStatus  # noqa: PLC0415 (PostgreSQL only)

    if dbapi.info.transaction_status == TransactionStatus.INTRANS:  # open, not in error
        dbapi.commit()
