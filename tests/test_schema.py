"""Schema-level promises: personal columns declare themselves, content's personal fields
carry a hidden-by-default flag, and the migrations build exactly what the models say."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table

from wijk.extensions import db
from wijk.models import Item
from wijk.models.base import include_object, personal_fields

PERSONAL_WORDS = {
    "name",
    "email",
    "mail",
    "phone",
    "mobile",
    "address",
    "addr",
    "postcode",
    "zip",
    "ip",
    "message",
    "body",
    "birth",
    "birthdate",
    "dob",
    "iban",
    "password",
    "reply",
    "street",
}
PERSONAL_TABLES = {"user_account", "consent", "invitation"}
EXEMPT = {"id", "kind", "status", "created_at", "updated_at"}


def undeclared_columns(metadata: MetaData) -> list[str]:
    """Columns that look personal (by name, or by living in an account or contact table)
    and carry neither a privacy declaration nor a reason why they are not personal."""
    missing = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if "personal" in column.info or "not_personal" in column.info:
                continue
            if column.foreign_keys or column.name in EXEMPT or column.name.endswith("_public"):
                continue
            words = set(re.split(r"[_\W]+", column.name.lower()))
            if words & PERSONAL_WORDS or (
                table.name in PERSONAL_TABLES and isinstance(column.type, String)
            ):
                missing.append(f"{table.name}.{column.name}")
    return missing


def test_every_personal_looking_column_is_declared(app):
    assert undeclared_columns(db.metadata) == []


def test_the_check_catches_an_undeclared_column():
    metadata = MetaData()
    Table(
        "contact_note",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sender_email", String(200)),
    )
    assert undeclared_columns(metadata) == ["contact_note.sender_email"]


def test_declarations_are_complete(app):
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            declaration = column.info.get("personal")
            if declaration:
                assert set(declaration) == {
                    "category",
                    "purpose",
                    "basis",
                    "retention",
                    "audience",
                }, f"{table.name}.{column.name}"
                assert all(declaration.values()), f"{table.name}.{column.name}"


def test_personal_content_fields_have_a_flag_hidden_by_default(app):
    columns = Item.__table__.columns
    declared = {f.name: f for f in personal_fields(Item)}
    # Every personal column on content is a declared field, shown through the gate.
    assert set(declared) == {c.name for c in columns if "personal" in c.info}
    assert {"address", "contact_name", "contact_email", "contact_phone"} <= set(declared)
    # Only the contact e-mail goes without a flag: it is never public.
    assert [f.name for f in declared.values() if f.never_public] == ["contact_email"]
    assert "contact_email_public" not in columns
    for field in declared.values():
        if field.flag:
            flag = columns[field.flag]
            assert isinstance(flag.type, Boolean)
            assert flag.default.arg is False, field.name
            assert not flag.nullable, field.name


@pytest.mark.parametrize("check", ["models_match_migrations"])
def test_migrations_build_what_the_models_declare(app, check):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], "run `flask db migrate`: the models and migrations differ"
