"""Shared column helpers, including the privacy declaration every personal column carries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from wijk.clock import utcnow
from wijk.extensions import db

if TYPE_CHECKING:  # Flask-SQLAlchemy builds db.Model at run time; mypy sees its base
    from wijk.extensions import Base as Model
else:
    Model = db.Model

__all__ = ["LEGAL_BASES", "Model", "not_personal", "personal", "utcnow"]

LEGAL_BASES = ("consent", "contract", "legitimate_interest")


def personal(
    *,
    category: str,
    purpose: str,
    basis: str,
    retention: str,
    audience: str,
    flag: str | None = None,
    label: Any = None,
    register_label: Any = None,
    never_public: bool = False,
) -> dict[str, Any]:
    """The privacy declaration of one column, kept in SQLAlchemy's Column.info.

    A personal field shown on content gives its `label` (lazy_gettext; beside the value
    and in the form), its `register_label` (the privacy statement and register) and
    either `flag`, the boolean column that makes it public (hidden by default), or
    `never_public`. The privacy statement, register, export, retention job, gate, forms
    and feeds read these declarations, so they cannot drift from the schema.
    """
    if basis not in LEGAL_BASES:
        raise ValueError(f"unknown legal basis {basis!r}")
    if label is not None and (flag is None) == (not never_public):
        raise ValueError("a personal field needs a public flag, or never_public=True")
    if (label is None) != (register_label is None):
        raise ValueError("a personal field needs both a label and a register_label")
    if label is None and (flag or never_public):
        raise ValueError("a public flag or never_public needs the field's label")
    declaration = {
        "category": category,
        "purpose": purpose,
        "basis": basis,
        "retention": retention,
        "audience": audience,
    }
    info: dict[str, Any] = {"personal": declaration}
    if flag:
        info["public_flag"] = flag
    if label is not None:
        info["field"] = {"label": label, "register_label": register_label}
    return info


@dataclass(frozen=True)
class FieldDeclaration:
    """A personal field on content, as its column declares it."""

    name: str
    flag: str | None  # the column that makes it public; None: never public
    label: Any
    register_label: Any

    @property
    def never_public(self) -> bool:
        return self.flag is None


@cache
def personal_fields(model: Any) -> tuple[FieldDeclaration, ...]:
    """The personal fields of `model` in column order: the one list the gate, forms,
    feeds, privacy vocabulary, retention and templates read. A mapped class's columns
    are fixed once it is defined, so each model's list is read once per process (the
    gate asks for it on every card)."""
    return tuple(
        FieldDeclaration(column.name, column.info.get("public_flag"), **column.info["field"])
        for column in model.__table__.columns
        if "field" in column.info
    )


def not_personal(reason: str) -> dict[str, Any]:
    """Mark a column whose name looks personal but is not, with the reason why."""
    return {"not_personal": reason}


# Schema objects the search migrations create outside the models (FTS5 tables, the
# PostgreSQL tsvector columns and their indexes); autogenerate must leave them alone.
SEARCH_OBJECTS = ("item_fts", "search_vector", "ix_item_search", "title_vector", "ix_item_title")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (name and name.startswith(SEARCH_OBJECTS))
