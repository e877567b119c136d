"""Turn the demo content into rows: accounts, neighbourhoods with their postcodes,
organisations, activities (some taking sign-ups) with categories, offers and requests,
co-managers and a welcome news item; the municipalities' descriptions, staff and city
news. What exists is found by account e-mail and
neighbourhood slug and left alone, so seeding twice adds nothing."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from wijk.content.categories import set_categories
from wijk.demo.content import WEEKDAY_CODES, Contact, DemoAccount, DemoContent, PlaceSpec
from wijk.extensions import db
from wijk.models import (
    Activity,
    CityNews,
    Consent,
    ItemManager,
    Municipality,
    MunicipalityStaff,
    Neighbourhood,
    NeighbourhoodPostcode,
    NewsItem,
    Offer,
    Organisation,
    User,
)
from wijk.series.rules import preset_from_text, preset_rule

DEMO_PASSWORD = "wijk-demo-2026"  # noqa: S105 (printed on purpose: demo accounts only)


def consent_documents() -> list[tuple[str, str]]:
    """(document, version) pairs every account has accepted, as a registration would."""
    config = current_app.config
    return [
        ("terms", config["TERMS_VERSION"]),
        ("privacy", config["PRIVACY_VERSION"]),
        ("age", str(config["MINIMUM_AGE"])),
    ]


def seed_demo(content: DemoContent, today: date, now: datetime) -> dict[str, int] | None:
    """Add the demo accounts and whichever demo neighbourhoods are missing, with their
    content. Returns counts of what was added, or None when everything was there."""
    users, accounts_made = _ensure_accounts(content.accounts, now)
    existing = set(
        db.session.scalars(select(Neighbourhood.slug).where(Neighbourhood.slug.in_(content.slugs)))
    )
    counts = {
        "neighbourhoods": 0,
        "organisations": 0,
        "activities": 0,
        "offers": 0,
        "accounts": accounts_made,
    }
    for place in content.places:
        if place.slug in existing:
            continue
        _add_place(content, place, users, today, now, counts)
    db.session.flush()
    counts["city_staff"] = _add_municipalities(content, users, now)
    db.session.commit()
    return counts if any(counts.values()) else None


def _add_municipalities(content: DemoContent, users: dict[str, User], now: datetime) -> int:
    """Describe the demo cities, add their missing staff and, once, their city news.
    Returns the number of staff appointments made."""
    made = 0
    for spec in content.municipalities:
        city = Municipality.named(spec.name)
        if not city.description:
            city.description = spec.description
        db.session.flush()
        for email in spec.staff:
            user = users[email]
            if db.session.get(MunicipalityStaff, (city.id, user.id)) is None:
                db.session.add(MunicipalityStaff(municipality_id=city.id, user_id=user.id))
                made += 1
        if spec.news_title and spec.news_text:
            exists = db.session.scalar(
                select(CityNews.id).where(
                    CityNews.municipality_id == city.id, CityNews.title == spec.news_title
                )
            )
            if exists is None:
                db.session.add(
                    CityNews(
                        municipality_id=city.id,
                        author_id=users[spec.staff[0]].id if spec.staff else None,
                        title=spec.news_title,
                        body_html=paragraphs(spec.news_text),
                        created_at=now - timedelta(days=2),
                    )
                )
    return made


def _ensure_accounts(
    accounts: tuple[DemoAccount, ...], now: datetime
) -> tuple[dict[str, User], int]:
    """The demo accounts by e-mail, creating the missing ones; and how many were made."""
    emails = [account.email for account in accounts]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    made = 0
    for n, account in enumerate(accounts):
        if account.email in users:
            continue
        joined = now - timedelta(days=90 - 10 * n)
        user = User(
            email=account.email,
            name=account.name,
            password_hash=generate_password_hash(DEMO_PASSWORD),
            email_verified_at=joined + timedelta(minutes=4),
            created_at=joined,
            locale=account.locale,
            is_admin=account.is_admin,
        )
        user.consents = [
            Consent(document=document, version=version, accepted_at=joined)
            for document, version in consent_documents()
        ]
        db.session.add(user)
        users[account.email] = user
        made += 1
    db.session.flush()
    return users, made


def paragraphs(text: str) -> str:
    """Plain text with blank lines between paragraphs as the <p> HTML the sanitiser keeps."""
    return "".join(
        f"<p>{html.escape(part.strip(), quote=False)}</p>"
        for part in text.split("\n\n")
        if part.strip()
    )


def occurrence(today: date, when: int | str) -> date:
    """The date of a content `when`: days from today, the next weekday ("di"), or the
    first such weekday of a month ("1e za"), never today itself."""
    if isinstance(when, int):
        return today + timedelta(days=when)
    if when.startswith("1e "):
        weekday = WEEKDAY_CODES[when[3:]]
        month = date(today.year, today.month, 1)
        while True:
            first = month + timedelta(days=(weekday - month.weekday()) % 7)
            if first > today:
                return first
            month = (month + timedelta(days=32)).replace(day=1)
    weekday = WEEKDAY_CODES[when]
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def demo_categories(words: dict[str, tuple[str, ...]], title: str, description: str) -> list[str]:
    """Categories for a demo activity, from the words in it."""
    text = f"{title} {description}".lower()
    return [code for code, found in words.items() if any(w in text for w in found)]


SERIES_DAYS = 182  # the demo's weekly activities run for half a year from today


def _rule(every: str | None, first: datetime, today: date) -> str | None:
    """A demo schedule in words ("Elke dinsdag") as the series' RRULE."""
    preset = preset_from_text(every)
    if preset is None:
        return None
    return preset_rule(preset, first, until=today + timedelta(days=SERIES_DAYS))


