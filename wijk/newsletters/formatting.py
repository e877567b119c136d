"""What a newsletter's text becomes: the small markdown subset the form promises (lists,
bold, italics, links, paragraphs), rendered by markdown-it-py with raw HTML switched off
and then cleaned by the one sanitiser; and the optional "agenda for the coming weeks"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from flask import url_for
from sqlalchemy import ColumnElement, select

from wijk.clock import local_now
from wijk.content.services import KIND_SLUGS
from wijk.extensions import db
from wijk.models import Activity, ItemStatus, Neighbourhood, Newsletter
from wijk.sanitize import clean_rich_text, plain_text
from wijk.visibility import ItemView, item_views

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

AGENDA_WEEKS = 3
AGENDA_MAX = 20


@cache
def _markdown() -> MarkdownIt:
    """The parser, made (and markdown-it imported) when a newsletter is first rendered,
    never in a worker that only serves pages. "zero" enables nothing; we switch on only
    what the form's hint names. Typed HTML (older drafts were HTML) passes to the
    sanitiser, which alone decides what stays."""
    from markdown_it import MarkdownIt  # noqa: PLC0415

    return MarkdownIt("zero", {"html": True, "linkify": False, "breaks": True}).enable(
        ["emphasis", "list", "link", "newline", "escape", "html_block", "html_inline"]
    )


def render_markdown(source: str) -> str:
    """Markdown source -> sanitised HTML (the allowlist of wijk/sanitize.py decides)."""
    source = (source or "").replace("\r\n", "\n").strip()
    if not source:
        return ""
    return clean_rich_text(_markdown().render(source))


def public_url(view: ItemView) -> str:
    """The absolute address of an item page, for mail."""
    return url_for("content.show", kind_slug=KIND_SLUGS[view.kind], item_id=view.id, _external=True)


def text_part(html: str) -> str:
    """The plain-text part of the mail: list items keep a dash."""
    return plain_text(re.sub(r"(?i)<li\b[^>]*>", "<li>- ", html))


def _in_place(newsletter: Newsletter) -> ColumnElement[bool]:
    """Activities of the newsletter's neighbourhood, or of every neighbourhood of its city."""
    if newsletter.municipality_id is not None:
        return Activity.neighbourhood_id.in_(
            select(Neighbourhood.id).where(
                Neighbourhood.municipality_id == newsletter.municipality_id
            )
        )
    return Activity.neighbourhood_id == newsletter.neighbourhood_id


def agenda_for(newsletter: Newsletter, now: datetime | None = None) -> list[tuple[ItemView, str]]:
    """Public activities of the neighbourhood (or city) in the coming weeks, through the gate as
    an anonymous visitor sees them; empty when the newsletter has no agenda section."""
    if not newsletter.with_agenda:
        return []
    now = now or local_now()
    items = db.session.scalars(
        select(Activity)
        .where(
            _in_place(newsletter),
            Activity.status == ItemStatus.PUBLISHED,
            Activity.starts_at >= now,
            Activity.starts_at < now + timedelta(weeks=AGENDA_WEEKS),
        )
        .order_by(Activity.starts_at, Activity.id)
        .limit(AGENDA_MAX)
    )
    return [(view, public_url(view)) for view in item_views(items, None)]
