"""Benchmark data for `flask demo --activities N`: neighbourhoods and users topped up to
their totals, then N more activities, past and future, drawn from vocabulary.toml by
seeded random generators, so two fresh databases made on the same day get the same
content. Core inserts in chunks (100,000 activities take seconds, not minutes); one
password hash, the demo password, for every generated user."""

from __future__ import annotations

import html
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import click
from sqlalchemy import func, select, text
from werkzeug.security import generate_password_hash

from wijk.clock import local_day_start, local_to_stamp
from wijk.demo.inserts import count_rows, insert_rows, item_row
from wijk.demo.seed import DEMO_PASSWORD, consent_documents
from wijk.demo.vocabulary import Vocabulary, load_vocabulary
from wijk.extensions import db
from wijk.models import (
    Activity,
    Consent,
    Item,
    Municipality,
    Neighbourhood,
    NeighbourhoodPostcode,
    User,
)
from wijk.series.occurrences import fill_missing_dates
from wijk.series.rules import preset_from_text, preset_rule

DEFAULT_NEIGHBOURHOODS = 200
DEFAULT_USERS = 50_000
DEFAULT_SEED = 2026
GENERATED_EMAIL = "bewoner{:05d}@example.nl"


def _person(rng: random.Random, words: Vocabulary) -> tuple[str, str]:
    first, last = rng.choice(words.first_names), rng.choice(words.last_names)
    ascii_last = last.lower().replace(" ", "")
    ascii_first = first.lower().replace("ş", "s").replace("ë", "e")
    return f"{first} {last}", f"{ascii_first}.{ascii_last}{rng.randint(1, 99)}@example.nl"


def _phone(rng: random.Random) -> str:
    # Subscriber numbers starting with 0 are not handed out, so these reach nobody.
    if rng.random() < 0.6:
        return f"06 0{rng.randint(0, 9_999_999):07d}"
    return f"0{rng.choice((10, 20, 30, 40, 50, 70))} 0{rng.randint(0, 999_999):06d}"


def _address(rng: random.Random, words: Vocabulary, postcode: str | None, city: str) -> str:
    letters = rng.choice(words.postcode_letters) + rng.choice(words.postcode_letters)
    code = f"{postcode} {letters} " if postcode else ""
    return f"{rng.choice(words.streets)} {rng.randint(1, 180)}, {code}{city}"


def _slugify(text_: str) -> str:
    return "-".join(text_.lower().replace("'", "").split())


@dataclass
class _Hood:
    id: int
    name: str
    city: str
    postcode: str | None
    orgs: list[tuple[int, str, str | None]] = field(default_factory=list)


def generate_bulk(
    *,
    activities: int,
    neighbourhoods: int,
    users: int,
    seed: int,
    today: date,
    now: datetime,
    words: Vocabulary | None = None,
    echo: Callable[[str], None] = click.echo,
) -> dict[str, int]:
    """Benchmark data: neighbourhoods and users topped up to their totals, then
    `activities` new activities. Core inserts in chunks; one password hash for all."""
    started = time.perf_counter()

    def step(message: str) -> None:
        echo(f"  [{time.perf_counter() - started:6.1f} s] {message}")

    words = words or load_vocabulary()
    echo("Generating benchmark data:")
    password_hash = generate_password_hash(DEMO_PASSWORD)
    made_users = _bulk_users(users, password_hash, random.Random(f"{seed}-users"), words, now)
    db.session.commit()
    step(f"{made_users} users added (total {count_rows(User)})")

    made_places, made_orgs, made_offers = _bulk_neighbourhoods(
        neighbourhoods, random.Random(f"{seed}-places"), words, today, now
    )
    db.session.commit()
    step(
        f"{made_places} neighbourhoods added (total {count_rows(Neighbourhood)}), with "
        f"{made_orgs} organisations and {made_offers} offers and requests"
    )

    # A later issue brings newsletter subscribers (10,000 in one neighbourhood for the
    # benchmark); their table does not exist yet. Add a `_bulk_subscribers` step here.

    existing = count_rows(Activity)
    made_activities = _bulk_activities(
        activities, random.Random(f"{seed}-activities-{existing}"), words, today, now
    )
    db.session.commit()
    step(f"{made_activities} activities added (total {existing + made_activities})")

    if made_users or made_places or made_activities:
        # Fresh planner statistics, so benchmark queries use the indexes they would.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        step("statistics updated (ANALYZE)")
    return {
        "users": made_users,
        "neighbourhoods": made_places,
        "organisations": made_orgs,
        "offers": made_offers,
        "activities": made_activities,
    }


