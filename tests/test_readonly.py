"""On PostgreSQL a transaction that only read ends with COMMIT (wijk/readonly.py), so
psycopg keeps the statements it prepared; a transaction that wrote is still rolled back,
and so is one in error (issue 16)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from wijk.extensions import db
from wijk.models import Neighbourhood
from wijk.neighbourhoods.services import upcoming_activities

pytestmark = pytest.mark.postgresql


def dbapi_connection():
    return db.session.connection().connection.dbapi_connection


def test_statements_stay_prepared_from_one_request_to_the_next(app, make_item):
    item = make_item("activity", title="Buurtsoep")
    place_id = item.neighbourhood_id
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        place = db.session.get(Neighbourhood, place_id)
        page = upcoming_activities(place, after=None, limit=20)
        assert [listed.title for listed in page.items] == ["Buurtsoep"]
        db.session.remove()  # what the end of a request does: the transaction rolls back
    prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    assert any("activity_occurrence" in statement for statement in prepared), (
        "the agenda's statement was not kept prepared from one request to the next"
    )


def test_a_transaction_that_wrote_is_rolled_back(app, make_neighbourhood):
    place = make_neighbourhood(name="Oude naam")
    db.session.execute(
        text("UPDATE neighbourhood SET name = 'Nieuwe naam' WHERE id = :id"), {"id": place.id}
    )
    db.session.rollback()
    assert db.session.scalar(select(Neighbourhood.name).where(Neighbourhood.id == place.id)) == (
        "Oude naam"
    )


def test_a_write_through_the_orm_after_reads_is_rolled_back(app, make_neighbourhood):
    place = make_neighbourhood(name="Oude naam")
    db.session.scalar(select(Neighbourhood.id))  # a read first
    place.name = "Nieuwe naam"
    db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Neighbourhood, place.id).name == "Oude naam"


def test_a_transaction_in_error_is_rolled_back(app):
    with pytest.raises(Exception):  # noqa: B017, PT011 (any database error)
        db.session.execute(text("SELECT 1 / 0"))
    db.session.rollback()
    assert db.session.scalar(text("SELECT 1")) == 1  # the connection is usable again


def test_reads_end_with_commit_and_writes_with_rollback(app, make_neighbourhood):
    place = make_neighbourhood()
    ended: list[str] = []
    connection = dbapi_connection()
    original_commit, original_rollback = connection.commit, connection.rollback
    db.session.rollback()
    try:
        connection.commit = lambda: (ended.append("commit"), original_commit())[1]
        connection.rollback = lambda: (ended.append("rollback"), original_rollback())[1]
        db.session.scalar(select(Neighbourhood.name).where(Neighbourhood.id == place.id))
        db.session.rollback()
        assert ended[:1] == ["commit"]
        ended.clear()
        db.session.execute(
            text("UPDATE neighbourhood SET name = name WHERE id = :id"), {"id": place.id}
        )
        db.session.rollback()
        assert "rollback" in ended and "commit" not in ended
    finally:
        connection.commit, connection.rollback = original_commit, original_rollback
