"""City news, the city page's filters and the staff of a municipality.

The agenda of a city is `neighbourhoods.services.upcoming_in_city`; its moderation is
the manager area's, opened to city staff by `permissions.can_moderate`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import select

from wijk import audit
from wijk.accounts.services import find_by_email
from wijk.clock import local_day_start, local_now
from wijk.extensions import db
from wijk.mail import queue_mail
from wijk.models import CityNews, Municipality, MunicipalityStaff, Neighbourhood, User
from wijk.models.base import utcnow
from wijk.neighbourhoods.services import NEWS_DAYS, NEWS_SHOWN
from wijk.sanitize import clean_rich_text

ARCHIVE_PAGE = 20


class StaffError(Exception):
    """The appointment cannot be made; str(error) names the reason."""


# --- the city page's filters ----------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the city page's agenda is narrowed to; `problems` says what was not understood."""

    neighbourhood: Neighbourhood | None
    category: str | None
    problems: tuple[str, ...] = ()


def neighbourhood_in(municipality: Municipality, slug: str | None) -> Neighbourhood | None:
    """One of the city's neighbourhoods by slug; None for any other value."""
    if not slug:
        return None
    return next((n for n in municipality.neighbourhoods if n.slug == slug), None)


# --- city news ------------------------------------------------------------------------------


def latest_news(municipality: Municipality, today: date | None = None) -> list[CityNews]:
    """The newest city news of the last NEWS_DAYS days, for the city page (its
    neighbourhoods' pages read it with the neighbourhood: `with_city_news`)."""
    today = today or local_now().date()
    since = local_day_start(today - timedelta(days=NEWS_DAYS))
    return list(
        db.session.scalars(
            select(CityNews)
            .where(CityNews.municipality_id == municipality.id, CityNews.created_at >= since)
            .order_by(CityNews.created_at.desc(), CityNews.id.desc())
            .limit(NEWS_SHOWN)
        )
    )


def news_archive(municipality: Municipality, page: int) -> tuple[list[CityNews], bool]:
    rows = list(
        db.session.scalars(
            select(CityNews)
            .where(CityNews.municipality_id == municipality.id)
            .order_by(CityNews.created_at.desc(), CityNews.id.desc())
            .limit(ARCHIVE_PAGE + 1)
            .offset((max(page, 1) - 1) * ARCHIVE_PAGE)
        )
    )
    return rows[:ARCHIVE_PAGE], len(rows) > ARCHIVE_PAGE


def post_news(municipality: Municipality, author: User, title: str, body: str) -> CityNews:
    news = CityNews(municipality_id=municipality.id, author_id=author.id)
    db.session.add(news)
    edit_news(news, title, body)
    return news


def edit_news(news: CityNews, title: str, body: str) -> None:
    """Save title and body; the body is limited rich text, sanitised here, once."""
    news.title = " ".join(title.split())[:200]
    news.body_html = clean_rich_text(body)
    if news.id is not None:
        news.updated_at = utcnow()
    db.session.commit()


def remove_news(news: CityNews) -> None:
    db.session.delete(news)
    db.session.commit()


# --- staff ----------------------------------------------------------------------------------


def staff_of(municipality: Municipality) -> list[MunicipalityStaff]:
    return list(
        db.session.scalars(
            select(MunicipalityStaff)
            .join(MunicipalityStaff.user)
            .where(MunicipalityStaff.municipality_id == municipality.id)
            .order_by(User.name, User.id)
        )
    )


def appoint(municipality: Municipality, email: str, actor: User) -> User:
    """Make the owner of a verified account staff of the city, with an audit entry the
    person sees and a mail saying what it means. Raises StaffError("unknown") or
    ("already")."""
    user = find_by_email(email or "")
    if user is None or not user.is_verified or user.deleted_at is not None:
        raise StaffError("unknown")
    if db.session.get(MunicipalityStaff, (municipality.id, user.id)) is not None:
        raise StaffError("already")
    db.session.add(
        MunicipalityStaff(
            municipality_id=municipality.id, user_id=user.id, appointed_by_id=actor.id
        )
    )
    audit.record(actor, "city_staff.appointed", subject=user, detail=municipality.name)
    queue_mail(
        "city_staff_appointed",
        user.email,
        "city_staff_appointed",
        locale=user.locale,
        user=user,
        city=municipality.name,
        link=url_for("cities.staff_city", city_slug=municipality.slug, _external=True),
    )
    db.session.commit()
    return user


def remove_staff(municipality: Municipality, user_id: int, actor: User) -> bool:
    row = db.session.get(MunicipalityStaff, (municipality.id, user_id))
    if row is None:
        return False
    db.session.delete(row)
    audit.record(actor, "city_staff.removed", subject=user_id, detail=municipality.name)
    db.session.commit()
    return True


def describe(municipality: Municipality, description: str, actor: User) -> None:
    municipality.description = (description or "").strip()[:2000] or None
    audit.record(actor, "municipality.updated", detail=municipality.name)
    db.session.commit()
