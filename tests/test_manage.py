"""Neighbourhood managers act inside their own neighbourhoods only: the queue, hiding and
restoring with a reason, improving an item with a kept revision, reports, and an audit
entry for each step and for every refused attempt on another neighbourhood."""

from __future__ import annotations

from datetime import timedelta

import pytest
from manage_fixtures import audit_count, login
from sqlalchemy import func, select

from wijk.extensions import db
from wijk.models import AuditEntry, ItemRevision, Newsletter, OutboxMessage, Report
from wijk.models.base import utcnow


@pytest.fixture
def two_neighbourhoods(make_neighbourhood, make_manager, make_user, make_item):
    """Neighbourhood A with manager A, neighbourhood B with manager B, an item in each."""
    a, b = make_neighbourhood("Lombok"), make_neighbourhood("Ondiep")
    author_a = make_user("Anna de Boer", "anna@example.org")
    author_b = make_user("Bram Smit", "bram@example.org")
    return {
        "a": a,
        "b": b,
        "manager_a": make_manager(a, name="Mirjam Beheer"),
        "manager_b": make_manager(b, name="Bert Beheer"),
        "item_a": make_item("activity", owner=author_a, neighbourhood=a, title="Buurtsoep"),
        "item_b": make_item(
            "offer",
            owner=author_b,
            neighbourhood=b,
            title="Ladder te leen",
            contact_phone="06 1111 2222",
        ),
        "author_a": author_a,
        "author_b": author_b,
    }


