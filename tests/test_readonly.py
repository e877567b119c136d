"""On PostgreSQL, reads run outside a transaction (wijk/readonly.py): a page that only
reads sends no BEGIN, COMMIT or ROLLBACK, and psycopg keeps the statements it prepared;
the first write opens one transaction that holds it and everything after it, which is
committed or rolled back as before (issue 16). What PostgreSQL is sent is read from
libpq's own trace of the connection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from wijk.extensions import db
from wijk.models import Neighbourhood
from wijk.neighbourhoods.services import upcoming_activities
from wijk.readonly import reads_only


def dbapi_connection():
    return db.session.connection().connection.dbapi_connection


@contextmanager
def sent_to_postgresql(tmp_path: Path) -> Iterator[list[str]]:
    """The SQL text of every query the app sends while inside (simple queries such as BEGIN
    and the statements of the extended protocol alike), from libpq's trace."""
    trace = tmp_path / "libpq.trace"
    files = []

    def start(dbapi, _record, _proxy):
        handle = trace.open("a")
        files.append(handle)
        dbapi.pgconn.trace(handle.fileno())

    def stop(dbapi, _record):
        dbapi.pgconn.untrace()

    sent: list[str] = []
    event.listen(db.engine, "checkout", start)
    event.listen(db.engine, "checkin", stop)
    db.session.remove()  # the next statement checks a connection out, traced
    try:
        yield sent
        db.session.remove()
    finally:
        event.remove(db.engine, "checkout", start)
        event.remove(db.engine, "checkin", stop)
        for handle in files:
            handle.close()
        sent.extend(_queries(trace.read_text() if trace.exists() else ""))


# One message of libpq's trace: a stamp, F(rontend) or B(ackend), its length, its type and
# its fields, the SQL text quoted (and spread over lines when it has line breaks).
_MESSAGE = re.compile(
    r"^\S+ \S+\tF\t\d+\t(Query|Parse)\t (.*?)(?=^\d{4}-\d\d-\d\d |\Z)", re.M | re.S
)


def _queries(trace: str) -> list[str]:
    found = []
    for kind, fields in _MESSAGE.findall(trace):
        if kind == "Parse":  # the statement's name (empty), then its text
            fields = fields.split('"', 2)[2]
        found.append(fields.split('"', 1)[1].rsplit('"', 1)[0].strip())
    return found


def transaction_commands(sent: list[str]) -> list[str]:
    return [query for query in sent if query.upper() in {"BEGIN", "COMMIT", "ROLLBACK"}]


@pytest.mark.postgresql
def test_a_page_that_only_reads_sends_no_begin_commit_or_rollback(app, client, make_item, tmp_path):
    item = make_item("activity", title="Buurtsoep")
    slug = db.session.get(Neighbourhood, item.neighbourhood_id).slug
    with sent_to_postgresql(tmp_path) as sent:
        response = client.get(f"/wijk/{slug}")
    assert response.status_code == 200 and "Buurtsoep" in response.text
    assert any("activity_occurrence" in query for query in sent), "the trace saw nothing"
    assert transaction_commands(sent) == []


@pytest.mark.postgresql
def test_reads_then_writes_send_one_begin_before_the_first_write(app, make_neighbourhood, tmp_path):
    place_id = make_neighbourhood(name="Oude naam").id
    with sent_to_postgresql(tmp_path) as sent:
        db.session.scalar(select(Neighbourhood.name).where(Neighbourhood.id == place_id))
        db.session.execute(
            text("UPDATE neighbourhood SET name = 'Nieuwe naam' WHERE id = :id"), {"id": place_id}
        )
        db.session.scalar(select(Neighbourhood.name).where(Neighbourhood.id == place_id))
        db.session.commit()
    kinds = [query.split()[0].upper() for query in sent if query.split()[0].upper() != "SELECT"]
    assert kinds == ["BEGIN", "UPDATE", "COMMIT"]
    assert sent.index("BEGIN") > next(i for i, q in enumerate(sent) if q.startswith("SELECT"))
    assert db.session.scalar(select(Neighbourhood.name).where(Neighbourhood.id == place_id)) == (
        "Nieuwe naam"
    )


@pytest.mark.postgresql
def test_no_transaction_stays_open_after_a_read(app, make_neighbourhood):
    from psycopg.pq import TransactionStatus

    make_neighbourhood()
    db.session.remove()
    db.session.scalar(select(Neighbourhood.id))
    assert dbapi_connection().info.transaction_status == TransactionStatus.IDLE


