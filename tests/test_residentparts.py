"""A logged-in visitor's fragments are kept by what they asked about the visitor
(wijk/residentparts.py): shared by visitors who answer the same, never by others, and
never when a fragment reads anything else about the person."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PASSWORD
from flask import g, request
from flask_login import current_user, login_user
from jinja2 import ChoiceLoader, DictLoader

from wijk import pagecache
from wijk.extensions import db
from wijk.models import Follow, Follower, NeighbourhoodManager

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# A context for every fragment a template hands to personal(): a new fragment must be
# added here, so the comparison below covers it.
CONTEXTS = {
    "_personal/account_nav.html": {},
    "_personal/post_buttons.html": {"slug": "wijk-x"},
    "follows/_follow_box.html": {
        "follow_key": "neighbourhood:{place}",
        "follow_name": "Çarşı <b>&</b> حي",
    },
    "newsletters/_subscribe_box.html": {"action": "/wijk/x/nieuwsbrief", "name": "Oog in Al é"},
}


def fragments_in_templates() -> set[str]:
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        found.update(re.findall(r'personal\("([^"]+)"', path.read_text()))
    return found


def kept_texts(app) -> dict:
    return app.extensions.get("wijk_resident_parts", {})


def render_for(app, user, template: str, context: dict, path: str = "/wijk/x") -> str:
    with app.test_request_context(path):
        login_user(user)
        return pagecache._for_this_visitor(template, context)


def per_person(app, user, template: str, context: dict, path: str = "/wijk/x") -> str:
    """What the fragment was before it could be kept: rendered for this visitor alone."""
    with app.test_request_context(path):
        login_user(user)
        g.page_parts_rendering = g.page_part_shared = True
        text = pagecache._render(template, context)
        return text.replace(pagecache.PATH_PLACEHOLDER, path)


def test_every_fragment_of_the_templates_has_a_context_here():
    assert fragments_in_templates() == set(CONTEXTS)


def test_a_kept_fragment_is_what_each_visitor_would_have_got_alone(
    app, make_user, make_neighbourhood
):
    """Visitors in every situation, in turn, each after the others filled the kept
    texts: byte for byte what the fragment renders for them alone."""
    place = make_neighbourhood()
    resident, unverified, admin = make_user(), make_user(verified=False), make_user(is_admin=True)
    manager, follower = make_user(), make_user()
    db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=manager.id))
    row = Follower(user_id=follower.id, locale="nl")
    db.session.add(row)
    db.session.flush()
    db.session.add(Follow(follower_id=row.id, target=f"neighbourhood:{place.id}"))
    db.session.commit()
    visitors = [resident, unverified, admin, manager, follower]
    for template, context in CONTEXTS.items():
        context = {k: v.format(place=place.id) for k, v in context.items()}
        for _round in range(2):
            for user in visitors + visitors[::-1]:
                kept = render_for(app, user, template, context)
                assert kept == per_person(app, user, template, context), (template, user.id)
    texts = kept_texts(app)
    assert all(entry is not None for entry in texts.values())  # every fragment was kept
    menus = [entry for key, entry in texts.items() if key[0] == "_personal/account_nav.html"]
    assert len(menus) == 1 and len(menus[0]) == 3  # the residents alike, the admin, the manager


def test_residents_alike_share_the_fragments_and_each_gets_their_own_token(
    app, client, auth, make_item, make_user, monkeypatch
):
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    client.get(url)  # rendered and stored
    auth.login(make_user(name="Vera Resident"))
    client.get("/")  # shows the welcome; a page with a message is never the cached one
    first = client.get(url).get_data(as_text=True)  # the fragments rendered and kept
    other = app.test_client()  # another browser
    wim = make_user(name="Wim Resident")
    other.post("/inloggen", data={"email": wim.email, "password": PASSWORD})
    other.get("/")
    runs: list[int] = []
    update = app.update_template_context
    monkeypatch.setattr(
        app, "update_template_context", lambda context: runs.append(1) or update(context)
    )
    second = other.get(url).get_data(as_text=True)
    assert runs == []  # nothing rendered: every fragment was kept
    assert "Uitloggen" in second and "adres van je account" in second
    assert "Vera" not in second and "\x00" not in second
    tokens = [re.findall(r'name="csrf_token" value="([^"]+)"', html) for html in (first, second)]
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])


def test_a_follow_an_appointment_or_a_verified_address_shows_at_once(
    app, make_user, make_neighbourhood
):
    """The answers are asked again on every request: what changed in between shows in
    the very next fragment, though the text for the old answers is kept."""
    place = make_neighbourhood()
    user = make_user(verified=False)
    box = (
        "follows/_follow_box.html",
        {"follow_key": f"neighbourhood:{place.id}", "follow_name": "X"},
    )
    menu = ("_personal/account_nav.html", {})
    buttons = ("_personal/post_buttons.html", {"slug": place.slug})
    assert "Volgen" in render_for(app, user, *box) or "Follow" in render_for(app, user, *box)
    assert "/beheer" not in render_for(app, user, *menu)
    assert "button" not in render_for(app, user, *buttons)

    row = Follower(user_id=user.id, locale="nl")
    db.session.add(row)
    db.session.flush()
    db.session.add(Follow(follower_id=row.id, target=f"neighbourhood:{place.id}"))
    db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=user.id))
    user.email_verified_at = user.created_at
    db.session.commit()

    followed = render_for(app, user, *box)
    assert "Je volgt dit" in followed and "<form" not in followed
    assert "Beheer" in render_for(app, user, *menu)
    assert "button" in render_for(app, user, *buttons)


@pytest.fixture
def probes(app, monkeypatch):
    """Fragments that read more of the visitor than a kept one may."""
    monkeypatch.setitem(app.jinja_env.globals, "whoami", lambda: current_user.name)
    loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "probe/email.html": "{{ current_user.email }}",
                    "probe/id.html": "{% if current_user.id %}{{ current_user.id }}{% endif %}",
                    "probe/name.html": "{{ whoami() }}",
                    "probe/session.html": "{{ session.get('_user_id') }}",
                    "probe/request.html": "{{ request.cookies }}",
                    "probe/user.html": "{{ current_user }}",
                }
            ),
            app.jinja_env.loader,
        ]
    )
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    app.jinja_env.cache.clear()
    return ["probe/email.html", "probe/id.html", "probe/name.html", "probe/session.html"]


def test_a_fragment_that_reads_more_of_the_visitor_is_rendered_for_each(app, make_user, probes):
    anna, bert = make_user(name="Anna Een"), make_user(name="Bert Twee")
    for template in [*probes, "probe/request.html", "probe/user.html"]:
        for user in (anna, bert, anna):
            assert render_for(app, user, template, {}) == per_person(app, user, template, {})
        assert kept_texts(app)[(template, "{}", "nl", "")] is None
    assert render_for(app, bert, "probe/email.html", {}) == bert.email
    assert render_for(app, anna, "probe/name.html", {}) == "Anna Een"


def test_a_page_with_a_fragment_that_is_not_kept_still_works(
    app, client, auth, make_item, make_user
):
    """The kept texts are an optimisation: a page shows the same with them or without."""
    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    auth.login(make_user(name="Vera Resident"))
    with_kept = client.get(url).get_data(as_text=True)
    for key in list(kept_texts(app)):
        kept_texts(app)[key] = None  # as if no fragment could be kept
    without = client.get(url).get_data(as_text=True)
    strip = re.compile(r'name="csrf_token" value="[^"]+"')
    assert strip.sub("", with_kept) == strip.sub("", without)


def test_a_resident_gets_a_cached_page_in_two_statements(app, client, auth, make_item, make_user):
    """The account, with what it is appointed to, owns and follows, in one statement;
    the page's versions in the other. Nothing else is read for a cached page."""
    from test_pagecache import statements_during

    item = make_item("activity", title="Buurtsoep")
    url = f"/wijk/{item.neighbourhood.slug}"
    client.get(url)  # rendered and stored
    auth.login(make_user(name="Vera Resident"))
    client.get("/")  # shows the welcome
    client.get(url)  # the fragments rendered and kept
    pages: list = []
    assert statements_during(lambda: pages.append(client.get(url))) == 2
    assert "Uitloggen" in pages[0].get_data(as_text=True)


