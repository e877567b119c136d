"""The city level (issue 14): the city page and its feeds list the activities of every
neighbourhood of the city and of no other; city staff moderate in their own city only,
behind two-step login, with the audit the person concerned sees; city news; the city
newsletter reaches the opted-in residents of that city only."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from manage_fixtures import audit_count, login, switch_on_totp
from sqlalchemy import select

from wijk.content.categories import set_categories
from wijk.extensions import db
from wijk.mail.delivery import drain
from wijk.models import (
    AuditEntry,
    CityNews,
    Municipality,
    MunicipalityStaff,
    NewsletterSubscription,
    OutboxMessage,
    User,
)


@pytest.fixture
def cities(make_neighbourhood, make_item, make_user):
    """Utrecht with Lombok and Ondiep, Amersfoort with Vathorst; an activity in each,
    the one in Ondiep in the category sport; staff of Utrecht with TOTP on."""
    lombok = make_neighbourhood("Lombok", postcodes=("3531",))
    ondiep = make_neighbourhood("Ondiep", postcodes=("3552",))
    vathorst = make_neighbourhood("Vathorst", postcodes=("3825",))
    vathorst.city = "Amersfoort"
    for place in (lombok, ondiep, vathorst):
        place.slug = place.name.lower()
    db.session.commit()
    author = make_user(name="Anna Auteur", email="anna@example.org")
    in_lombok = make_item("activity", owner=author, neighbourhood=lombok, title="Soep in Lombok")
    in_ondiep = make_item("activity", owner=author, neighbourhood=ondiep, title="Voetbal Ondiep")
    set_categories(in_ondiep, ["sport"])
    in_vathorst = make_item(
        "activity", owner=author, neighbourhood=vathorst, title="Markt Vathorst"
    )
    db.session.commit()
    staff = make_user(name="Gea Gemeente", email="gemeente@example.org")
    db.session.add(MunicipalityStaff(municipality_id=lombok.municipality_id, user_id=staff.id))
    db.session.commit()
    switch_on_totp(staff)
    return {
        "utrecht": lombok.municipality,
        "amersfoort": vathorst.municipality,
        "lombok": lombok,
        "ondiep": ondiep,
        "vathorst": vathorst,
        "in_lombok": in_lombok,
        "in_ondiep": in_ondiep,
        "in_vathorst": in_vathorst,
        "author": author,
        "staff": staff,
    }


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the city page and its feeds --------------------------------------------------------


def test_city_page_lists_each_of_its_neighbourhoods_activities_and_no_other_city(client, cities):
    page = client.get("/gemeente/utrecht")
    assert page.status_code == 200
    body = text(page)
    assert "Soep in Lombok" in body and "Voetbal Ondiep" in body
    assert "Markt Vathorst" not in body
    assert "/wijk/lombok" in body and "/wijk/ondiep" in body and "/wijk/vathorst" not in body
    assert "/gemeente/utrecht/agenda.ics" in body and "/gemeente/utrecht/feed.atom" in body
    assert "/gemeente/utrecht/zoeken" in body

    other = text(client.get("/gemeente/amersfoort"))
    assert "Markt Vathorst" in other and "Soep in Lombok" not in other


def test_city_ical_and_atom_hold_the_city_and_nothing_else(client, cities):
    calendar = client.get("/gemeente/utrecht/agenda.ics")
    assert calendar.status_code == 200 and calendar.mimetype == "text/calendar"
    ics = text(calendar)
    assert "SUMMARY:Soep in Lombok" in ics and "SUMMARY:Voetbal Ondiep" in ics
    assert "Vathorst" not in ics
    assert (
        calendar.headers["Cache-Control"].startswith("public")
        and "max-age=30" in (calendar.headers["Cache-Control"])
    )
    etag = calendar.headers["ETag"]
    again = client.get("/gemeente/utrecht/agenda.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304

    atom = client.get("/gemeente/utrecht/feed.atom")
    assert atom.status_code == 200 and atom.mimetype == "application/atom+xml"
    feed = text(atom)
    assert "Soep in Lombok" in feed and "Voetbal Ondiep" in feed and "Vathorst" not in feed
    assert client.get("/gemeente/nergens/agenda.ics").status_code == 404
    assert client.get("/gemeente/nergens/feed.atom").status_code == 404


def test_city_page_filters_by_neighbourhood_and_category_without_script(client, cities):
    only_ondiep = text(client.get("/gemeente/utrecht?wijk=ondiep"))
    assert "Voetbal Ondiep" in only_ondiep and "Soep in Lombok" not in only_ondiep
    assert '<option value="ondiep" selected>' in only_ondiep

    sport = text(client.get("/gemeente/utrecht?categorie=sport"))
    assert "Voetbal Ondiep" in sport and "Soep in Lombok" not in sport

    both = text(client.get("/gemeente/utrecht?wijk=lombok&categorie=sport"))
    assert "Voetbal Ondiep" not in both and "Soep in Lombok" not in both


@pytest.mark.parametrize(
    "query",
    [
        "wijk=vathorst",  # a neighbourhood of another city
        "wijk=%00%01<script>",
        "categorie=onzin",
        "categorie=" + "é" * 300,
        "wijk=" + "9" * 40,
    ],
)
def test_a_bad_filter_value_gets_a_clear_message_not_an_error(client, cities, query):
    response = client.get(f"/gemeente/utrecht?{query}")
    assert response.status_code == 400
    body = text(response)
    assert 'role="alert"' in body and "Kies er een uit de lijst." in body
    assert "<script>" not in body


def test_city_agenda_pages_with_a_cursor(app, client, cities, make_item):
    app.config["PAGE_SIZE"] = 2
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=5)
    for n in range(3):
        make_item(
            "activity",
            neighbourhood=cities["lombok"],
            title=f"Later {n}",
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n, hours=1),
        )
    first = text(client.get("/gemeente/utrecht"))
    cursor = re.search(r'href="/gemeente/utrecht\?na=([^"&]+)"', first).group(1)
    second = text(client.get(f"/gemeente/utrecht?na={cursor}"))
    assert "Later 0" in second and "Soep in Lombok" not in second
    assert client.get("/gemeente/utrecht?na=kapot").status_code == 200
    assert client.get("/gemeente/nergens").status_code == 404


def test_city_search_finds_only_the_citys_items(client, cities):
    found = text(client.get("/gemeente/utrecht/zoeken?q=soep"))
    assert "Soep in Lombok" in found
    assert "Markt" not in text(client.get("/gemeente/utrecht/zoeken?q=markt"))
    assert "Markt Vathorst" in text(client.get("/gemeente/amersfoort/zoeken?q=markt"))
    narrowed = text(client.get("/gemeente/utrecht/zoeken?q=soep&wijk=ondiep"))
    assert "Soep in Lombok" not in narrowed


def test_home_groups_neighbourhoods_under_their_city(client, cities):
    body = text(client.get("/"))
    utrecht, amersfoort = (
        body.index('href="/gemeente/utrecht"'),
        body.index('href="/gemeente/amersfoort"'),
    )
    assert amersfoort < body.index("/wijk/vathorst") < utrecht < body.index("/wijk/lombok")
    assert "/gemeente/utrecht" in text(client.get("/sitemap.xml"))


# --- city staff -------------------------------------------------------------------------


def test_city_staff_moderate_in_their_city_and_get_403_elsewhere(client, cities):
    staff, item = cities["staff"], cities["in_ondiep"]
    login(client, staff)
    index = text(client.get("/beheer"))
    assert "/beheer/lombok" in index and "/beheer/ondiep" in index
    assert "/beheer/vathorst" not in index and "/gemeente/utrecht/beheer" in index

    response = client.post(
        f"/beheer/ondiep/items/{item.id}/verbergen", data={"reason": "Dubbel geplaatst"}
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.status == "hidden"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "item.hidden"))
    assert entry.actor_id == staff.id and entry.subject_id == cities["author"].id

    other = cities["in_vathorst"]
    assert client.get("/beheer/vathorst").status_code == 403
    assert client.get(f"/beheer/vathorst/items/{other.id}").status_code == 403
    refused = client.post(f"/beheer/vathorst/items/{other.id}/verbergen", data={"reason": "x"})
    assert refused.status_code == 403
    db.session.refresh(other)
    assert other.status == "published"
    assert client.get("/gemeente/amersfoort/beheer").status_code == 403
    assert audit_count("access.denied", actor_id=staff.id) >= 3

    # The author sees who hid the item, as with a neighbourhood manager.
    client.post("/uitloggen")
    login(client, cities["author"])
    mine = text(client.get("/mijn/gegevens"))
    access = mine[mine.index('id="access"') :]
    assert "Voetbal Ondiep" in access and "medewerker van de gemeente" in access


def test_city_staff_need_two_step_login_first(client, cities, make_user):
    newcomer = make_user(email="nieuw@example.org")
    db.session.add(MunicipalityStaff(municipality_id=cities["utrecht"].id, user_id=newcomer.id))
    db.session.commit()
    login(client, newcomer)
    for url in ("/gemeente/utrecht/beheer", "/beheer/lombok", "/beheer"):
        response = client.get(url)
        assert (
            response.status_code == 302
            and "/code-instellen" in response.headers["Location"]
            or "mfa" in response.headers["Location"]
            or "tweestaps" in response.headers["Location"]
        )


def test_city_news_shows_on_the_city_page_and_its_neighbourhoods_only(client, cities):
    login(client, cities["staff"])
    response = client.post(
        "/gemeente/utrecht/beheer/nieuws",
        data={"title": "Groenbeleid 2027", "body": "Meer bomen in elke wijk."},
    )
    assert response.status_code == 302
    news = db.session.scalar(select(CityNews))
    assert news.municipality_id == cities["utrecht"].id
    client.post("/uitloggen")
    assert "Groenbeleid 2027" in text(client.get("/gemeente/utrecht"))
    lombok = text(client.get("/wijk/lombok"))
    assert "Groenbeleid 2027" in lombok and "city-news" in lombok
    assert "Groenbeleid 2027" not in text(client.get("/wijk/vathorst"))
    page = text(client.get(f"/gemeente/utrecht/nieuws/{news.id}"))
    assert "Meer bomen" in page and "Gea Gemeente" not in page  # signed by the city
    assert client.get(f"/gemeente/amersfoort/nieuws/{news.id}").status_code == 404

    form = client.post(
        "/gemeente/utrecht/beheer/nieuws", data={"title": "", "body": "Tekst blijft staan"}
    )
    assert form.status_code == 302  # logged out: to the login page first
    login(client, cities["staff"])
    form = client.post(
        "/gemeente/utrecht/beheer/nieuws", data={"title": "", "body": "Tekst blijft staan"}
    )
    assert form.status_code == 400 and "Tekst blijft staan" in text(form)


# --- the city newsletter ----------------------------------------------------------------


def test_city_newsletter_reaches_the_opted_in_residents_of_that_city_only(
    app, client, cities, make_user, subscribe, smtp_server
):
    in_city = make_user(email="stad@example.org")
    neighbourhood_only = make_user(email="wijk@example.org")
    other_city = make_user(email="amersfoort@example.org")
    subscribe(neighbourhood_only, cities["lombok"])
    db.session.add(
        NewsletterSubscription(
            user_id=other_city.id, municipality_id=cities["amersfoort"].id, source="city"
        )
    )
    db.session.commit()

    login(client, in_city)  # an account opts in on the city page at once
    assert client.post("/gemeente/utrecht/nieuwsbrief").status_code == 302
    client.post("/uitloggen")
    # An address alone: double opt-in.
    sent = client.post("/gemeente/utrecht/nieuwsbrief", data={"email": "Los@Example.org"})
    assert sent.status_code == 200
    confirm = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "newsletter_confirm")
    )
    assert "Utrecht" in confirm.body_text
    link = re.search(r"http://localhost(/nieuwsbrief/bevestigen/\S+)", confirm.body_text).group(1)
    assert client.post(link).status_code == 200
    pending = client.post("/gemeente/utrecht/nieuwsbrief", data={"email": "nooit@example.org"})
    assert pending.status_code == 200  # never confirmed: never receives anything

    login(client, cities["staff"])
    saved = client.post(
        "/gemeente/utrecht/beheer/nieuwsbrieven/opslaan",
        data={"subject": "Stadsnieuws", "body": "Beste Utrechters,\n\nTot ziens!"},
    )
    assert saved.status_code == 302
    letter_id = int(re.search(r"/nieuwsbrieven/(\d+)", saved.headers["Location"]).group(1))
    preview = client.get(f"/gemeente/utrecht/beheer/nieuwsbrieven/{letter_id}")
    assert preview.status_code == 200 and "Beste Utrechters" in text(preview)
    ask = client.post(
        "/gemeente/utrecht/beheer/nieuwsbrieven/versturen", data={"newsletter_id": letter_id}
    )
    assert ask.status_code == 200 and "2" in text(ask)  # names the number first
    assert (
        smtp_server.messages == []
        and not db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "newsletter")
        ).all()
    )
    done = client.post(
        "/gemeente/utrecht/beheer/nieuwsbrieven/versturen",
        data={"newsletter_id": letter_id, "confirmed": "1"},
    )
    assert done.status_code == 302
    drain(app)
    received = {
        m.rcpt_tos[0]: m.message
        for m in smtp_server.messages
        if "Stadsnieuws" in m.message["Subject"]  # not the confirmation mails
    }
    assert set(received) == {"stad@example.org", "los@example.org"}
    mail = received["stad@example.org"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # One click, no login: the person no longer receives it.
    client.post("/uitloggen")
    path = re.search(r"<http://localhost([^>]+)>", mail["List-Unsubscribe"]).group(1)
    assert client.post(path).status_code == 200
    row = db.session.scalar(
        select(NewsletterSubscription).where(NewsletterSubscription.user_id == in_city.id)
    )
    db.session.refresh(row)
    assert row.withdrawn_at is not None and row.municipality_id == cities["utrecht"].id

    # The public archive of the city, and not of the other city.
    archive = text(client.get("/gemeente/utrecht/nieuwsbrieven"))
    assert "Stadsnieuws" in archive
    assert client.get(f"/gemeente/utrecht/nieuwsbrieven/{letter_id}").status_code == 200
    assert client.get(f"/gemeente/amersfoort/nieuwsbrieven/{letter_id}").status_code == 404
    assert client.get(f"/wijk/lombok/nieuwsbrieven/{letter_id}").status_code == 404


def test_staff_of_another_city_cannot_touch_this_citys_newsletter(client, cities, make_user):
    outsider = make_user(email="buiten@example.org")
    db.session.add(MunicipalityStaff(municipality_id=cities["amersfoort"].id, user_id=outsider.id))
    db.session.commit()
    switch_on_totp(outsider)
    login(client, outsider)
    assert client.get("/gemeente/utrecht/beheer/nieuwsbrieven").status_code == 403
    assert client.get("/gemeente/amersfoort/beheer/nieuwsbrieven").status_code == 200
    # A forged form naming another city's newsletter: not found in this city.
    client.post("/uitloggen")
    login(client, cities["staff"])
    saved = client.post(
        "/gemeente/utrecht/beheer/nieuwsbrieven/opslaan",
        data={"subject": "Alleen Utrecht", "body": "Tekst"},
    )
    letter_id = int(re.search(r"/nieuwsbrieven/(\d+)", saved.headers["Location"]).group(1))
    client.post("/uitloggen")
    login(client, outsider)
    forged = client.post(
        "/gemeente/amersfoort/beheer/nieuwsbrieven/versturen",
        data={"newsletter_id": letter_id, "confirmed": "1"},
    )
    assert forged.status_code == 404


def test_city_opt_ins_show_in_my_data_the_export_and_the_account_page(client, cities, make_user):
    resident = make_user(email="bewoner@example.org")
    login(client, resident)
    client.post("/gemeente/utrecht/nieuwsbrief")
    mine = text(client.get("/mijn/gegevens"))
    assert "Utrecht" in mine
    export = client.post("/mijn/gegevens/export")
    assert export.status_code == 200
    import io
    import json
    import zipfile

    data = json.loads(zipfile.ZipFile(io.BytesIO(export.data)).read("data.json"))
    rows = data["newsletter_subscriptions"]
    assert rows[0]["municipality"] == "Utrecht" and rows[0]["neighbourhood"] is None

    account = text(client.get("/account"))
    assert f'name="municipality" value="{cities["utrecht"].id}"' in account
    # Unticking on the account page withdraws; the neighbourhood boxes are untouched.
    client.post("/account/nieuwsbrieven", data={"cities_shown": "1"})
    row = db.session.scalar(select(NewsletterSubscription))
    db.session.refresh(row)
    assert row.withdrawn_at is not None


# --- admin ------------------------------------------------------------------------------


def test_admin_appoints_and_removes_city_staff_with_an_audit_entry(client, cities, make_user):
    admin = make_user(email="beheer@example.org", is_admin=True)
    switch_on_totp(admin)
    person = make_user(name="Wim Wijkteam", email="wim@example.org")
    login(client, admin)
    page = client.get("/admin/gemeenten/utrecht")
    assert page.status_code == 200 and "Gea Gemeente" in text(page)
    unknown = client.post(
        "/admin/gemeenten/utrecht/medewerkers", data={"email": "niemand@example.org"}
    )
    assert unknown.status_code == 400 and "niemand@example.org" in text(unknown)
    added = client.post("/admin/gemeenten/utrecht/medewerkers", data={"email": "WIM@example.org"})
    assert added.status_code == 302
    assert db.session.get(MunicipalityStaff, (cities["utrecht"].id, person.id)) is not None
    assert audit_count("city_staff.appointed", subject_id=person.id) == 1
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "city_staff_appointed")
    )
    assert mail.to_addr == "wim@example.org"

    removed = client.post(
        "/admin/gemeenten/utrecht/medewerkers/verwijderen", data={"user_id": str(person.id)}
    )
    assert removed.status_code == 302
    assert db.session.get(MunicipalityStaff, (cities["utrecht"].id, person.id)) is None
    assert audit_count("city_staff.removed", subject_id=person.id) == 1
    huge = client.post(
        "/admin/gemeenten/utrecht/medewerkers/verwijderen", data={"user_id": "9" * 30}
    )
    assert huge.status_code == 302

    described = client.post("/admin/gemeenten/utrecht", data={"description": "De stad van de Dom."})
    assert described.status_code == 302
    assert "De stad van de Dom." in text(client.get("/gemeente/utrecht"))


def test_admin_neighbourhood_form_offers_cities_and_makes_a_new_one(client, cities, make_user):
    admin = make_user(email="beheer@example.org", is_admin=True)
    switch_on_totp(admin)
    login(client, admin)
    form = text(client.get("/admin/wijken/nieuw"))
    assert '<datalist id="municipality-names">' in form and '<option value="Amersfoort">' in form
    response = client.post(
        "/admin/wijken/nieuw",
        data={"name": "Centrum", "slug": "centrum-zeist", "city": "Zeist", "postcodes": "3701"},
    )
    assert response.status_code == 302
    zeist = Municipality.by_slug("zeist")
    assert zeist is not None and [n.slug for n in zeist.neighbourhoods] == ["centrum-zeist"]
    assert client.get("/gemeente/zeist").status_code == 200
    assert db.session.scalar(select(User).where(User.email == "beheer@example.org")).is_admin


# --- retention and restore treat city opt-ins like the neighbourhood ones ---------------


def test_an_unconfirmed_city_opt_in_is_erased_by_the_purge(app, cities):
    from wijk.models.base import utcnow
    from wijk.privacy.retention import purge

    old = utcnow() - timedelta(days=8)
    db.session.add_all(
        [
            NewsletterSubscription(
                municipality_id=cities["utrecht"].id,
                email="nooit@example.org",
                source="email",
                subscribed_at=old,
            ),
            NewsletterSubscription(
                municipality_id=cities["utrecht"].id,
                email="wel@example.org",
                source="email",
                subscribed_at=old,
                confirmed_at=old,
            ),
        ]
    )
    db.session.commit()
    purge(utcnow())
    left = db.session.scalars(select(NewsletterSubscription.email)).all()
    assert left == ["wel@example.org"]


def test_a_restored_backup_withdraws_a_city_opt_in_again(app, cities, make_user, subscribe):
    from wijk import ledger
    from wijk.backup.replay import apply
    from wijk.models import ErasureRecord
    from wijk.newsletters.subscriptions import subscribe_to, withdraw_from

    person = make_user()
    subscribe(person, cities["lombok"])
    subscribe_to(person, cities["utrecht"], "city")
    db.session.commit()
    withdraw_from(person.id, cities["utrecht"])
    db.session.commit()
    record = db.session.scalar(select(ErasureRecord).where(ErasureRecord.kind == ledger.NEWSLETTER))
    assert record.detail == {"municipality": cities["utrecht"].id}
    # As if the backup predates the withdrawal: the opt-in is active again.
    row = db.session.scalar(
        select(NewsletterSubscription).where(NewsletterSubscription.municipality_id.is_not(None))
    )
    row.withdrawn_at = None
    db.session.commit()
    apply([record], record.recorded_at)
    db.session.commit()
    rows = {
        (r.neighbourhood_id, r.municipality_id): r.withdrawn_at
        for r in db.session.scalars(select(NewsletterSubscription))
    }
    assert rows[(None, cities["utrecht"].id)] is not None
    assert rows[(cities["lombok"].id, None)] is None  # the neighbourhood one stays


@pytest.mark.parametrize("value", ["9" * 30, "-1", "abc", "١٢"])
def test_a_forged_newsletter_id_is_a_404_not_a_500(client, cities, value):
    login(client, cities["staff"])
    response = client.post(
        "/gemeente/utrecht/beheer/nieuwsbrieven/versturen",
        data={"newsletter_id": value, "confirmed": "1"},
    )
    assert response.status_code == 404


def test_two_city_names_that_make_one_slug_get_two_pages(app):
    first = Municipality.named("Den Haag")
    second = Municipality.named("Den-Haag")
    db.session.commit()
    assert (first.slug, second.slug) == ("den-haag", "den-haag-2")
    assert Municipality.named("Den Haag") is first
