"""Published versions of the terms and the privacy statement.

A document's text is frozen the first time it is served: the default-language (Dutch)
rendering is stored with its version label and a digest. When the text changes (a new
version, or a generated statement that now says more), a new row appears; older rows
stay readable, with what changed from the version before."""

from __future__ import annotations

import difflib
import hashlib
import html
import re
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, get_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wijk.extensions import db
from wijk.models import PublishedDocument
from wijk.models.base import utcnow

TERMS, PRIVACY = "terms", "privacy"
DOCUMENTS = (TERMS, PRIVACY)


def publish(document: str, version: str, body: str, now: datetime) -> PublishedDocument:
    """The stored row for this text, added when it is new. Commits (it may run on GET)."""
    digest = hashlib.sha256(body.encode()).hexdigest()
    query = select(PublishedDocument).where(
        PublishedDocument.document == document, PublishedDocument.digest == digest
    )
    found = db.session.scalar(query)
    if found is not None:
        return found
    row = PublishedDocument(
        document=document, version=version, digest=digest, body=body, published_at=now
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # another request published the same text just now
        db.session.rollback()
        return db.session.scalars(query).one()
    return row


def serve(document: str, version: str, render: Callable[[], str]) -> str:
    """The text in the visitor's language; its default-language text is published."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(default):
        archived = render()
    publish(document, version, archived, utcnow())
    return archived if str(get_locale()) == default else render()


def versions(document: str) -> list[PublishedDocument]:
    """Every published text of the document, newest first."""
    return list(
        db.session.scalars(
            select(PublishedDocument)
            .where(PublishedDocument.document == document)
            .order_by(PublishedDocument.published_at.desc(), PublishedDocument.id.desc())
        )
    )


def previous(row: PublishedDocument) -> PublishedDocument | None:
    return db.session.scalar(
        select(PublishedDocument)
        .where(PublishedDocument.document == row.document, PublishedDocument.id < row.id)
        .order_by(PublishedDocument.id.desc())
        .limit(1)
    )


def text_lines(body: str) -> list[str]:
    """The readable lines of an HTML text, for comparing two versions."""
    text = html.unescape(re.sub(r"<[^>]+>", "\n", body))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def changes(row: PublishedDocument) -> list[tuple[str, str]]:
    """("added"|"removed", line) between the version before and this one."""
    before = previous(row)
    if before is None:
        return []
    found = []
    for line in difflib.ndiff(text_lines(before.body), text_lines(row.body)):
        if line.startswith("+ "):
            found.append(("added", line[2:]))
        elif line.startswith("- "):
            found.append(("removed", line[2:]))
    return found
