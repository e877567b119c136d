"""Shared column helpers, including the privacy declaration every personal column carries."""

from __future__ import annotations

from typing import Any

from wijk.clock import utcnow

__all__ = ["LEGAL_BASES", "not_personal", "personal", "utcnow"]

LEGAL_BASES = ("consent", "contract", "legitimate_interest")


def personal(
    *,
    category: str,
    purpose: str,
    basis: str,
    retention: str,
    audience: str,
    flag: str | None = None,
) -> dict[str, Any]:
    """The privacy declaration of one column, kept in SQLAlchemy's Column.info.

    `flag` names the boolean column that makes the value public; personal fields on
    content must have one (hidden by default). The privacy statement, register, export
    and retention job read these declarations, so they cannot drift from the schema.
    """
    if basis not in LEGAL_BASES:
        raise ValueError(f"unknown legal basis {basis!r}")
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
    return info


def not_personal(reason: str) -> dict[str, Any]:
    """Mark a column whose name looks personal but is not, with the reason why."""
    return {"not_personal": reason}


# Schema objects the search migration creates outside the models (FTS5 tables, the
# PostgreSQL tsvector column and its index); autogenerate must leave them alone.
SEARCH_OBJECTS = ("item_fts", "search_vector", "ix_item_search")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (name and name.startswith(SEARCH_OBJECTS))