def test_the_appointments_read_with_the_account_are_those_read_alone(
    app, make_user, make_neighbourhood, make_item
):
    """The user loader reads the appointments in its own statement, as one text. A
    followed target is free text in the table (forms only let in `kind:id`), so one made
    to look like other rows, separators, a newline and non-ASCII text all read back as
    the one target they are, and nobody becomes a manager by what they follow."""
    from wijk.security import permissions

    place = make_neighbourhood()
    user = make_user()
    owned = make_item("activity", owner=user)
    row = Follower(user_id=user.id, locale="nl")
    db.session.add(row)
    db.session.flush()
    odd = ["neighbourhood:7", "x:0:n5:0:", "a\x1e\x1fb\nc:", "wijk:Çarşı é ٣", ""]
    db.session.add_all(Follow(follower_id=row.id, target=target) for target in odd)
    db.session.add(NeighbourhoodManager(neighbourhood_id=place.id, user_id=user.id))
    db.session.commit()
    with app.test_request_context("/"):
        loaded = app.login_manager._user_callback(user.session_token)
        with_account = request.environ["wijk.appointments"][loaded.id]
        alone = permissions._appointments_from(
            db.session.execute(permissions._APPOINTMENTS, {"user_id": user.id}).all()
        )
    assert with_account == alone
    assert with_account.follows == frozenset(odd)
    assert with_account.neighbourhoods == {place.id} and not with_account.municipalities
    assert owned.id in with_account.items
