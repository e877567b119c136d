"""`flask demo`: demo content, idempotence, and bulk benchmark data."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from wijk.demo.content import CONTENT_FILE, DemoDataError, load_content
from wijk.demo.seed import DEMO_PASSWORD
from wijk.demo.vocabulary import VOCABULARY_FILE, load_vocabulary
from wijk.extensions import db
from wijk.models import (
    Activity,
    CityNews,
    Consent,
    Item,
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
from wijk.models.base import personal_fields
from wijk.sanitize import clean_rich_text

CONTACT_FIELDS = ("address", "contact_name", "contact_email", "contact_phone")
CONTENT = load_content()
DEMO_ACCOUNTS = CONTENT.accounts
DEMO_SLUGS = CONTENT.slugs
# The contact e-mail has no flag: it is never public.
FLAGGED_FIELDS = [(f.name, f.flag) for f in personal_fields(Item) if f.flag]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def snapshot() -> dict[str, int]:
    return {
        model.__name__: count(model)
        for model in (
            Neighbourhood,
            NeighbourhoodPostcode,
            User,
            Consent,
            Item,
            Activity,
            Organisation,
            Offer,
            ItemManager,
        )
    }


def run_demo(runner, *args: str):
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_demo_creates_neighbourhoods_and_content(app, runner):
    result = run_demo(runner)

    places = db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.slug)).all()
    assert [p.slug for p in places] == sorted(DEMO_SLUGS)
    for place in places:
        assert place.city in ("Utrecht", "Amersfoort") and place.description
        assert place.postcodes and all(
            len(p.postcode) == 4 and p.postcode.isdigit() for p in place.postcodes
        )
    # A second city, so the city pages and their filters mean something.
    assert sum(p.city == "Amersfoort" for p in places) >= 1
    assert sum(p.city == "Utrecht" for p in places) >= 3

    activities = db.session.scalars(select(Activity)).all()
    assert 40 <= len(activities) <= 50
    organisations = db.session.scalars(select(Organisation)).all()
    offers = db.session.scalars(select(Offer)).all()
    for place in places:
        assert sum(o.neighbourhood_id == place.id for o in organisations) >= 3
        least = 10 if place.city == "Utrecht" else 3
        assert sum(a.neighbourhood_id == place.id for a in activities) >= least
    assert {o.offer_kind for o in offers} == {"offer", "request"}
    assert any(o.title.startswith("Aangeboden:") for o in offers)
    assert any(o.title.startswith("Gevraagd:") for o in offers)

    # Spread over the coming weeks, some recurring.
    now = datetime.now()
    assert all(now - timedelta(days=1) < a.starts_at < now + timedelta(weeks=8) for a in activities)
    assert len({a.starts_at.date() for a in activities}) >= 20
    # "Elke dinsdag" and the like are real series: RRULEs with their dates as rows.
    assert sum(bool(a.rrule) for a in activities) >= 10
    assert any(a.rrule and a.rrule.startswith("FREQ=WEEKLY;BYDAY=TU;UNTIL=") for a in activities)
    assert any(a.rrule and a.rrule.startswith("FREQ=MONTHLY;BYDAY=1SA;") for a in activities)
    assert all(len(a.occurrences) >= 5 for a in activities if a.rrule)  # half a year
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
    assert all(
        e.endswith((".example.org", "@example.org", ".example.nl", "@example.nl")) for e in emails
    )
    assert all(
        ".example.nl" in o.website or ".example.org" in o.website
        for o in organisations
        if o.website
    )

    assert "anna@example.org" in result.output
    assert DEMO_PASSWORD in result.output
    assert app.config["MAIL_FILE_DIR"] in result.output


def test_the_demo_neighbourhood_calendar_holds_series(app, runner):
    run_demo(runner)
    client = app.test_client()
    for place in db.session.scalars(select(Neighbourhood)):
        ics = client.get(f"/wijk/{place.slug}/agenda.ics").get_data(as_text=True)
        assert "RRULE:FREQ=WEEKLY;UNTIL=" in ics, place.slug
        page = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
        assert "elke week op" in page  # the rule in plain words on the agenda


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
    assert any(a.rrule for a in generated)
    assert all(a.occurrences for a in generated)  # Core inserts get their dates too
    for activity in generated:
        assert activity.status == "published"
        assert activity.ends_at is None or activity.ends_at > activity.starts_at
        if activity.organisation_id:
            assert activity.organisation.neighbourhood_id == activity.neighbourhood_id
    assert (
        sum(a.contact_name_public for a in generated)
        < sum(bool(a.contact_name) for a in generated) / 2
    )

    bench_user = db.session.scalar(select(User).where(User.email == "bewoner00001@example.nl"))
    assert check_password_hash(bench_user.password_hash, DEMO_PASSWORD)
    new_places = db.session.scalars(
        select(Neighbourhood).where(Neighbourhood.slug.not_in(DEMO_SLUGS))
    ).all()
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


def test_demo_builds_what_the_data_file_says(app, runner):
    run_demo(runner)
    for place in CONTENT.places:
        hood = db.session.scalar(select(Neighbourhood).where(Neighbourhood.slug == place.slug))
        assert (hood.name, hood.city) == (place.name, place.city)
        assert {p.postcode for p in hood.postcodes} == set(place.postcodes)
        titles = {
            kind: set(
                db.session.scalars(select(model.title).where(model.neighbourhood_id == hood.id))
            )
            for kind, model in (("orgs", Organisation), ("acts", Activity), ("offers", Offer))
        }
        assert titles["orgs"] == {org.title for org in place.organisations}
        assert titles["acts"] == {act.title for act in place.activities}
        assert titles["offers"] == {offer.title for offer in place.offers}
        news = db.session.scalar(select(NewsItem).where(NewsItem.neighbourhood_id == hood.id))
        assert news.title == CONTENT.news.title.format(name=place.name)


def test_demo_reads_another_content_file(app, runner, tmp_path):
    text = CONTENT_FILE.read_text(encoding="utf-8")
    assert text.count('slug = "zuilen"') == 1
    changed = tmp_path / "content.toml"
    changed.write_text(
        text.replace('slug = "zuilen"', 'slug = "zuilen-noord"').replace(
            "Boekenmarkt", "Boekenruilmarkt"
        ),
        encoding="utf-8",
    )
    run_demo(runner, "--content", str(changed))
    slugs = set(db.session.scalars(select(Neighbourhood.slug)))
    assert slugs == {"lombok", "oog-in-al", "zuilen-noord", "soesterkwartier"}
    assert db.session.scalar(select(Activity).where(Activity.title == "Boekenruilmarkt"))


# (text in content.toml, what it becomes, the error expected); None: text put in front.
BROKEN_CONTENT = [
    (None, "[[accounts]\nemail = 1", r"not valid TOML: .*line 1"),
    ('slug = "lombok"', "", r"content\.toml: neighbourhoods\[0\]: missing key 'slug'"),
    (
        'title = "Koffieochtend in De Boog"',
        "",
        r"neighbourhoods\[0\]\.activities\[0\]: missing key 'title'",
    ),
    (
        'every = "Elke dinsdag"',
        'evry = "Elke dinsdag"',
        r"neighbourhoods\[0\]\.activities\[0\]: unknown key 'evry'",
    ),
    (
        "minutes = 120",
        'minutes = "120"',
        r"activities\[0\]\.minutes: expected a number, found text",
    ),
    (
        'organisation = "taalhuis"',
        'organisation = "taalhuisje"',
        r"'taalhuisje' is not an organisation key here",
    ),
    ('when = "1e za"', 'when = "1e zat"', r"'1e zat' is neither a number of days"),
    (
        'owner = "bram@example.org"',
        'owner = "bram@example.com"',
        r"neighbourhoods\[1\]\.owner: 'bram@example\.com' is not one of the accounts",
    ),
    (
        'public = ["address", "name"]',
        'public = ["address", "fax"]',
        r"organisations\[0\]\.contact\.public: 'fax' is public but not given",
    ),
    (
        'public = ["address", "name"]',
        'public = ["address", "name", "email"]',
        r"organisations\[0\]\.contact\.public: the contact e-mail is never public",
    ),
    ("sport = [", "sports = [", r"categories\.sports: not a category code"),
    (
        'title = "Welkom op Wijk {name}"',
        'title = "Welkom op Wijk {naam}"',
        r"news\.title: only \{name\} may stand between braces",
    ),
]


@pytest.mark.parametrize(("needle", "replacement", "message"), BROKEN_CONTENT)
def test_a_malformed_content_file_names_the_place_of_the_error(
    tmp_path, needle, replacement, message
):
    text = CONTENT_FILE.read_text(encoding="utf-8")
    if needle is None:
        text = replacement + "\n" + text
    else:
        assert needle in text
        text = text.replace(needle, replacement, 1)
    broken = tmp_path / "content.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(DemoDataError, match=message):
        load_content(broken)


def test_demo_refuses_a_malformed_content_file_before_touching_the_database(app, runner, tmp_path):
    broken = tmp_path / "content.toml"
    broken.write_text(
        CONTENT_FILE.read_text(encoding="utf-8").replace(
            'title = "Koffieochtend in De Boog"', "", 1
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["demo", "--content", str(broken)])
    assert result.exit_code == 1
    assert f"Error: {broken}: neighbourhoods[0].activities[0]: missing key 'title'" in result.output
    assert "Traceback" not in result.output
    assert count(User) == 0 and count(Neighbourhood) == 0
    missing = runner.invoke(args=["demo", "--content", str(tmp_path / "nothing.toml")])
    assert missing.exit_code != 0 and count(User) == 0


def test_the_vocabulary_file_is_checked(tmp_path):
    words = load_vocabulary()
    assert len(words.weekdays) == 7 and words.cities and words.activities
    broken = tmp_path / "vocabulary.toml"
    broken.write_text(
        VOCABULARY_FILE.read_text(encoding="utf-8").replace(
            "first_postcode = 1011, last_postcode = 1109",
            "first_postcode = 1109, last_postcode = 1011",
        ),
        encoding="utf-8",
    )
    with pytest.raises(DemoDataError, match=r"cities\[0\]: needs 1000 <= first_postcode"):
        load_vocabulary(broken)


def test_demo_has_a_described_city_with_staff_and_a_second_city(app, runner):
    result = run_demo(runner)
    utrecht = Municipality.by_slug("utrecht")
    assert utrecht is not None and utrecht.description
    staff = db.session.scalars(
        select(User.email)
        .join(MunicipalityStaff, MunicipalityStaff.user_id == User.id)
        .where(MunicipalityStaff.municipality_id == utrecht.id)
    ).all()
    assert staff == ["gemeente@example.org"]
    assert "gemeente@example.org" in result.output and "gemeente Utrecht" in result.output
    assert "/gemeente/utrecht" in result.output
    amersfoort = Municipality.by_slug("amersfoort")
    assert amersfoort is not None and amersfoort.neighbourhoods
    assert (
        db.session.scalar(select(func.count()).where(CityNews.municipality_id == utrecht.id)) == 1
    )

    client = app.test_client()
    page = client.get("/gemeente/utrecht")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert utrecht.description[:30] in body and "Buurtbudget 2027" in body
    assert "Koffieochtend in De Kwartiermaker" not in body  # an Amersfoort activity
    assert "Koffieochtend in De Kwartiermaker" in client.get("/gemeente/amersfoort").get_data(
        as_text=True
    )

    run_demo(runner)  # twice: no second appointment, no second city news
    assert db.session.scalar(select(func.count()).select_from(MunicipalityStaff)) == 1
    assert db.session.scalar(select(func.count()).select_from(CityNews)) == 1
