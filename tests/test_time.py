"""Time has a type: stamps are aware UTC and shown on the Amsterdam date; activity times are
local wall-clock time and shown as they are. A stamp at 23:30 UTC is already the next day
in Amsterdam, on every page that shows one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_datetime
from flask import render_template_string
from manage_fixtures import login, switch_on_totp
from sqlalchemy import DateTime, select

from wijk import filters
from wijk.clock import (
    LocalDateTime,
    UTCDateTime,
    local_day_start,
    local_to_stamp,
    stamp_to_local,
    utcnow,
)
from wijk.extensions import db
from wijk.mail import render_mail
from wijk.models import (
    AuditEntry,
    Breach,
    Consent,
    Item,
    ItemRevision,
    NeighbourhoodManager,
    Newsletter,
    NewsletterSubscription,
    PrivacyRequest,
    RelayMessage,
    Report,
    SignUp,
    User,
)
from wijk.privacy.terms import current_versions

# 23:30 UTC three days ago: 00:30 (winter) or 01:30 (summer) the next day in Amsterdam.
STAMP = datetime.combine(datetime.now(UTC).date() - timedelta(days=3), time(23, 30), tzinfo=UTC)
RIGHT, WRONG = STAMP.date() + timedelta(days=1), STAMP.date()


def _nl(day: date, fmt: str) -> str:
    return format_date(day, fmt, locale="nl")


@pytest.fixture
def world(make_user, make_neighbourhood, make_item):
    """One admin who also manages a neighbourhood, owns its activity and is the data
    subject, so one login reaches every page; every stamp in it is STAMP."""
    place = make_neighbourhood("Lombok")
    ada = make_user("Ada Admin", "ada@example.org", is_admin=True)
    switch_on_totp(ada)
    ada.created_at = ada.email_verified_at = ada.totp_enabled_at = STAMP
    db.session.add(
        NeighbourhoodManager(neighbourhood_id=place.id, user_id=ada.id, appointed_at=STAMP)
    )
    activity = make_item(
        "activity",
        owner=ada,
        neighbourhood=place,
        signups_enabled=True,
        created_at=STAMP,
        updated_at=STAMP,
    )
    news = make_item(
        "news", owner=ada, neighbourhood=place, title="Nieuws", created_at=STAMP, updated_at=STAMP
    )
    draft = Newsletter(
        neighbourhood_id=place.id,
        author_id=ada.id,
        subject="Concept",
        body_html="<p>x</p>",
        body_text="x",
        created_at=STAMP,
    )
    sent = Newsletter(
        neighbourhood_id=place.id,
        author_id=ada.id,
        subject="Verstuurd",
        body_html="<p>x</p>",
        body_text="x",
        created_at=STAMP,
        sent_at=STAMP,
        recipient_count=1,
    )
    request = PrivacyRequest(
        user_id=ada.id,
        kind="question",
        email=ada.email,
        message="Vraag",
        created_at=STAMP,
        due_at=STAMP + timedelta(days=28),
    )
    breach = Breach(
        description="Lek",
        data_categories="e-mail",
        discovered_at=STAMP,
        occurred_at=STAMP,
        authority_deadline=STAMP + timedelta(hours=72),
        reported_at=STAMP,
        notified_at=STAMP,
        created_at=STAMP,
    )
    db.session.add_all(
        [
            draft,
            sent,
            request,
            breach,
            *(
                Consent(user_id=ada.id, document=doc, version=version, accepted_at=STAMP)
                for doc, version in current_versions().items()
            ),
            NewsletterSubscription(
                user_id=ada.id, neighbourhood_id=place.id, source="account", subscribed_at=STAMP
            ),
            AuditEntry(actor_id=ada.id, action="user.viewed", subject_id=ada.id, created_at=STAMP),
            Report(item_id=activity.id, reason="Klopt niet", created_at=STAMP),
            ItemRevision(item_id=activity.id, editor_id=ada.id, snapshot={}, created_at=STAMP),
            SignUp(
                activity_id=activity.id, name="Fatima", email="fatima@example.org", created_at=STAMP
            ),
            RelayMessage(
                item_id=activity.id,
                recipient_id=ada.id,
                sender_name="Piet",
                sender_email="piet@example.org",
                body="Hoi",
                created_at=STAMP,
            ),
        ]
    )
    db.session.commit()
    return {
        "ada": ada,
        "slug": place.slug,
        "activity": activity.id,
        "news": news.id,
        "sent": sent.id,
        "request": request.id,
        "breach": breach.id,
    }


PAGES = {
    "admin user page": ("/admin/gebruikers/{ada}", "d MMMM y"),
    "admin user list": ("/admin/gebruikers?q=Ada", "d MMMM y"),
    "audit entries": ("/admin/audit", "yyyy-MM-dd"),
    "manager item page": ("/beheer/{slug}/items/{activity}", "d MMMM y"),
    "moderation queue": ("/beheer/{slug}", "d MMMM y"),
    "newsletters of a manager": ("/beheer/{slug}/nieuwsbrieven", "d MMMM y"),
    "newsletter preview": ("/beheer/{slug}/nieuwsbrieven/{sent}", "d MMMM y"),
    "newsletter archive": ("/wijk/{slug}/nieuwsbrieven", "d MMMM y"),
    "archived newsletter": ("/wijk/{slug}/nieuwsbrieven/{sent}", "d MMMM y"),
    "my-data page": ("/mijn/gegevens", "d MMMM y"),
    "consent history": ("/account", "d MMMM y"),
    "two-step login status": ("/account/tweestapsverificatie", "d MMMM y"),
    "news page": ("/nieuws/{news}", "d MMMM y"),
    "news archive": ("/wijk/{slug}/nieuws", "d MMMM y"),
    "neighbourhood page": ("/wijk/{slug}", "d MMMM y"),
    "sign-up list": ("/activiteit/{activity}/aanmeldingen", "d MMM, HH:mm"),
    "privacy requests": ("/privacy/beheer/verzoeken", "d MMMM y"),
    "privacy request": ("/privacy/beheer/verzoeken/{request}", "d MMMM y"),
    "breaches": ("/privacy/beheer/datalekken", "d MMMM y"),
    "breach": ("/privacy/beheer/datalekken/{breach}", "d MMMM y"),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_stamp_at_2330_utc_shows_the_amsterdam_date(client, world, page):
    path, fmt = PAGES[page]
    login(client, world["ada"])
    response = client.get(path.format(**{**world, "ada": world["ada"].id}))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "HH" in fmt:  # the clock time is shown too: 23:30 UTC is 00:30 or 01:30 here
        right = format_datetime(STAMP, fmt, tzinfo="Europe/Amsterdam", locale="nl")
        wrong = format_datetime(STAMP.replace(tzinfo=None), fmt, locale="nl")
    else:
        right, wrong = _nl(RIGHT, fmt), _nl(WRONG, fmt)
    assert right in html
    assert wrong not in html


def test_stamps_in_mail_show_the_amsterdam_date(app, world):
    breach = db.session.get(Breach, world["breach"])
    _subject, text, html = render_mail(
        "breach_notice", "nl", breach=breach, contact="privacy@example.org", privacy_link="/privacy"
    )
    _subject, answer, _html = render_mail(
        "privacy_answer", "nl", asked_at=STAMP, request_kind="vraag", answer="Antwoord", name="Ada"
    )
    for body in (text, html, answer):
        assert _nl(RIGHT, "d MMMM y") in body and _nl(WRONG, "d MMMM y") not in body


# --- the column types -------------------------------------------------------------------


def test_a_stamp_column_refuses_a_naive_datetime(app, make_user):
    user = make_user()
    user.email_verified_at = datetime(2026, 1, 14, 23, 30)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_a_local_column_refuses_an_aware_datetime(app, make_item):
    item = make_item("activity")
    item.starts_at = STAMP
    with pytest.raises(Exception, match="aware datetime"):
        db.session.commit()
    db.session.rollback()


def test_stamps_come_back_aware_utc_and_activity_times_naive(app, make_item):
    start = datetime(2030, 6, 1, 19, 30)
    item = make_item(
        "activity",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        created_at=STAMP.astimezone(ZoneInfo("Europe/Amsterdam")),
    )
    item_id = item.id
    db.session.expire_all()
    row = db.session.get(Item, item_id)
    assert row.created_at == STAMP and row.created_at.tzinfo is UTC
    assert row.starts_at == start and row.starts_at.tzinfo is None
    # Comparisons in SQL go through the type as well.
    assert db.session.scalar(select(Item.id).where(Item.created_at == STAMP)) == item_id
    assert db.session.scalar(select(Item.id).where(Item.created_at < STAMP)) is None


def test_every_datetime_column_says_which_kind_it_is():
    """A new datetime column is a UTC stamp unless it declares LocalDateTime; only
    activity times do, and no column is a plain zone-blind DateTime."""
    local = set()
    for table in db.metadata.tables.values():
        for column in table.columns:
            if column.type._type_affinity is not DateTime:
                continue
            assert isinstance(column.type, UTCDateTime | LocalDateTime), column
            if isinstance(column.type, LocalDateTime):
                local.add(f"{table.name}.{column.name}")
    assert local == {
        "item.starts_at",
        "item.ends_at",
        "activity_occurrence.starts_at",
        "activity_occurrence.ends_at",
        "activity_occurrence.original_starts_at",
    }


def test_utcnow_is_aware():
    assert utcnow().tzinfo is UTC


def test_clock_conversions_between_the_two_kinds(app):
    with app.test_request_context():
        winter = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)
        summer = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
        assert stamp_to_local(winter) == datetime(2026, 1, 15, 0, 30)
        assert stamp_to_local(summer) == datetime(2026, 7, 15, 1, 30)
        assert local_to_stamp(datetime(2026, 1, 15, 0, 30)) == winter
        assert local_day_start(date(2026, 7, 15)) == datetime(2026, 7, 14, 22, 0, tzinfo=UTC)
        with pytest.raises(ValueError):
            stamp_to_local(datetime(2026, 1, 14, 23, 30))
        with pytest.raises(ValueError):
            local_to_stamp(winter)


# --- the filters ------------------------------------------------------------------------


def test_filters_format_each_kind_in_amsterdam(app):
    with app.test_request_context():
        rendered = render_template_string(
            "{{ s|utc_day }}|{{ s|utc_datetime }}|{{ a|local_day }}|{{ a|local_time }}"
            "|{{ d|local_day }}|{{ a|local_datetime }}",
            s=datetime(2026, 1, 14, 23, 30, tzinfo=UTC),
            a=datetime(2026, 1, 14, 23, 30),
            d=date(2026, 3, 1),
        )
    assert rendered == (
        "15 januari 2026|15 januari 2026, 00:30|14 januari 2026|23:30"
        "|1 maart 2026|woensdag 14 januari 2026, 23:30"
    )


@pytest.mark.parametrize(
    "template,value",
    [
        ("{{ v|utc_day }}", datetime(2026, 1, 14, 23, 30)),
        ("{{ v|utc_datetime }}", datetime(2026, 1, 14, 23, 30)),
        ("{{ v|utc_day }}", date(2026, 1, 14)),
        ("{{ v|local_day }}", datetime(2026, 1, 14, 23, 30, tzinfo=UTC)),
        ("{{ v|local_time }}", datetime(2026, 1, 14, 23, 30, tzinfo=UTC)),
        ("{{ v|local_datetime }}", datetime(2026, 1, 14, 23, 30, tzinfo=UTC)),
        ("{{ v|local_time }}", date(2026, 1, 14)),
    ],
)
def test_a_filter_given_the_wrong_kind_of_time_raises(app, template, value):
    with app.test_request_context(), pytest.raises(TypeError):
        render_template_string(template, v=value)


def test_zone_blind_babel_filters_are_not_available(app):
    for name in filters.BABEL_FILTERS:
        assert name not in app.jinja_env.filters


def test_a_user_row_round_trips_with_its_zone(app, make_user):
    from wijk.privacy.serialize import row, unplain

    user = make_user()
    user.created_at = STAMP
    db.session.commit()
    data = row(user)
    assert data["created_at"].endswith("+00:00")
    assert unplain(User, data)["created_at"] == STAMP
    # Copies sealed before stamps carried a zone hold naive UTC; they still restore.
    assert unplain(User, {"created_at": "2026-01-14T23:30:00"})["created_at"] == datetime(
        2026, 1, 14, 23, 30, tzinfo=UTC
    )


# --- values a newcomer no longer has to guess -------------------------------------------


def test_the_enums_store_the_same_strings_as_before(app, make_item):
    from sqlalchemy import text

    from wijk.models import ITEM_CLASSES, ItemKind, ItemStatus, SignUpStatus

    activity = make_item("activity", signups_enabled=True)
    db.session.add(
        SignUp(
            activity_id=activity.id,
            name="Fatima",
            email="f@example.org",
            status=SignUpStatus.WAITING,
        )
    )
    db.session.commit()
    stored = db.session.execute(
        text(
            "SELECT item.kind, item.status, signup.status FROM item "
            "JOIN signup ON signup.activity_id = item.id"
        )
    ).one()
    assert tuple(stored) == ("activity", "published", "waiting")
    assert set(ITEM_CLASSES) == set(ItemKind)
    assert {m.value for m in ItemStatus} == {"published", "hidden", "held", "suspended"}
    assert {m.value for m in SignUpStatus} == {"confirmed", "waiting", "cancelled"}