def manager_routes(app):
    """Every route of the manager area, as (method, rule, endpoint)."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/beheer/<slug>"):
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield method, rule, rule.endpoint


def test_each_route_of_b_answers_manager_a_with_403(app, client, two_neighbourhoods):
    s = two_neighbourhoods
    newsletter_b = Newsletter(
        neighbourhood_id=s["b"].id,
        author_id=s["manager_b"].id,
        subject="Nieuws uit Ondiep",
        body_html="<p>Hallo</p>",
        body_text="Hallo",
    )
    db.session.add(newsletter_b)
    db.session.commit()
    login(client, s["manager_a"])
    values = {"slug": s["b"].slug, "item_id": s["item_b"].id, "newsletter_id": newsletter_b.id}
    form = {
        "newsletter_id": newsletter_b.id,
        "reason": "Weg ermee",
        "note": "Klaar",
        "subject": "Gekaapt",
        "body": "Tekst",
        "title": "Gekaapt",
    }
    routes = list(manager_routes(app))
    assert len(routes) >= 17
    for method, rule, endpoint in routes:
        url = rule.build({k: values[k] for k in rule.arguments})[1]
        before = audit_count("access.denied", actor_id=s["manager_a"].id)
        response = client.open(url, method=method, data=form if method == "POST" else None)
        assert response.status_code == 403, (method, url, endpoint)
        assert audit_count("access.denied", actor_id=s["manager_a"].id) == before + 1, endpoint

    db.session.expire_all()
    assert s["item_b"].status == "published" and s["item_b"].title == "Ladder te leen"
    assert newsletter_b.sent_at is None and newsletter_b.subject == "Nieuws uit Ondiep"
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_each_page_of_a_opens_for_manager_a(app, client, two_neighbourhoods):
    s = two_neighbourhoods
    letter = Newsletter(
        neighbourhood_id=s["a"].id, subject="Concept", body_html="<p>Hoi</p>", body_text="Hoi"
    )
    db.session.add(letter)
    db.session.commit()
    login(client, s["manager_a"])
    values = {"slug": s["a"].slug, "item_id": s["item_a"].id, "newsletter_id": letter.id}
    pages = [rule for method, rule, _endpoint in manager_routes(app) if method == "GET"]
    for rule in pages:
        url = rule.build({k: values[k] for k in rule.arguments})[1]
        assert client.get(url).status_code == 200, url
    assert audit_count("access.denied") == 0


@pytest.mark.parametrize("endpoint", ["hide", "restore", "edit", "resolve"])
def test_forged_form_for_an_item_of_b_under_a_gives_403_and_an_audit_entry(
    app, client, two_neighbourhoods, endpoint
):
    s = two_neighbourhoods
    login(client, s["manager_a"])
    path = {
        "hide": "verbergen",
        "restore": "herstellen",
        "edit": "bewerken",
        "resolve": "meldingen",
    }[endpoint]
    response = client.post(
        f"/beheer/{s['a'].slug}/items/{s['item_b'].id}/{path}",
        data={"reason": "Weg", "note": "Klaar", "title": "Gekaapt"},
    )
    assert response.status_code == 403
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "access.denied"))
    assert entry.actor_id == s["manager_a"].id and entry.item_id == s["item_b"].id
    assert entry.neighbourhood_id == s["b"].id and "POST" in entry.detail
    db.session.refresh(s["item_b"])
    assert s["item_b"].status == "published" and s["item_b"].title == "Ladder te leen"


def test_forged_newsletter_id_of_b_is_refused(client, two_neighbourhoods):
    s = two_neighbourhoods
    letter = Newsletter(
        neighbourhood_id=s["b"].id, subject="B", body_html="<p>B</p>", body_text="B"
    )
    db.session.add(letter)
    db.session.commit()
    login(client, s["manager_a"])
    for path in ("versturen", "test", "opslaan"):
        response = client.post(
            f"/beheer/{s['a'].slug}/nieuwsbrieven/{path}",
            data={"newsletter_id": letter.id, "subject": "x", "body": "y"},
        )
        assert response.status_code == 403, path
    assert audit_count("access.denied", neighbourhood_id=s["b"].id) == 3
    db.session.refresh(letter)
    assert letter.sent_at is None and letter.subject == "B"


def test_manager_a_sees_only_a(client, two_neighbourhoods, make_item):
    s = two_neighbourhoods
    db.session.add(Report(item_id=s["item_b"].id, reason="Spam"))
    db.session.commit()
    login(client, s["manager_a"])
    overview = client.get("/beheer").get_data(as_text=True)
    assert "Lombok" in overview and "Ondiep" not in overview
    queue = client.get(f"/beheer/{s['a'].slug}").get_data(as_text=True)
    assert "Buurtsoep" in queue and "Ladder te leen" not in queue


def test_a_resident_cannot_open_the_manager_area(client, auth, make_user, two_neighbourhoods):
    auth.login(make_user())
    assert client.get("/beheer").status_code == 403
    assert client.get(f"/beheer/{two_neighbourhoods['a'].slug}").status_code == 403
    json = client.get("/beheer", headers={"Accept": "application/json"})
    assert json.status_code == 403 and json.get_json() == {"error": "forbidden"}


def test_anonymous_visitors_are_sent_to_log_in(client, two_neighbourhoods):
    response = client.get(f"/beheer/{two_neighbourhoods['a'].slug}")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_admin_moderates_every_neighbourhood(client, make_user, two_neighbourhoods):
    from manage_fixtures import switch_on_totp

    admin = make_user(is_admin=True)
    switch_on_totp(admin)
    login(client, admin)
    assert client.get(f"/beheer/{two_neighbourhoods['b'].slug}").status_code == 200


# --- the queue --------------------------------------------------------------------------


def test_queue_lists_new_and_reported_items_and_forgets_reviewed_ones(
    client, make_item, two_neighbourhoods
):
    s = two_neighbourhoods
    old = make_item("activity", neighbourhood=s["a"], title="Oude rommelmarkt")
    old.created_at = utcnow() - timedelta(days=30)
    db.session.add(Report(item_id=old.id, reason="Dit klopt niet meer"))
    db.session.commit()
    login(client, s["manager_a"])
    html = client.get(f"/beheer/{s['a'].slug}").get_data(as_text=True)
    assert "Buurtsoep" in html and "Oude rommelmarkt" in html  # new, and reported

    client.post(f"/beheer/{s['a'].slug}/beoordeeld")
    assert audit_count("queue.reviewed", neighbourhood_id=s["a"].id) == 1
    html = client.get(f"/beheer/{s['a'].slug}").get_data(as_text=True)
    assert "Buurtsoep" not in html  # reviewed
    assert "Oude rommelmarkt" in html  # its report is still open


# --- one item ---------------------------------------------------------------------------


def test_item_page_shows_the_author_and_audits_the_view(client, two_neighbourhoods):
    s = two_neighbourhoods
    login(client, s["manager_a"])
    html = client.get(f"/beheer/{s['a'].slug}/items/{s['item_a'].id}").get_data(as_text=True)
    assert "Anna de Boer" in html and "anna@example.org" in html
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "author.viewed"))
    assert entry.actor_id == s["manager_a"].id and entry.subject_id == s["author_a"].id
    assert entry.item_id == s["item_a"].id and entry.neighbourhood_id == s["a"].id


def test_hide_needs_a_reason_and_tells_the_author(client, two_neighbourhoods):
    s = two_neighbourhoods
    item = s["item_a"]
    login(client, s["manager_a"])
    url = f"/beheer/{s['a'].slug}/items/{item.id}"
    assert client.post(f"{url}/verbergen", data={"reason": " "}).status_code == 400
    db.session.refresh(item)
    assert item.status == "published"

    response = client.post(f"{url}/verbergen", data={"reason": "Dubbel geplaatst"})
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status == "hidden" and item.moderation_reason == "Dubbel geplaatst"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "moderation_hidden"))
    assert mail.to_addr == "anna@example.org" and "Dubbel geplaatst" in mail.body_text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "item.hidden"))
    assert entry.subject_id == s["author_a"].id and entry.detail == "Dubbel geplaatst"

    # Gone from the public page, and the relay closes with it.
    client.post("/uitloggen")
    assert client.get(f"/activiteit/{item.id}").status_code == 404
    contact = client.post(
        f"/activiteit/{item.id}/contact",
        data={"name": "Vera", "email": "vera@example.net", "message": "Komt dit nog door?"},
    )
    assert contact.status_code in (404, 410)
    assert (
        db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "relay"))
        == 0
    )


def test_restore_makes_it_public_again(client, two_neighbourhoods):
    s = two_neighbourhoods
    item = s["item_a"]
    item.status, item.moderation_reason = "hidden", "Tijdelijk"
    db.session.commit()
    login(client, s["manager_a"])
    client.post(
        f"/beheer/{s['a'].slug}/items/{item.id}/herstellen",
        data={"reason": "Aangepast door de schrijver"},
    )
    db.session.refresh(item)
    assert item.status == "published" and item.moderation_reason is None
    assert audit_count("item.restored", item_id=item.id) == 1
    assert (
        db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "moderation_restored")
        )
        == 1
    )
    assert client.get(f"/activiteit/{item.id}").status_code == 200


def test_edit_keeps_a_revision_and_notifies_the_author(client, two_neighbourhoods):
    s = two_neighbourhoods
    item = s["item_a"]
    item.contact_phone, item.contact_phone_public = "06 9999 0000", False
    db.session.commit()
    login(client, s["manager_a"])
    url = f"/beheer/{s['a'].slug}/items/{item.id}/bewerken"
    form = client.get(url).get_data(as_text=True)
    assert 'name="title"' in form and 'name="contact_phone"' not in form
    data = {
        "title": "Buurtsoep op zaterdag",
        "description": "Iedereen welkom.",
        "starts_at": item.starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": item.ends_at.strftime("%Y-%m-%dT%H:%M"),
        "location_name": "Buurthuis De Linde",
        "note": "Dag toegevoegd",
        # a forged attempt to publish the author's phone and move the item:
        "contact_phone_public": "y",
        "neighbourhood_id": s["b"].id,
    }
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(item)
    assert item.title == "Buurtsoep op zaterdag"
    assert item.contact_phone_public is False and item.neighbourhood_id == s["a"].id
    revision = db.session.scalar(select(ItemRevision))
    assert revision.snapshot["title"] == "Buurtsoep" and revision.note == "Dag toegevoegd"
    assert revision.editor_id == s["manager_a"].id
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "moderation_edited"))
    assert mail.to_addr == "anna@example.org" and "Dag toegevoegd" in mail.body_text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "item.edited"))
    assert entry.subject_id == s["author_a"].id and "title" in entry.detail


def test_an_edit_that_changes_nothing_records_nothing(client, two_neighbourhoods):
    s = two_neighbourhoods
    item = s["item_a"]
    login(client, s["manager_a"])
    url = f"/beheer/{s['a'].slug}/items/{item.id}/bewerken"
    client.post(
        url,
        data={
            "title": item.title,
            "description": "Omschrijving",
            "starts_at": item.starts_at.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": item.ends_at.strftime("%Y-%m-%dT%H:%M"),
            "location_name": item.location_name,
        },
    )
    assert db.session.scalar(select(func.count(ItemRevision.id))) == 0
    assert audit_count("item.edited") == 0


# --- reports ----------------------------------------------------------------------------


def test_anyone_can_report_and_nothing_is_hidden_automatically(client, two_neighbourhoods):
    s = two_neighbourhoods
    item = s["item_a"]
    page = client.get(f"/activiteit/{item.id}").get_data(as_text=True)
    assert f'action="/activiteit/{item.id}/melden"' in page
    response = client.post(f"/activiteit/{item.id}/melden", data={"reason": "Dit is reclame"})
    assert response.status_code == 200 and "<h1>" in response.get_data(as_text=True)
    report = db.session.scalar(select(Report))
    assert report.item_id == item.id and report.reason == "Dit is reclame"
    db.session.refresh(item)
    assert item.status == "published"
    notice = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "report_notice"))
    assert notice.to_addr == s["manager_a"].email  # only the managers of A
    assert f"/beheer/{s['a'].slug}/items/{item.id}" in notice.body_text


def test_a_report_needs_a_reason_and_is_rate_limited(client, two_neighbourhoods):
    item = two_neighbourhoods["item_a"]
    assert client.post(f"/activiteit/{item.id}/melden", data={"reason": ""}).status_code == 400
    statuses = [
        client.post(f"/activiteit/{item.id}/melden", data={"reason": f"Melding {n}"}).status_code
        for n in range(6)
    ]
    assert statuses[-1] == 429
    assert db.session.scalar(select(func.count(Report.id))) == statuses.count(200)


def test_resolving_closes_the_reports_with_a_note(client, two_neighbourhoods):
    s = two_neighbourhoods
    item = s["item_a"]
    db.session.add_all(
        [Report(item_id=item.id, reason="Spam"), Report(item_id=item.id, reason="Reclame")]
    )
    db.session.commit()
    login(client, s["manager_a"])
    client.post(
        f"/beheer/{s['a'].slug}/items/{item.id}/meldingen",
        data={"note": "Gesproken met de schrijver; blijft staan"},
    )
    reports = list(db.session.scalars(select(Report)))
    assert all(r.resolved_at and r.resolved_by_id == s["manager_a"].id for r in reports)
    assert reports[0].resolution == "Gesproken met de schrijver; blijft staan"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reports.resolved"))
    assert entry.item_id == item.id and entry.subject_id == s["author_a"].id


def test_managers_see_a_moderation_link_on_items_of_their_neighbourhood(client, two_neighbourhoods):
    s = two_neighbourhoods
    login(client, s["manager_a"])
    own = client.get(f"/activiteit/{s['item_a'].id}").get_data(as_text=True)
    other = client.get(f"/vraag-aanbod/{s['item_b'].id}").get_data(as_text=True)
    assert f"/beheer/{s['a'].slug}/items/{s['item_a'].id}" in own
    assert "/beheer/" not in other.replace('href="/beheer"', "")


def test_audit_entries_of_a_person_are_one_query(client, two_neighbourhoods):
    """Issue 5's privacy page: everything done with Anna's data, by subject_id."""
    s = two_neighbourhoods
    login(client, s["manager_a"])
    base = f"/beheer/{s['a'].slug}/items/{s['item_a'].id}"
    client.get(base)
    client.post(f"{base}/verbergen", data={"reason": "Dubbel"})
    client.post(f"{base}/herstellen", data={"reason": "Toch niet dubbel"})
    actions = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_id == s["author_a"].id)
            .order_by(AuditEntry.id)
        )
    )
    assert actions == ["author.viewed", "item.hidden", "item.restored"]


def test_one_moderation_shows_one_entry_per_step_on_the_authors_page(client, two_neighbourhoods):
    """The manager opens the item, reloads it, hides it and lands on it again (every step
    redirects back to the item page): Anna's page lists one view and one hide, not one
    "viewed" entry per page load."""
    s = two_neighbourhoods
    login(client, s["manager_a"])
    base = f"/beheer/{s['a'].slug}/items/{s['item_a'].id}"
    client.get(base)
    client.get(base)
    client.post(f"{base}/verbergen", data={"reason": "Dubbel"}, follow_redirects=True)
    client.get(base)
    assert audit_count("author.viewed", subject_id=s["author_a"].id) == 1
    assert audit_count("item.hidden", subject_id=s["author_a"].id) == 1
    client.post("/uitloggen")
    login(client, s["author_a"])
    page = client.get("/mijn/gegevens").get_data(as_text=True)
    access = page.split('id="access"', 1)[1].split("</section>", 1)[0]
    assert access.count("<tr>") == 1 + 2  # the header row, one view, one hide

    # Another manager's look is their own entry: the window is per manager and item.
    other = s["manager_b"]
    other.is_admin = True
    db.session.commit()
    client.post("/uitloggen")
    login(client, other)
    client.get(base)
    assert audit_count("author.viewed", subject_id=s["author_a"].id) == 2