def _bulk_users(
    total: int, password_hash: str, rng: random.Random, words: Vocabulary, now: datetime
) -> int:
    missing = total - count_rows(User)
    if missing <= 0:
        return 0
    taken = set(db.session.scalars(select(User.email).where(User.email.like("bewoner%"))))
    first_new_id = (db.session.scalar(select(func.max(User.id))) or 0) + 1

    def rows() -> Iterator[dict]:
        n, made = 0, 0
        while made < missing:
            n += 1
            email = GENERATED_EMAIL.format(n)
            if email in taken:
                continue
            made += 1
            joined = now - timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
            verified = joined + timedelta(minutes=rng.randint(1, 600))
            yield {
                "email": email,
                "name": f"{rng.choice(words.first_names)} {rng.choice(words.last_names)}",
                "password_hash": password_hash,
                "email_verified_at": verified if rng.random() < 0.97 else None,
                "created_at": joined,
                "locale": "en" if rng.random() < 0.08 else None,
                "is_admin": False,
            }

    made = insert_rows(User.__table__, rows())
    documents = consent_documents()
    new_users = db.session.execute(
        select(User.id, User.created_at).where(User.id >= first_new_id).order_by(User.id)
    ).all()
    insert_rows(
        Consent.__table__,
        (
            {
                "user_id": user_id,
                "document": document,
                "version": version,
                "accepted_at": joined,
                "withdrawn_at": None,
            }
            for user_id, joined in new_users
            for document, version in documents
        ),
    )
    return made


def _place_candidates(rng: random.Random, words: Vocabulary) -> Iterator[tuple[str, str]]:
    """(name, city) pairs, round-robin over the cities so every city gets some."""
    place_names = words.place_names
    names = {c.name: rng.sample(place_names, len(place_names)) for c in words.cities}
    round_ = 0
    while True:
        for city in (c.name for c in words.cities):
            name = names[city][round_ % len(place_names)]
            lap = round_ // len(place_names)
            yield (f"{name} {lap + 1}" if lap else name), city
        round_ += 1


