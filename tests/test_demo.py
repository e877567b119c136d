"""`flask demo`: demo content, idempotence, and bulk benchmark data."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from wijk.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SLUGS
from wijk.extensions import db
from wijk.models import (
    Activity,
    Consent,
    Item,
    ItemManager,
    Neighbourhood,
    NeighbourhoodPostcode,
    Offer,
    Organisation,
    User,
)
from wijk.models.base import personal_fields
from wijk.sanitize import clean_rich_text

# The contact e-mail has no flag: it is never public.
FLAGGED_FIELDS = [(f.name, f.flag) for f in personal_fields(Item) if f.flag]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot() -> dict[str, int]:
    return {model.__name__: count(model) for model in (
        Neighbourhood, NeighbourhoodPostcode, User, Consent, Item, Activity, Organisation,
        Offer, ItemManager)}


def run_demo(runner, *args: str):
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_demo_creates_neighbourhoods_and_content(app, runner):
    result = run_demo(runner)

    places = db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.slug)).all()
    assert [p.slug for p in places] == sorted(DEMO_SLUGS)
    for place in places:
        assert place.city == "Utrecht" and place.description
        assert place.postcodes and all(len(p.postcode) == 4 and p.postcode.isdigit()
                                       for p in place.postcodes)

    activities = db.session.scalars(select(Activity)).all()
    assert 35 <= len(activities) <= 45
    organisations = db.session.scalars(select(Organisation)).all()
    offers = db.session.scalars(select(Offer)).all()
    for place in places:
        assert sum(o.neighbourhood_id == place.id for o in organisations) >= 3
        assert sum(a.neighbourhood_id == place.id for a in activities) >= 10
    assert {o.offer_kind for o in offers} == {"offer", "request"}
    assert any(o.title.startswith("Aangeboden:") for o in offers)
    assert any(o.title.startswith("Gevraagd:") for o in offers)

    # Spread over the coming weeks, some recurring.
    now = datetime.now()
    assert all(now - timedelta(days=1) < a.starts_at < now + timedelta(weeks=8)
               for a in activities)
    assert len({a.starts_at.date() for a in activities}) >= 20
    assert sum(bool(a.recurrence) for a in activities) >= 10
    assert any(a.recurrence == "Elke dinsdag" for a in activities)
    assert all(a.ends_at is None or a.ends_at > a.starts_at for a in activities)

    items = [*activities, *organisations, *offers]
    for item in items:
        assert item.status == "published"
        assert item.description.startswith("<p>")
        assert clean_rich_text(item.description) == item.description
        if item.organisation_id:
            assert item.organisation.kind == "organisation"
            assert item.organisation.neighbourhood_id == item.neighbourhood_id
    assert sum(a.organisation_id is not None for a in activities) >= 25

    # Private by default: most contact values are hidden, some are public.
    hidden = public = 0
    for item in items:
        for name, flag in FLAGGED_FIELDS:
            if getattr(item, name):
                if getattr(item, flag):
                    public += 1
                else:
                    hidden += 1
    assert public > 0 and hidden > public
    assert any(o.contact_name_public and o.address_public for o in organisations)
    assert any(a.address and not a.address_public for a in activities)  # a home address
    assert not any(o.contact_phone_public for o in offers)

    emails = [i.contact_email for i in items if i.contact_email]
    emails += db.session.scalars(select(User.email)).all()
    assert all(e.endswith((".example.org", "@example.org", ".example.nl", "@example.nl"))
               for e in emails)
    assert all(".example.nl" in o.website or ".example.org" in o.website
               for o in organisations if o.website)

    assert "anna@example.org" in result.output
    assert DEMO_PASSWORD in result.output
    assert app.config["MAIL_FILE_DIR"] in result.output


def test_demo_accounts_can_log_in(app, runner):
    run_demo(runner)
    config = app.config
    for account in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == account.email))
        assert user is not None
        assert user.password_hash.startswith("scrypt:")
        assert check_password_hash(user.password_hash, DEMO_PASSWORD)
        assert user.is_verified
        assert user.is_admin == account.is_admin
        consents = {(c.document, c.version) for c in user.consents}
        assert consents == {
            ("terms", config["TERMS_VERSION"]),
            ("privacy", config["PRIVACY_VERSION"]),
            ("age", str(config["MINIMUM_AGE"])),
        }
    assert count(User) == len(DEMO_ACCOUNTS)
    assert db.session.scalar(select(func.count()).where(User.is_admin)) == 1


def test_demo_twice_adds_nothing(app, runner):
    run_demo(runner)
    before = snapshot()
    result = run_demo(runner)
    assert snapshot() == before
    assert "nothing added" in result.output
    assert "anna@example.org" in result.output and DEMO_PASSWORD in result.output


def test_demo_restores_a_missing_neighbourhood(app, runner):
    run_demo(runner)
    before = snapshot()
    zuilen = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == "zuilen"))
    db.session.delete(zuilen)
    db.session.commit()
    run_demo(runner)
    assert snapshot() == before


def test_bulk_activities(app, runner):
    run_demo(runner)
    before = snapshot()

    started = time.perf_counter()
    run_demo(runner, "--activities", "500", "--neighbourhoods", "25", "--users", "300")
    assert time.perf_counter() - started < 5

    assert count(Activity) == before["Activity"] + 500
    assert count(Neighbourhood) == 25
    assert count(User) == 300
    # Every generated user accepted the documents, like a registered one.
    assert count(Consent) == 300 * 3

    # Core inserts bypass the polymorphic identity: the rows must still load as Activity.
    generated = db.session.scalars(
        select(Item).where(Item.kind == "activity").order_by(Item.id.desc()).limit(500)
    ).all()
    assert all(type(a) is Activity for a in generated)
    assert len({a.neighbourhood_id for a in generated}) > 10
    now = datetime.now()
    assert any(a.starts_at < now for a in generated)
    assert any(a.starts_at > now for a in generated)
    assert len({a.title for a in generated}) > 50
    assert any(a.recurrence for a in generated)
    for activity in generated:
        assert activity.status == "published"
        assert activity.ends_at is None or activity.ends_at > activity.starts_at
        if activity.organisation_id:
            assert activity.organisation.neighbourhood_id == activity.neighbourhood_id
    assert sum(a.contact_name_public for a in generated) < sum(
        bool(a.contact_name) for a in generated) / 2

    bench_user = db.session.scalar(select(User).where(User.email == "bewoner00001@example.nl"))
    assert check_password_hash(bench_user.password_hash, DEMO_PASSWORD)
    new_places = db.session.scalars(
        select(Neighbourhood).where(Neighbourhood.slug.not_in(DEMO_SLUGS))).all()
    assert all(p.postcodes for p in new_places)
    assert count(Organisation) > before["Organisation"]

    # A second run tops up to the same totals and only adds the activities again.
    run_demo(runner, "--activities", "500", "--neighbourhoods", "25", "--users", "300")
    assert count(Neighbourhood) == 25
    assert count(User) == 300
    assert count(Activity) == before["Activity"] + 1000


def test_bulk_on_an_empty_database_adds_the_demo_first(app, runner):
    run_demo(runner, "--activities", "50", "--neighbourhoods", "5", "--users", "10")
    assert set(DEMO_SLUGS) <= set(db.session.scalars(select(Neighbourhood.slug)))
    assert count(Neighbourhood) == 5
    assert count(User) == 10
    assert count(Activity) > 50
