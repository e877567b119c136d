"""News that neighbourhood managers post on their neighbourhood's page. A news item is an
Item of kind 'news', so feeds, search and the sitemap treat it like other content."""

from __future__ import annotations

from sqlalchemy import select

from wijk import ledger
from wijk.extensions import db
from wijk.models import ItemStatus, Neighbourhood, NewsItem, User
from wijk.sanitize import clean_rich_text

ARCHIVE_PAGE = 20


def post(neighbourhood: Neighbourhood, author: User, title: str, body: str) -> NewsItem:
    news = NewsItem(
        neighbourhood_id=neighbourhood.id, owner_id=author.id, status=ItemStatus.PUBLISHED
    )
    edit(news, title, body)
    return news


def edit(news: NewsItem, title: str, body: str) -> None:
    """Save title and body; the body is limited rich text, sanitised here, once."""
    news.title = " ".join(title.split())
    news.description = clean_rich_text(body)
    db.session.add(news)
    db.session.commit()


def remove(news: NewsItem) -> None:
    ledger.note(ledger.ITEM, news.id)
    db.session.delete(news)
    db.session.commit()


def archive(neighbourhood: Neighbourhood, page: int) -> tuple[list[NewsItem], bool]:
    """Published news of a neighbourhood, newest first, a page at a time."""
    rows = list(
        db.session.scalars(
            select(NewsItem)
            .where(
                NewsItem.neighbourhood_id == neighbourhood.id,
                NewsItem.status == ItemStatus.PUBLISHED,
            )
            .order_by(NewsItem.created_at.desc(), NewsItem.id.desc())
            .limit(ARCHIVE_PAGE + 1)
            .offset((page - 1) * ARCHIVE_PAGE)
        )
    )
    return rows[:ARCHIVE_PAGE], len(rows) > ARCHIVE_PAGE