def _bulk_neighbourhoods(
    total: int, rng: random.Random, words: Vocabulary, today: date, now: datetime
) -> tuple[int, int, int]:
    missing = total - count_rows(Neighbourhood)
    if missing <= 0:
        return 0, 0, 0
    slugs = set(db.session.scalars(select(Neighbourhood.slug)))
    used = set(db.session.scalars(select(NeighbourhoodPostcode.postcode)))
    next_code = {c.name: c.first_postcode for c in words.cities}
    last_code = {c.name: c.last_postcode for c in words.cities}
    owners = list(
        db.session.scalars(
            select(User.id).where(User.email_verified_at.is_not(None)).order_by(User.id).limit(5000)
        )
    )

    def postcodes(city: str, count: int) -> list[str]:
        found: list[str] = []
        while len(found) < count and next_code[city] <= last_code[city]:
            code = str(next_code[city])
            next_code[city] += 1
            if code not in used:
                used.add(code)
                found.append(code)
        return found

    made: list[tuple[Neighbourhood, str]] = []
    for name, city in _place_candidates(rng, words):
        if len(made) >= missing:
            break
        slug = f"{_slugify(city)}-{_slugify(name)}"
        if slug in slugs:
            continue
        slugs.add(slug)
        hood = Neighbourhood(
            name=name,
            slug=slug,
            city=city,
            description=rng.choice(words.place_texts).format(name=name, city=city),
            created_at=now - timedelta(days=rng.randint(30, 900)),
        )
        hood.postcodes = [
            NeighbourhoodPostcode(postcode=p) for p in postcodes(city, rng.choice((1, 1, 2, 2, 3)))
        ]
        db.session.add(hood)
        made.append((hood, city))
    db.session.flush()

    orgs: list[dict] = []
    offers: list[dict] = []
    for hood, city in made:
        code = hood.postcodes[0].postcode if hood.postcodes else None
        for title, blurb in rng.sample(words.organisations, rng.randint(2, 5)):
            person, email = _person(rng, words)
            stamp = now - timedelta(days=rng.randint(1, 700))
            orgs.append(
                item_row(
                    kind="organisation",
                    neighbourhood_id=hood.id,
                    owner_id=rng.choice(owners),
                    title=title.format(name=hood.name, city=city),
                    description=f"<p>{blurb}</p>",
                    website=f"https://{_slugify(hood.slug)}-{len(orgs)}.example.nl",
                    address=_address(rng, words, code, city),
                    address_public=True,
                    contact_name=person,
                    contact_name_public=rng.random() < 0.7,
                    contact_email=email,
                    contact_phone=_phone(rng),
                    contact_phone_public=rng.random() < 0.3,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
        for _ in range(rng.randint(0, 8)):
            offer_kind, title, blurb = rng.choice(words.offers)
            person, email = _person(rng, words)
            expires = today + timedelta(days=rng.randint(-60, 90))
            posted = expires - timedelta(days=rng.randint(7, 60))
            stamp = local_day_start(posted) + timedelta(minutes=rng.randint(480, 1320))
            offers.append(
                item_row(
                    kind="offer",
                    neighbourhood_id=hood.id,
                    owner_id=rng.choice(owners),
                    offer_kind=offer_kind,
                    title=title,
                    description=f"<p>{blurb}</p>",
                    expires_on=expires,
                    contact_name=person.split()[0],
                    contact_name_public=rng.random() < 0.4,
                    contact_email=email,
                    address=_address(rng, words, code, city) if rng.random() < 0.3 else None,
                    created_at=min(stamp, now),
                    updated_at=min(stamp, now),
                )
            )
    insert_rows(Item.__table__, orgs)
    insert_rows(Item.__table__, offers)
    return len(made), len(orgs), len(offers)


def _load_hoods() -> list[_Hood]:
    hoods = {
        hood_id: _Hood(hood_id, name, city, None)
        for hood_id, name, city in db.session.execute(
            select(Neighbourhood.id, Neighbourhood.name, Municipality.name)
            .join(Municipality, Municipality.id == Neighbourhood.municipality_id)
            .order_by(Neighbourhood.id)
        )
    }
    for hood_id, postcode in db.session.execute(
        select(NeighbourhoodPostcode.neighbourhood_id, NeighbourhoodPostcode.postcode).order_by(
            NeighbourhoodPostcode.postcode
        )
    ):
        if hoods[hood_id].postcode is None:
            hoods[hood_id].postcode = postcode
    for org_id, hood_id, title, address in db.session.execute(
        select(Item.id, Item.neighbourhood_id, Item.title, Item.address)
        .where(Item.kind == "organisation")
        .order_by(Item.id)
    ):
        hoods[hood_id].orgs.append((org_id, title, address))
    return list(hoods.values())


def _bulk_activities(
    count: int, rng: random.Random, words: Vocabulary, today: date, now: datetime
) -> int:
    if count <= 0:
        return 0
    hoods = _load_hoods()
    user_ids = list(
        db.session.scalars(
            select(User.id).where(User.email_verified_at.is_not(None)).order_by(User.id)
        )
    )
    # A few people post most activities, as on every community site.
    owners = rng.sample(user_ids, max(1, len(user_ids) // 20))
    # Some neighbourhoods are far busier than others.
    weights = [rng.lognormvariate(0, 1) for _ in hoods]
    cumulative, running = [], 0.0
    for weight in weights:
        running += weight
        cumulative.append(running)
    midnight = datetime.min.time()

    def rows() -> Iterator[dict]:
        for hood in rng.choices(hoods, cum_weights=cumulative, k=count):
            kind = rng.choice(words.activities)
            org = rng.choice(hood.orgs) if hood.orgs and rng.random() < 0.45 else None
            if org and rng.random() < 0.8:
                venue, address, address_public = org[1], org[2], True
            else:
                venue = f"{rng.choice(words.open_venues)} {hood.name}"
                address = (
                    _address(rng, words, hood.postcode, hood.city) if rng.random() < 0.5 else None
                )
                address_public = rng.random() < 0.5
            suffix = rng.choice(words.activity_suffixes)
            if "{venue}" in suffix and not (org and venue == org[1]):
                suffix = ""  # "in" suits a building, not "Marktplein Oost"
            suffix = suffix.format(venue=venue, place=hood.name)
            # About half lie in the past (up to a year), the rest mostly in the coming weeks.
            if rng.random() < 0.5:
                offset = -rng.randint(1, 365)
            else:
                offset = min(int(rng.expovariate(1 / 30)), 240)
            day = today + timedelta(days=offset)
            hour, minute = rng.choice(kind.times).split(":")
            starts = datetime.combine(day, midnight).replace(hour=int(hour), minute=int(minute))
            ends = (
                starts + timedelta(minutes=rng.randrange(kind.shortest, kind.longest + 1, 15))
                if rng.random() < 0.9
                else None
            )
            rule = None
            if rng.random() < 0.2:
                pattern = rng.choice(words.recurrences)
                if day.day <= 7 and rng.random() < 0.3:
                    pattern = "Elke eerste {day} van de maand"
                preset = preset_from_text(pattern.format(day=words.weekdays[day.weekday()]))
                if preset:
                    until = day + timedelta(days=rng.choice((56, 91, 182, 364)))
                    rule = preset_rule(preset, starts, until=until)
            with_contact = rng.random() < 0.6
            person, email = _person(rng, words) if with_contact else (None, None)
            phone = _phone(rng) if with_contact and rng.random() < 0.35 else None
            created = min(
                now,
                local_to_stamp(
                    starts - timedelta(days=rng.randint(1, 45), hours=rng.randint(0, 9))
                ),
            )
            yield item_row(
                kind="activity",
                neighbourhood_id=hood.id,
                owner_id=rng.choice(owners),
                organisation_id=org[0] if org else None,
                title=f"{kind.title}{suffix}",
                description=f"<p>{html.escape(kind.text, quote=False)}</p>"
                f"<p>Locatie: {html.escape(venue, quote=False)}.</p>",
                starts_at=starts,
                ends_at=ends,
                location_name=venue,
                rrule=rule,
                address=address,
                address_public=address_public and address is not None,
                contact_name=person,
                contact_name_public=bool(person) and rng.random() < 0.3,
                contact_email=email,
                contact_phone=phone,
                contact_phone_public=bool(phone) and rng.random() < 0.15,
                created_at=created,
                updated_at=created,
            )

    made = insert_rows(Item.__table__, rows())
    fill_missing_dates()  # Core inserts pass the flush hook by
    return made
