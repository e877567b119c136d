"""Two workers sharing one page store (the SQLite file of one machine, or Redis): a page
one worker rendered is served by the other, and a cached public page never shows a
hidden value after the change commits, whichever worker made it. Invalidation follows
what changed: a change in one neighbourhood leaves another's pages cached."""

from __future__ import annotations

import pytest
import redis
from conftest import PASSWORD
from flask import before_render_template
from sqlalchemy import event
from sqlalchemy.engine import Engine

from wijk import create_app
from wijk.extensions import db
from wijk.models import Item, SignUp

REDIS_URL = "redis://127.0.0.1:6379/4"


def redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def statements_during(fn) -> list[str]:
    """SQL statements of every app's engine while fn runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return seen


@pytest.fixture(params=["file", "redis"])
def workers(request, _schema, app, tmp_path):
    """Two workers on one database and one store, each with its own session per request
    (the test's app only makes the rows)."""
    if request.param == "redis" and not redis_up():
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    url, _ = _schema
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "PAGE_CACHE_STORE": request.param,
        "PAGE_CACHE_FILE": str(tmp_path / "shared-pages.sqlite"),
        "REDIS_URL": REDIS_URL,
    }
    apps = [create_app(config), create_app(config)]
    store = apps[0].extensions["wijk_page_cache"]
    store.clear()
    yield apps
    store.clear()
    for each in apps:
        with each.app_context():
            db.engine.dispose()


def test_a_page_one_worker_rendered_is_served_by_the_other(workers, make_item):
    first, second = (each.test_client() for each in workers)
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    assert "Buurtsoep" in first.get(url).get_data(as_text=True)
    served: list = []
    # Served, not rendered: the versions, and (once per process) the statistics' lookup
    # of which neighbourhood the page counts for.
    statements = statements_during(lambda: served.append(second.get(url)))
    assert len(statements) <= 2 and "page_version" in statements[0], statements
    assert "Buurtsoep" in served[0].get_data(as_text=True)
    assert len(statements_during(lambda: served.append(second.get(url)))) == 1  # the versions
    assert "Buurtsoep" in served[1].get_data(as_text=True)


def test_a_field_switched_hidden_on_one_worker_is_gone_on_both(workers, make_item, make_user):
    first, second = (each.test_client() for each in workers)
    owner = make_user()
    item = make_item("activity", owner=owner, contact_phone="0655544433", contact_phone_public=True)
    pages = [f"/activiteit/{item.id}", f"/wijk/{item.neighbourhood.slug}"]
    for client in (first, second):
        assert "0655544433" in client.get(pages[0]).get_data(as_text=True)  # cached now
        client.get(pages[1])
    owner_client = workers[1].test_client()
    owner_client.post("/inloggen", data={"email": owner.email, "password": PASSWORD})
    response = owner_client.post(
        f"{pages[0]}/zichtbaarheid", data={"field": "contact_phone", "public": "0"}
    )
    assert response.status_code == 302
    for client in (workers[0].test_client(), workers[1].test_client()):
        for page in pages:
            assert "0655544433" not in client.get(page).get_data(as_text=True), page


def test_a_change_in_one_neighbourhood_leaves_the_others_cached(workers, make_item, make_user):
    first, second = (each.test_client() for each in workers)
    here = make_item("activity", title="Soep hier", max_places=10, signups_enabled=True)
    there = make_item("activity", title="Soep daar")
    here_url, there_url = f"/wijk/{here.neighbourhood.slug}", f"/wijk/{there.neighbourhood.slug}"
    for url in (here_url, there_url, f"/activiteit/{there.id}"):
        first.get(url)
        second.get(url)  # served; the statistics learn which place each page counts for

    db.session.add(SignUp(activity_id=here.id, name="Vera", email="vera@example.net"))
    here.title = "Soep hier, nieuw"
    db.session.commit()

    for url in (there_url, f"/activiteit/{there.id}"):
        assert len(statements := statements_during(lambda u=url: second.get(u))) == 1, statements
    assert "Soep hier, nieuw" in second.get(here_url).get_data(as_text=True)


def test_a_change_committed_while_a_page_renders_is_not_hidden_by_the_cache(workers, make_item):
    first, second = (each.test_client() for each in workers)
    item = make_item("activity", title="Oude titel")
    url = f"/wijk/{item.neighbourhood.slug}"
    item_id = item.id

    def change_meanwhile(sender, template, context, **extra):
        # The page's content is read; another worker commits a change before it is stored.
        with workers[1].app_context():
            db.session.get(Item, item_id).title = "Nieuwe titel"
            db.session.commit()

    before_render_template.connect(change_meanwhile, workers[0])
    try:
        assert "Oude titel" in first.get(url).get_data(as_text=True)
    finally:
        before_render_template.disconnect(change_meanwhile, workers[0])
    assert "Nieuwe titel" in second.get(url).get_data(as_text=True)
    assert "Nieuwe titel" in first.get(url).get_data(as_text=True)


def test_a_sign_up_changes_its_activity_page_alone(workers, make_item):
    """Only the activity's own page shows how many places are left: a sign-up leaves the
    neighbourhood page and searches cached, and that page shows the new count at once."""
    first, second = (each.test_client() for each in workers)
    item = make_item("activity", title="Soepavond", max_places=10, signups_enabled=True)
    page, around = f"/activiteit/{item.id}", (f"/wijk/{item.neighbourhood.slug}", "/zoeken?q=soep")
    for url in (page, *around):
        first.get(url)
        second.get(url)  # served; the statistics learn which place each page counts for
    assert "Vrije plekken: 10 van de 10." in second.get(page).get_data(as_text=True)

    db.session.add(SignUp(activity_id=item.id, name="Vera", email="vera@example.net"))
    db.session.commit()

    for url in around:
        assert len(statements := statements_during(lambda u=url: second.get(u))) == 1, statements
    assert "Vrije plekken: 9 van de 10." in second.get(page).get_data(as_text=True)