def _add_place(
    content: DemoContent,
    place: PlaceSpec,
    users: dict[str, User],
    today: date,
    now: datetime,
    counts: dict[str, int],
) -> None:
    hood = Neighbourhood(
        name=place.name,
        slug=place.slug,
        city=place.city,
        description=place.description,
        created_at=now - timedelta(days=120),
    )
    hood.postcodes = [NeighbourhoodPostcode(postcode=p) for p in place.postcodes]
    db.session.add(hood)
    counts["neighbourhoods"] += 1
    owner = users[place.owner]

    orgs: dict[str, Organisation] = {}
    orgs_by_key = {spec.key: spec for spec in place.organisations}
    for n, org_spec in enumerate(place.organisations):
        stamp = now - timedelta(days=100 - n)
        org = Organisation(
            neighbourhood=hood,
            owner=owner,
            status="published",
            title=org_spec.title,
            description=paragraphs(org_spec.text),
            website=org_spec.website,
            created_at=stamp,
            updated_at=stamp,
            **org_spec.contact.columns(),
        )
        orgs[org_spec.key] = org
        db.session.add(org)
    counts["organisations"] += len(orgs)

    activities: list[Activity] = []
    for n, spec in enumerate(place.activities):
        day = occurrence(today, spec.when)
        hour, minute = (int(x) for x in spec.at.split(":"))
        starts = datetime(day.year, day.month, day.day, hour, minute)
        contact = spec.contact
        if contact == Contact() and spec.organisation:
            # The organiser's details, kept hidden: visitors find the organisation's
            # public details on its own page, co-managers see these.
            org_contact = orgs_by_key[spec.organisation].contact
            contact = Contact(
                name=org_contact.name, email=org_contact.email, phone=org_contact.phone
            )
        venue_org = orgs.get(spec.venue or "")
        location = venue_org.title if venue_org is not None else spec.venue
        stamp = now - timedelta(days=30 - n % 20, hours=n)
        activity = Activity(
            neighbourhood=hood,
            owner=users[spec.owner or place.owner],
            status="published",
            organisation=orgs[spec.organisation] if spec.organisation else None,
            title=spec.title,
            description=paragraphs(spec.text),
            starts_at=starts,
            ends_at=starts + timedelta(minutes=spec.minutes) if spec.minutes else None,
            location_name=location,
            rrule=_rule(spec.every, starts, today),
            created_at=stamp,
            updated_at=stamp,
            **contact.columns(),
        )
        # One-off gatherings take sign-ups, some with a limited number of places.
        if not spec.every and n % 2 == 0:
            activity.signups_enabled = True
            activity.max_places = 12 if n % 4 == 0 else None
        db.session.add(activity)
        activities.append(activity)
    counts["activities"] += len(place.activities)

    db.session.flush()
    for activity in activities:
        set_categories(
            activity, demo_categories(content.categories, activity.title, activity.description)
        )
    news = content.news
    db.session.add(
        NewsItem(
            neighbourhood=hood,
            owner=users[news.author],
            status="published",
            title=news.title.format(name=place.name),
            description=paragraphs(news.text.format(name=place.name)),
            created_at=now - timedelta(days=3),
            updated_at=now - timedelta(days=3),
        )
    )

    for offer_spec in place.offers:
        stamp = now - timedelta(days=offer_spec.posted_ago, hours=offer_spec.expires_in % 7)
        db.session.add(
            Offer(
                neighbourhood=hood,
                owner=users[offer_spec.owner or place.owner],
                status="published",
                offer_kind=offer_spec.kind,
                title=offer_spec.title,
                description=paragraphs(offer_spec.text),
                expires_on=today + timedelta(days=offer_spec.expires_in),
                created_at=stamp,
                updated_at=stamp,
                **offer_spec.contact.columns(),
            )
        )
    counts["offers"] += len(place.offers)

    db.session.flush()
    for org_key, email in place.co_managers:
        db.session.add(ItemManager(item_id=orgs[org_key].id, user_id=users[email].id))
