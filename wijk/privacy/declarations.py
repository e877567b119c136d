"""The privacy statement and the processing register (GDPR art. 30), generated from the
declarations on the columns (`personal(...)` in Column.info) and the retention schedule,
so the text cannot say something the schema and the purge do not do."""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import current_app

from wijk.extensions import db
from wijk.privacy import processors
from wijk.privacy.retention import rules_for
from wijk.privacy.vocabulary import BASES, field_label, translate


@dataclass(frozen=True)
class Declaration:
    table: str
    column: str
    category: str
    purpose: str
    basis: str
    retention: str
    audience: str
    public_flag: str | None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.column}"


def declarations() -> list[Declaration]:
    """Every declared personal column, in schema order."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            info = column.info.get("personal")
            if info:
                found.append(
                    Declaration(
                        table.name, column.name, public_flag=column.info.get("public_flag"), **info
                    )
                )
    return found


def retention_text(name: str) -> str:
    return " ".join(str(rule.description) for rule in rules_for(name))


@dataclass(frozen=True)
class Processing:
    """One processing activity: a purpose with its basis, retention and audience, and
    the fields it uses."""

    category: str
    purpose: str
    basis: str
    retention: str
    audience: str
    fields: tuple[str, ...]
    tables: tuple[str, ...]


# The order a reader meets the categories in; categories not listed come last.
CATEGORY_ORDER = (
    "account",
    "consent",
    "newsletter consent",
    "contact details on content",
    "content history",
    "activity sign-up",
    "invitation",
    "relayed message",
    "blocked sender",
    "report",
    "privacy request",
    "neighbourhood request",
    "audit trail",
    "e-mail in transit",
    "sealed copy of a deleted account",
)


def _reading_order(d: Declaration) -> int:
    return CATEGORY_ORDER.index(d.category) if d.category in CATEGORY_ORDER else len(CATEGORY_ORDER)


def processing_activities() -> list[Processing]:
    """Declarations grouped by everything but the column: one line per purpose."""
    groups: OrderedDict[tuple, list[Declaration]] = OrderedDict()
    for d in sorted(declarations(), key=_reading_order):
        groups.setdefault((d.category, d.purpose, d.basis, d.retention, d.audience), []).append(d)
    rows = []
    for (category, purpose, basis, retention, audience), members in groups.items():
        rows.append(
            Processing(
                category=translate(category),
                purpose=translate(purpose),
                basis=str(BASES[basis]),
                retention=retention_text(retention),
                audience=translate(audience),
                fields=tuple(field_label(d.key) for d in members),
                tables=tuple(sorted({d.table for d in members})),
            )
        )
    return rows


def statement_sections() -> list[dict[str, Any]]:
    """For /privacy: per category, the fields and their purposes, in the visitor's
    language."""
    sections: OrderedDict[str, list[Processing]] = OrderedDict()
    for row in processing_activities():
        sections.setdefault(row.category, []).append(row)
    return [{"category": name, "rows": rows} for name, rows in sections.items()]


def controller() -> dict[str, str]:
    config = current_app.config
    return {
        "name": config["CONTROLLER_NAME"],
        "contact": config["CONTROLLER_CONTACT"],
        "terms_version": config["TERMS_VERSION"],
        "privacy_version": config["PRIVACY_VERSION"],
    }


REGISTER_COLUMNS = ("category", "purpose", "basis", "data", "tables", "recipients", "retention")


def register_rows() -> list[dict[str, str]]:
    return [
        {
            "category": p.category,
            "purpose": p.purpose,
            "basis": p.basis,
            "data": "; ".join(p.fields),
            "tables": ", ".join(p.tables),
            "recipients": p.audience,
            "retention": p.retention,
        }
        for p in processing_activities()
    ]


def register_csv() -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTER_COLUMNS)
    writer.writeheader()
    writer.writerows(register_rows())
    return buffer.getvalue()


def register_markdown(headings: dict[str, str], title: str, intro: str) -> str:
    """A Markdown table; `headings` are the column titles in the reader's language."""

    def cell(text: str) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    lines = [
        f"# {title}",
        "",
        intro,
        "",
        "| " + " | ".join(cell(headings[c]) for c in REGISTER_COLUMNS) + " |",
        "|" + "---|" * len(REGISTER_COLUMNS),
    ]
    for row in register_rows():
        lines.append("| " + " | ".join(cell(row[c]) for c in REGISTER_COLUMNS) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in processors.register_lines())
    return "\n".join(lines) + "\n"