@pytest.mark.postgresql
def test_statements_stay_prepared_from_one_request_to_the_next(app, make_item):
    item = make_item("activity", title="Buurtsoep")
    place_id = item.neighbourhood_id
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        place = db.session.get(Neighbourhood, place_id)
        page = upcoming_activities(place, after=None, limit=20)
        assert [listed.title for listed in page.items] == ["Buurtsoep"]
        db.session.remove()  # what the end of a request does
    prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    assert any("activity_occurrence" in statement for statement in prepared), (
        "the agenda's statement was not kept prepared from one request to the next"
    )


@pytest.mark.postgresql
def test_a_failed_write_after_reads_undoes_the_writes_before_it(app, make_neighbourhood):
    place_id = make_neighbourhood(name="Oude naam").id
    other_id = make_neighbourhood(name="Andere wijk").id
    db.session.remove()
    db.session.scalar(select(Neighbourhood.id))  # a read first, outside any transaction
    db.session.execute(
        text("UPDATE neighbourhood SET name = 'Nieuwe naam' WHERE id = :id"), {"id": place_id}
    )
    with pytest.raises(IntegrityError):  # the same slug twice
        db.session.execute(
            text(
                "UPDATE neighbourhood SET slug = (SELECT slug FROM neighbourhood WHERE id = :a)"
                " WHERE id = :b"
            ),
            {"a": place_id, "b": other_id},
        )
    db.session.rollback()
    assert db.session.scalar(select(Neighbourhood.name).where(Neighbourhood.id == place_id)) == (
        "Oude naam"
    )


@pytest.mark.postgresql
def test_a_write_through_the_orm_after_reads_is_rolled_back(app, make_neighbourhood):
    place = make_neighbourhood(name="Oude naam")
    db.session.scalar(select(Neighbourhood.id))  # a read first
    place.name = "Nieuwe naam"
    db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Neighbourhood, place.id).name == "Oude naam"


@pytest.mark.postgresql
def test_a_select_for_update_holds_its_lock_until_the_commit(app, make_neighbourhood):
    place_id = make_neighbourhood().id
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    db.session.remove()
    db.session.execute(
        select(Neighbourhood.id).where(Neighbourhood.id == place_id).with_for_update()
    )
    other = psycopg.connect(url)
    try:
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute(
                "SELECT id FROM neighbourhood WHERE id = %s FOR UPDATE NOWAIT", [place_id]
            )
        other.rollback()
        db.session.commit()
        assert other.execute(
            "SELECT id FROM neighbourhood WHERE id = %s FOR UPDATE NOWAIT", [place_id]
        ).fetchone() == (place_id,)
    finally:
        other.close()


@pytest.mark.postgresql
def test_a_connection_given_autocommit_by_its_caller_keeps_it(app, make_neighbourhood):
    from psycopg.pq import TransactionStatus

    place_id = make_neighbourhood(name="Oude naam").id
    db.session.remove()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("UPDATE neighbourhood SET name = 'Nieuwe naam' WHERE id = :id"), {"id": place_id}
        )
        dbapi = connection.connection.dbapi_connection
        assert dbapi.autocommit
        assert dbapi.info.transaction_status == TransactionStatus.IDLE  # already committed


@pytest.mark.postgresql
def test_a_transaction_in_error_is_rolled_back(app):
    with pytest.raises(Exception):  # noqa: B017, PT011 (any database error)
        db.session.execute(text("SELECT 1 / 0"))
    db.session.rollback()
    assert db.session.scalar(text("SELECT 1")) == 1  # the connection is usable again


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT item.id FROM item", True),
        ("  select 1", True),
        ("SELECT id FROM item ORDER BY id LIMIT 5", True),
        # Words in a string look like a lock clause: such a read errs on the safe side.
        ("SELECT 'for update' AS words", False),
        ("SELECT id FROM sign_up FOR UPDATE SKIP LOCKED", False),
        ("SELECT id FROM item FOR UPDATE OF item", False),
        ("SELECT id FROM item\nFOR NO KEY UPDATE", False),
        ("SELECT id FROM item FOR SHARE", False),
        ("SELECT id FROM item FOR KEY SHARE", False),
        ("SELECT nextval('item_id_seq')", False),
        ("SELECT pg_advisory_xact_lock(1)", False),
        ("SELECT pg_try_advisory_lock(1)", False),
        ("SELECT pg_notify('c', 'x')", False),
        ("SELECT set_config('x.y', '1', true)", False),
        ("WITH gone AS (DELETE FROM item RETURNING id) SELECT id FROM gone", False),
        ("INSERT INTO item (id) VALUES (1)", False),
        ("UPDATE item SET title = 'x'", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("SET LOCAL statement_timeout = 1000", False),
    ],
)
def test_which_statements_may_run_outside_a_transaction(statement, expected):
    assert reads_only(statement) is expected
