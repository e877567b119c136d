"""Follow and digest (issue 13): follow a neighbourhood, an organisation or a category
with an account or with only a confirmed address; one digest per follower and period,
built through the gate (public fields only), in the follower's language, with one-click
stop and no tracking; `flask digests` is idempotent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from manage_fixtures import login
from sqlalchemy import func, select

from wijk.clock import local_now
from wijk.content.categories import set_categories
from wijk.extensions import db
from wijk.follows.digest import period_key, send_digests
from wijk.mail.delivery import drain
from wijk.models import DigestStamp, Follow, Follower, OutboxMessage
from wijk.models.base import utcnow
from wijk.privacy.retention import purge


def digests() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "digest").order_by(OutboxMessage.id)
        )
    )


def run(app, now: datetime) -> dict[str, int]:
    with app.test_request_context():  # links in the mail, as `flask digests` provides
        return send_digests(now)


def follow_by_mail(
    app, client, smtp_server, target: str, email: str, frequency: str = "weekly"
) -> None:
    """Follow with only an address, and confirm through the mail that went over SMTP."""
    smtp_server.clear()
    response = client.post(
        "/volgen", data={"target": target, "email": email, "frequency": frequency}
    )
    assert response.status_code == 200
    drain(app)
    [mail] = smtp_server.messages
    text = mail.message.get_body(("plain",)).get_content()
    [link] = re.findall(r"https?://\S+/volgen/bevestigen/\S+", text)
    assert client.post(link.split("localhost", 1)[1]).status_code == 200


def test_a_follower_by_mail_gets_exactly_one_digest_per_period_with_only_public_fields(
    app, client, make_neighbourhood, make_item, smtp_server
):
    place = make_neighbourhood("Lombok")
    follow_by_mail(app, client, smtp_server, f"neighbourhood:{place.id}", "buur@example.org")
    [row] = db.session.scalars(select(Follow))
    assert row.confirmed_at is not None and row.frequency == "weekly"

    make_item(
        "activity",
        neighbourhood=place,
        title="Buurtsoep",
        contact_name="Truus",
        contact_phone="0612345678",
        contact_email="truus@example.org",
        address="Lindelaan 4",
        address_public=False,
        contact_name_public=True,
    )
    make_item("offer", neighbourhood=place, title="Ladder te leen")
    make_item("activity", neighbourhood=place, title="Verborgen feest", status="hidden")
    make_item("activity", neighbourhood=make_neighbourhood(), title="Andere wijk")

    now = utcnow() + timedelta(minutes=1)
    assert run(app, now)["weekly"] == 1
    assert run(app, now)["weekly"] == 0  # the same period again: nothing
    assert run(app, now + timedelta(hours=3))["weekly"] == 0
    [mail] = digests()
    assert mail.to_addr == "buur@example.org"
    for shown in ("Buurtsoep", "Ladder te leen", "Deze week nieuw op Wijk"):
        assert shown in mail.body_text and shown in mail.body_html
    for hidden in (
        "Verborgen feest",
        "Andere wijk",
        "0612345678",
        "truus@example.org",
        "Lindelaan",
        "Truus",
    ):
        assert hidden not in mail.body_text and hidden not in mail.body_html
    assert "<img" not in mail.body_html  # no tracking pixel
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Next week: only what is new since the last digest.
    start = local_now().replace(second=0, microsecond=0) + timedelta(days=10)
    make_item(
        "activity",
        neighbourhood=place,
        title="Wandeling",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        created_at=utcnow() + timedelta(days=2),
    )
    later = utcnow() + timedelta(weeks=1)
    assert period_key("weekly", later) != period_key("weekly", now)
    assert run(app, later)["weekly"] == 1
    second = digests()[-1]
    assert "Wandeling" in second.body_text and "Buurtsoep" not in second.body_text
    assert db.session.scalar(select(func.count()).select_from(DigestStamp)) == 2

    # One click stops it, without a session or CSRF token.
    link = second.headers["List-Unsubscribe"].strip("<>")
    assert app.test_client().post(link.split("localhost", 1)[1]).status_code == 200
    assert db.session.scalar(select(func.count(Follower.id))) == 0
    assert run(app, utcnow() + timedelta(weeks=2))["weekly"] == 0


def test_an_unconfirmed_follow_gets_nothing_and_is_erased_after_7_days(
    app, client, make_neighbourhood, make_item
):
    place = make_neighbourhood()
    client.post(
        "/volgen",
        data={
            "target": f"neighbourhood:{place.id}",
            "email": "buur@example.org",
            "frequency": "daily",
        },
    )
    make_item("activity", neighbourhood=place)
    assert run(app, utcnow() + timedelta(minutes=1)) == {"daily": 0, "weekly": 0}
    assert purge(utcnow() + timedelta(days=7, minutes=1))["unconfirmed_follow"] == 1
    assert db.session.scalar(select(func.count(Follower.id))) == 0


def test_an_account_follows_an_organisation_daily_in_its_own_language(
    app, client, make_user, make_item, make_neighbourhood
):
    place = make_neighbourhood()
    organisation = make_item("organisation", neighbourhood=place, title="Buurthuis")
    reader = make_user(email="reader@example.org")
    reader.locale = "en"
    db.session.commit()
    login(client, reader)
    page = client.get(f"/organisatie/{organisation.id}").get_data(as_text=True)
    assert f'value="organisation:{organisation.id}"' in page
    response = client.post(
        "/volgen", data={"target": f"organisation:{organisation.id}", "frequency": "daily"}
    )
    assert response.status_code == 302
    make_item("activity", neighbourhood=place, organisation=organisation, title="Koffie-ochtend")
    make_item("activity", neighbourhood=place, title="Niet van hen")
    assert run(app, utcnow() + timedelta(minutes=1))["daily"] == 1
    [mail] = digests()
    assert mail.to_addr == "reader@example.org" and "New on Wijk today" in mail.subject
    assert "Koffie-ochtend" in mail.body_text and "Niet van hen" not in mail.body_text
    mine = client.get("/mijn/gegevens").get_data(as_text=True)
    assert "Buurthuis" in mine


def test_a_category_follow_spans_neighbourhoods(
    app, client, make_item, make_neighbourhood, smtp_server
):
    follow_by_mail(app, client, smtp_server, "category:sport", "sporter@example.org", "daily")
    running = make_item("activity", neighbourhood=make_neighbourhood(), title="Hardlopen")
    set_categories(running, ["sport"])
    make_item("activity", neighbourhood=make_neighbourhood(), title="Breien")
    db.session.commit()
    assert run(app, utcnow() + timedelta(minutes=1))["daily"] == 1
    [mail] = digests()
    assert "Hardlopen" in mail.body_text and "Breien" not in mail.body_text


def test_an_unknown_target_is_refused(client):
    assert (
        client.post(
            "/volgen", data={"target": "neighbourhood:999999", "email": "x@example.org"}
        ).status_code
        == 400
    )
    assert (
        client.post("/volgen", data={"target": "user:1", "email": "x@example.org"}).status_code
        == 400
    )


def test_periods_are_local_days_and_iso_weeks(app):
    late = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # Monday 00:30 in Amsterdam
    assert period_key("daily", late) == "D2026-12-07"
    assert period_key("weekly", late) == "W2026-50"


def test_flask_digests_is_idempotent_from_cron(
    app, runner, make_user, make_neighbourhood, make_item
):
    from wijk.follows.services import follow_as_account, target

    place = make_neighbourhood()
    with app.test_request_context():
        follow_as_account(
            make_user(),
            target(f"neighbourhood:{place.id}"),
            "weekly",
            utcnow() - timedelta(minutes=5),
        )
    make_item("activity", neighbourhood=place, title="Buurtsoep")
    app.config["SERVER_NAME"] = "wijk.example.nl"
    first = runner.invoke(args=["digests"])
    second = runner.invoke(args=["digests"])
    assert first.exit_code == 0 and re.search(r"digest weekly\s+queued\s+1", first.output)
    assert re.search(r"digest weekly\s+queued\s+0", second.output)
    [mail] = digests()
    assert re.search(r"^  https?://wijk\.example\.nl/activiteit/\d+$", mail.body_text, re.M)


def test_what_someone_follows_comes_with_the_statement_every_page_reads(
    app, client, make_user, make_neighbourhood
):
    """A logged-in visitor's follow boxes cost no statement of their own: the targets
    come with the appointments (wijk.security.permissions) in one round trip."""
    from sqlalchemy import event

    place, other = make_neighbourhood(), make_neighbourhood()
    reader = make_user(email="volger@example.org")
    login(client, reader)
    response = client.post("/volgen", data={"target": f"neighbourhood:{place.id}"})
    assert response.status_code == 302
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        followed = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
        not_followed = client.get(f"/wijk/{other.slug}").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert "You follow this" in followed or "Je volgt dit" in followed
    assert f'value="neighbourhood:{other.id}"' in not_followed
    reading_follows = [s for s in seen if "follow" in s and "select" in s]
    assert reading_follows and all("neighbourhood_manager" in s for s in reading_follows)


def test_the_follow_box_asks_what_the_form_that_handles_it_declares(app):
    """The box is plain HTML for speed (templates/follows/_follow_box.html); the fields,
    labels, limits and choices it offers are those of FollowForm, which checks the post."""
    from wtforms.validators import Length

    from wijk import pagecache
    from wijk.follows.forms import FollowForm

    with app.test_request_context("/wijk/x"):
        html = pagecache._part(
            "follows/_follow_box.html", {"follow_key": "neighbourhood:1", "follow_name": "X"}
        )
        form = FollowForm(formdata=None, meta={"csrf": False})
        names = set(re.findall(r'name="(\w+)"', html)) - {"csrf_token", "next"}
        assert names == {field.name for field in form}
        for field in (form.email, form.frequency):
            assert f">{field.label.text}</label>" in html
        [length] = [v for v in form.email.validators if isinstance(v, Length)]
        assert f'maxlength="{length.max}"' in html
        options = re.findall(r'<option (selected )?value="(\w+)">([^<]+)</option>', html)
        assert [(value, label) for _, value, label in options] == [
            (value, str(label)) for value, label in form.frequency.choices
        ]
        assert [value for selected, value, _ in options if selected] == [form.frequency.default]
