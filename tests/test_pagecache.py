"""Public pages are cached for anonymous visitors, and the cache never outlives a change:
a field switched to hidden disappears at once, whichever way the database was written."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from flask import g, request_started
from sqlalchemy import delete, event, update

from wijk import create_app, pagecache
from wijk.clock import local_now, local_zone
from wijk.extensions import db
from wijk.models import Item, PageVersion


def statements_during(fn) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_repeated_anonymous_page_is_served_from_memory_with_an_etag(client, make_item):
    item = make_item("activity", title="Buurtsoep")
    first = client.get(f"/wijk/{item.neighbourhood.slug}")
    assert first.status_code == 200 and first.headers["ETag"]
    queries = statements_during(lambda: client.get(f"/wijk/{item.neighbourhood.slug}"))
    assert queries == 1  # only the content version
    again = client.get(
        f"/wijk/{item.neighbourhood.slug}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_an_anonymous_cached_page_opens_no_orm_session(_schema, tmp_path, make_item):
    """Its one statement (the versions) runs on a connection from the pool: an ORM
    session's set-up and teardown cost more than the statement. (Another app, so that
    each request has its own app context and session, as in production.)"""
    from conftest import base_config
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    served = create_app(base_config(_schema[0], str(tmp_path)))
    request_started.connect(lambda sender, **extra: g.__dict__.clear(), served, weak=False)
    client = served.test_client()
    client.get(url)  # rendered and stored
    begun: list[int] = []
    sent: list[str] = []

    def note_begin(*_args) -> None:
        begun.append(1)

    def note_statement(conn, cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(Session, "after_begin", note_begin)
    event.listen(Engine, "before_cursor_execute", note_statement)
    try:
        html = client.get(url).get_data(as_text=True)
    finally:
        event.remove(Session, "after_begin", note_begin)
        event.remove(Engine, "before_cursor_execute", note_statement)
    assert "Buurtsoep" in html
    assert len(sent) == 1 and "page_version" in sent[0]
    assert begun == []


def test_a_field_switched_hidden_disappears_at_once(client, auth, make_item, make_user):
    owner = make_user()
    item = make_item("activity", owner=owner, contact_phone="0655544433", contact_phone_public=True)
    url = f"/activiteit/{item.id}"
    assert "0655544433" in client.get(url).get_data(as_text=True)  # cached now
    auth.login(owner)
    client.post(f"{url}/zichtbaarheid", data={"field": "contact_phone", "public": "0"})
    auth.logout()
    assert "0655544433" not in client.get(url).get_data(as_text=True)


def test_bulk_statements_invalidate_too(client, make_item):
    item = make_item("offer", title="Oude titel")
    url = f"/vraag-aanbod/{item.id}"
    assert "Oude titel" in client.get(url).get_data(as_text=True)
    db.session.execute(update(Item).where(Item.id == item.id).values(status="hidden"))
    db.session.commit()
    assert client.get(url).status_code == 404


def test_an_owner_never_gets_the_cached_public_page(client, auth, make_item, make_user):
    owner = make_user()
    item = make_item("activity", owner=owner, contact_phone="0611122233")
    url = f"/activiteit/{item.id}"
    assert "0611122233" not in client.get(url).get_data(as_text=True)  # cached, public
    auth.login(owner)
    assert "0611122233" in client.get(url).get_data(as_text=True)  # the owner's own view


def test_each_visitor_gets_their_own_csrf_token_on_a_cached_page(_schema, tmp_path, make_item):
    url, _ = _schema
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "cache",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": True,
        }
    )
    # As in production, each request gets a fresh g (the token is cached there).
    request_started.connect(lambda sender, **extra: g.__dict__.clear(), app, weak=False)
    with app.app_context():
        item = make_item("activity")
        page = f"/activiteit/{item.id}"
        for visitor in (app.test_client(), app.test_client()):  # the second gets the cache
            html = visitor.get(page).get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
            response = visitor.post(
                f"{page}/contact",
                data={
                    "csrf_token": token,
                    "name": "Vera",
                    "email": "vera@example.net",
                    "message": "Is er nog plek?",
                },
            )
            assert response.status_code == 302
        # The follow and newsletter boxes are per-visitor fragments, kept per process
        # for anonymous visitors: still each visitor's own token in each of them.
        tokens = []
        for visitor in (app.test_client(), app.test_client()):
            html = visitor.get(f"/wijk/{item.neighbourhood.slug}").get_data(as_text=True)
            found = set(re.findall(r'name="csrf_token" value="([^"]*)"', html))
            assert len(found) == 1 and "\x00" not in html
            tokens.append(found.pop())
        assert tokens[0] != tokens[1]
        db.session.remove()
        db.engine.dispose()


def test_a_flash_message_is_shown_and_not_cached(client, make_item):
    item = make_item("activity")
    url = f"/activiteit/{item.id}"
    client.get(url)
    response = client.post(
        f"{url}/contact",
        data={"name": "Vera", "email": "vera@example.net", "message": "Is er nog plek?"},
    )
    assert "bericht is verstuurd" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "bericht is verstuurd" not in client.get(url).get_data(as_text=True)


def test_an_uncached_error_page_still_gets_a_real_token(client):
    html = client.get("/activiteit/999999").get_data(as_text=True)
    assert "\x00" not in html
    assert re.search(r'name="csrf_token" value="[^"\x00]+"', html)


def agenda_read_during(fn) -> bool:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return any("activity_occurrence" in statement for statement in seen)


def test_a_resident_gets_the_cached_page_with_their_own_menu_and_boxes(
    app, client, auth, make_item, make_user
):
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    anonymous = client.get(url).get_data(as_text=True)  # rendered and stored
    assert "Inloggen" in anonymous and "Uitloggen" not in anonymous

    auth.login(make_user(name="Vera Resident"))
    page: list = []
    assert not agenda_read_during(lambda: page.append(client.get(url)))  # from the cache
    html = page[0].get_data(as_text=True)
    assert "Buurtsoep" in html and "Uitloggen" in html and "Inloggen" not in html
    assert "adres van je account" in html  # the newsletter box for an account
    assert "\x00" not in html
    assert re.search(r'name="csrf_token" value="[^"\x00]+"', html)

    other = app.test_client()
    html = other.get(url).get_data(as_text=True)
    assert "Uitloggen" not in html and "adres van je account" not in html


def test_a_residents_fragments_share_one_run_of_the_context_processors(
    app, client, auth, make_item, make_user, monkeypatch
):
    """A cached page has up to four fragments for a logged-in visitor; the context
    processors give each the same values, so they run once per request, not per
    fragment."""
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    client.get(url)  # rendered and stored
    auth.login(make_user(name="Vera Resident"))
    runs: list[int] = []
    update = app.update_template_context
    monkeypatch.setattr(
        app, "update_template_context", lambda context: runs.append(1) or update(context)
    )
    html = client.get(url).get_data(as_text=True)
    assert "Uitloggen" in html and "adres van je account" in html  # the fragments are there
    assert len(runs) == 1


def test_a_page_a_resident_rendered_is_stored_without_their_parts(
    app, client, auth, make_item, make_user
):
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    auth.login(make_user(name="Vera Resident"))
    assert "Uitloggen" in client.get(url).get_data(as_text=True)  # rendered and stored
    other = app.test_client()
    page: list = []
    assert not agenda_read_during(lambda: page.append(other.get(url)))
    html = page[0].get_data(as_text=True)
    assert "Buurtsoep" in html and "Inloggen" in html and "Uitloggen" not in html


def test_the_buttons_to_post_follow_the_visitor_not_the_cached_page(
    app, client, auth, make_item, make_user
):
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    post = f"/plaatsen/activiteit?wijk={item.neighbourhood.slug}"
    auth.login(make_user(name="Vera Resident"))  # verified: may post
    assert post in client.get(url).get_data(as_text=True)  # rendered and stored
    other = app.test_client()
    page: list = []
    assert not agenda_read_during(lambda: page.append(other.get(url)))  # from the cache
    assert post not in page[0].get_data(as_text=True)
    assert post in client.get(url).get_data(as_text=True)  # and back for the resident


def test_people_who_see_more_never_get_or_fill_a_shared_entry(
    app, client, auth, make_item, make_user
):
    owner = make_user()
    item = make_item("activity", owner=owner, contact_phone="0611122233")
    url = f"/activiteit/{item.id}"
    auth.login(owner)
    assert "0611122233" in client.get(url).get_data(as_text=True)  # their own view
    assert agenda_read_during(lambda: client.get(f"/wijk/{item.neighbourhood.slug}"))
    auth.logout()
    assert "0611122233" not in app.test_client().get(url).get_data(as_text=True)


def test_versions_that_start_over_never_make_an_old_page_current(app, client, make_item):
    """Emptied version rows (tables emptied, an old backup) must never make a page
    cached before look current again, however many changes follow."""
    item = make_item("offer", title="Versie 0")
    url = f"/vraag-aanbod/{item.id}"
    assert "Versie 0" in client.get(url).get_data(as_text=True)  # cached
    raw = app.extensions["wijk_page_cache"].get(f"{pagecache.FORMAT}|nl|{url}?")
    stored = json.loads(raw.partition(b"\n")[0])["v"]
    scope = pagecache.neighbourhood_scope(item.neighbourhood_id)
    db.session.execute(delete(PageVersion))
    db.session.commit()
    title = "Versie 0"
    for n in range(1, 11):  # were versions counted, they would meet the stored ones again
        now = pagecache.versions()
        if now.get(scope, 0) < stored[scope]:
            item.title = title = f"Versie {n}"  # through the ORM: the item's scopes
            db.session.commit()
        if now.get(pagecache.ALL, 0) < stored[pagecache.ALL]:
            title = f"Versie {n}b"  # a bulk statement: every page
            db.session.execute(update(Item).where(Item.title != title).values(title=title))
            db.session.commit()
        if pagecache.versions() == {**pagecache.versions(), **stored}:
            break
    assert title in client.get(url).get_data(as_text=True)


def test_someone_with_items_of_their_own_shares_pages_that_show_none_of_them(
    app, client, auth, make_item, make_user
):
    owner = make_user(name="Vera Organiser")
    own = make_item("activity", owner=owner, contact_phone="0611122233")
    elsewhere = make_item("activity", title="Buurtsoep")  # another neighbourhood
    url = f"/wijk/{elsewhere.neighbourhood.slug}"
    app.test_client().get(url)  # rendered and stored by an anonymous visitor

    auth.login(owner)
    page: list = []
    assert not agenda_read_during(lambda: page.append(client.get(url)))  # the shared entry
    html = page[0].get_data(as_text=True)
    assert "Buurtsoep" in html and "Uitloggen" in html and "\x00" not in html

    # The page of their own neighbourhood lists their item: never the shared entry,
    # whoever stored it, and their render (with the hidden phone) is stored for no one.
    mine = f"/wijk/{own.neighbourhood.slug}"
    app.test_client().get(mine)
    assert agenda_read_during(lambda: client.get(mine))
    assert "0611122233" in client.get(f"/activiteit/{own.id}").get_data(as_text=True)
    for visitor in (app.test_client(), app.test_client()):
        assert "0611122233" not in visitor.get(f"/activiteit/{own.id}").get_data(as_text=True)


def test_a_page_an_owner_rendered_without_their_items_serves_everyone(
    app, client, auth, make_item, make_user
):
    owner = make_user()
    make_item("activity", owner=owner)
    elsewhere = make_item("activity", title="Buurtsoep")
    url = f"/activiteit/{elsewhere.id}"
    auth.login(owner)
    assert "Buurtsoep" in client.get(url).get_data(as_text=True)  # rendered and stored
    other = app.test_client()
    page: list = []
    assert not agenda_read_during(lambda: page.append(other.get(url)))
    assert "Inloggen" in page[0].get_data(as_text=True)


def stored_header(app, url: str) -> dict:
    raw = app.extensions["wijk_page_cache"].get(f"{pagecache.FORMAT}|nl|{url}?")
    return json.loads(raw.partition(b"\n")[0])


def test_a_page_is_not_served_after_a_date_it_shows_is_over(app, client, make_item, monkeypatch):
    soon = local_now() + timedelta(minutes=5)  # (the whole test stays within MAX_AGE)
    item = make_item("activity", starts_at=soon, ends_at=soon + timedelta(minutes=20))
    url = f"/wijk/{item.neighbourhood.slug}"
    client.get(url)  # stored
    header = stored_header(app, url)
    midnight = datetime.combine(local_now().date() + timedelta(days=1), datetime.min.time())
    over = min(soon + timedelta(minutes=20), midnight).replace(tzinfo=local_zone()).timestamp()
    assert header["x"] == over  # the first moment time alone changes the page
    monkeypatch.setattr(pagecache.time, "time", lambda: over - 1)  # started, not over
    assert not agenda_read_during(lambda: client.get(url))
    monkeypatch.setattr(pagecache.time, "time", lambda: over + 1)
    assert agenda_read_during(lambda: client.get(url))  # rendered again


def test_a_page_without_dates_is_served_until_midnight_at_most(app, client, make_item):
    item = make_item("offer", title="Ladder te leen")
    url = f"/vraag-aanbod/{item.id}"
    client.get(url)
    header = stored_header(app, url)
    midnight = datetime.combine(local_now().date() + timedelta(days=1), datetime.min.time())
    assert header["x"] == midnight.replace(tzinfo=local_zone()).timestamp()


def test_an_entry_an_older_release_stored_is_rendered_over_not_an_error(app, client, make_item):
    """The store outlives a deploy (Redis, the file): entries of another layout, or
    damaged ones, are a miss."""
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    store = app.extensions["wijk_page_cache"]
    old = json.dumps({"v": {"all": 1}, "e": "x", "m": "text/html", "p": []}).encode()
    for raw in (old + b"\nOude pagina", b"\xff\xfe not json\nOude pagina"):
        store.put(f"{pagecache.FORMAT}|nl|{url}?", raw)
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Buurtsoep" in html and "Oude pagina" not in html


def test_an_anonymous_fragment_is_kept_once_for_every_page_and_names_its_own(
    app, client, make_item
):
    """The fragments an anonymous visitor gets are kept per process without the page's
    path (it was a copy of each fragment per URL of the site); the follow box's `next`
    is still the page it is on."""
    first, second = make_item("activity"), make_item("activity")
    pagecache._ANONYMOUS_PARTS.clear()
    for url in (
        "/",
        f"/wijk/{first.neighbourhood.slug}",
        f"/activiteit/{first.id}",
        f"/activiteit/{second.id}",
        f"/wijk/{second.neighbourhood.slug}",
    ):
        assert client.get(url).status_code == 200
    menus = [key for key in pagecache._ANONYMOUS_PARTS if key[0] == "_personal/account_nav.html"]
    assert len(menus) == 1
    for item in (first, second):
        path = f"/wijk/{item.neighbourhood.slug}"
        html = client.get(path + "?x=1").get_data(as_text=True)
        assert f'name="next" value="{path}"' in html
        assert pagecache.PATH_PLACEHOLDER not in html


def test_the_path_in_a_kept_fragment_is_escaped(app):
    with app.test_request_context('/wijk/x"<b>'):
        html = pagecache._part(
            "follows/_follow_box.html", {"follow_key": "neighbourhood:1", "follow_name": "X"}
        )
    assert 'name="next" value="/wijk/x&#34;&lt;b&gt;"' in html
