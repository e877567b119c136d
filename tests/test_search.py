"""Search finds published items by the words in their public text, on SQLite (FTS5) and
on PostgreSQL (tsvector), and never by, or with, a hidden field."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, literal_column, select, text, update

from wijk.clock import local_now, local_zone
from wijk.discover.search import search, terms
from wijk.extensions import db
from wijk.models import Item, ItemCategory, Neighbourhood


def ids(results) -> set[int]:
    return {item.id for item in results.items}


def test_finds_by_words_in_title_and_description(make_item):
    choir = make_item(
        "activity",
        title="Buurtkoor zingt kerstliedjes",
        description="<p>Iedereen mag meezingen, ook zonder ervaring.</p>",
    )
    repair = make_item(
        "organisation",
        title="Repaircafé De Schroef",
        description="<p>Wij repareren fietsen en broodroosters.</p>",
    )
    make_item("offer", title="Ladder te leen", description="<p>Een lange ladder.</p>")
    assert ids(search("buurtkoor")) == {choir.id}
    assert ids(search("broodroosters")) == {repair.id}
    assert ids(search("ervaring meezingen")) == {choir.id}  # every word, in any order
    assert ids(search("broodroosters ladder")) == set()


def test_last_word_matches_as_a_prefix_and_case_and_accents_do_not_matter(make_item):
    repair = make_item(
        "organisation", title="Repaircafé De Schroef", description="<p>Wij repareren fietsen.</p>"
    )
    assert ids(search("REPAIRCAFE")) == {repair.id}
    assert ids(search("wij repar")) == {repair.id}


def test_title_ranks_above_description(make_item):
    in_text = make_item(
        "organisation",
        title="Buurthuis",
        description="<p>Elke week is er yoga in de grote zaal.</p>",
    )
    in_title = make_item(
        "activity", title="Yoga in het park", description="<p>Neem een matje mee.</p>"
    )
    assert [item.id for item in search("yoga").items] == [in_title.id, in_text.id]


def test_hidden_fields_are_never_searchable(make_item):
    """Contact details are not in the index, whether public or not."""
    item = make_item(
        "activity",
        title="Vrijmarkt",
        contact_name="Geheimnaam Zwaluwstaart",
        contact_phone="0612999888",
        address="Verstopstraat 12",
        contact_email="verborgen@example.org",
    )
    make_item(
        "activity",
        title="Zichtbaar",
        contact_name="Publieknaam Kwikstaart",
        contact_name_public=True,
    )
    for hidden in ("Zwaluwstaart", "Verstopstraat", "0612999888", "verborgen", "Kwikstaart"):
        assert search(hidden).items == [], hidden
    assert ids(search("vrijmarkt")) == {item.id}


def test_search_page_never_shows_a_hidden_value(client, make_item):
    make_item(
        "activity",
        title="Burendag aan de gracht",
        contact_name="Zwaluwstaart",
        contact_phone="0612999888",
        address="Verstopstraat 12",
        contact_email="verborgen@example.org",
    )
    html = client.get("/zoeken?q=burendag").get_data(as_text=True)
    assert "Burendag aan de gracht" in html
    for hidden in ("Zwaluwstaart", "0612999888", "Verstopstraat", "verborgen@example.org"):
        assert hidden not in html


def test_unpublished_expired_and_ended_items_are_left_out(make_item):
    today = local_now().date()  # the neighbourhood's today, not the machine's
    past = datetime.now() - timedelta(days=3)
    make_item("activity", title="Kaartavond verborgen", status="hidden")
    make_item("offer", title="Kaartavond verlopen", expires_on=today - timedelta(days=1))
    make_item(
        "activity", title="Kaartavond geweest", starts_at=past, ends_at=past + timedelta(hours=2)
    )
    open_offer = make_item("offer", title="Kaartavond spelletjes", expires_on=today)
    assert ids(search("kaartavond")) == {open_offer.id}


def test_filters_on_neighbourhood_kind_category_and_dates(make_item, make_neighbourhood):
    north, south = make_neighbourhood("Noord"), make_neighbourhood("Zuid")
    soon = datetime.now().replace(second=0, microsecond=0) + timedelta(days=2)
    later = soon + timedelta(days=30)
    sport = make_item(
        "activity",
        neighbourhood=north,
        title="Wandelen",
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
    )
    db.session.add(ItemCategory(item_id=sport.id, category="sport"))
    db.session.commit()
    walk_later = make_item(
        "activity",
        neighbourhood=south,
        title="Wandelen later",
        starts_at=later,
        ends_at=later + timedelta(hours=1),
    )
    club = make_item("organisation", neighbourhood=north, title="Wandelclub")
    assert ids(search("wandel")) == {sport.id, walk_later.id, club.id}
    assert ids(search("wandel", neighbourhood=north)) == {sport.id, club.id}
    assert ids(search("wandel", kind="organisation")) == {club.id}
    assert ids(search("wandel", category="sport")) == {sport.id}
    assert ids(search("wandel", date_from=later.date())) == {walk_later.id}
    assert ids(search("wandel", date_to=soon.date())) == {sport.id}


def test_results_are_paginated(make_item, make_neighbourhood):
    place = make_neighbourhood()
    for n in range(5):
        make_item("organisation", neighbourhood=place, title=f"Moestuin {n}")
    first = search("moestuin", limit=3)
    second = search("moestuin", limit=3, offset=3)
    assert len(first.items) == 3 and first.has_more
    assert len(second.items) == 2 and not second.has_more
    assert ids(first).isdisjoint(ids(second))


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        "AND",
        "OR NOT",
        "NEAR(",
        "*",
        "title:",
        "-",
        "a & b | !c",
        "(((",
        "\\",
        "col:yoga^",
        "zoek\x00tekst",
        "'; DROP TABLE item; --",
        "é" * 500,
        "🙂",
        "_",
        ":* & !",
        "<script>alert(1)</script>",
    ],
)
def test_malformed_queries_get_a_friendly_page_never_a_500(client, make_item, query):
    make_item("activity", title="Yoga")
    response = client.get("/zoeken", query_string={"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    search(query)  # the service itself accepts anything too


def test_empty_query_and_bad_dates_explain_themselves(client, make_neighbourhood):
    place = make_neighbourhood()
    response = client.get("/zoeken?q=")
    assert response.status_code == 200
    response = client.get(f"/wijk/{place.slug}/zoeken?q=yoga&van=morgen&tot=2026-13-40")
    assert response.status_code == 400
    assert "morgen" in response.get_data(as_text=True)
    assert client.get("/wijk/bestaat-niet/zoeken?q=yoga").status_code == 404


def test_query_words_are_plain_words_only():
    assert terms('"yoga" AND (pilates*) NEAR/2 col:x') == [
        "yoga",
        "and",
        "pilates",
        "near",
        "2",
        "col",
        "x",
    ]
    assert len(terms("woord " * 50)) == 8


def test_search_page_links_to_results_and_keeps_filters_in_the_pager(
    client, make_item, make_neighbourhood
):
    place = make_neighbourhood()
    for n in range(25):
        make_item("organisation", neighbourhood=place, title=f"Buurtmoestuin {n}")
    html = client.get(f"/wijk/{place.slug}/zoeken?q=buurtmoestuin&soort=organisatie").get_data(
        as_text=True
    )
    assert html.count('class="card card-organisation"') == 20
    assert "pagina=2" in html and "soort=organisatie" in html
    page2 = client.get(f"/wijk/{place.slug}/zoeken?q=buurtmoestuin&soort=organisatie&pagina=2")
    assert page2.get_data(as_text=True).count('class="card card-organisation"') == 5


# --- categories ---------------------------------------------------------------------


def test_organiser_ticks_categories_and_visitors_filter_on_them(
    client, auth, make_user, make_neighbourhood, make_item
):
    place = make_neighbourhood()
    owner = make_user()
    auth.login(owner)
    response = client.post(
        "/plaatsen/activiteit",
        data={
            "neighbourhood_id": place.id,
            "title": "Voetbal voor kinderen",
            "starts_at": "2030-06-01T10:00",
            "categories": ["sport", "children"],
        },
    )
    assert response.status_code == 302
    football = db.session.scalar(select(Item).where(Item.title == "Voetbal voor kinderen"))
    assert set(
        db.session.scalars(select(ItemCategory.category).where(ItemCategory.item_id == football.id))
    ) == {"sport", "children"}
    form = client.get(f"/activiteit/{football.id}/bewerken").get_data(as_text=True)
    assert re.search(r'value="sport"[^>]*checked|checked[^>]*value="sport"', form)
    assert (
        client.post(
            "/plaatsen/activiteit",
            data={
                "neighbourhood_id": place.id,
                "title": "Vals",
                "starts_at": "2030-06-01T10:00",
                "categories": ["hacking"],
            },
        ).status_code
        == 400
    )
    auth.logout()

    make_item(
        "activity",
        neighbourhood=place,
        title="Koffieochtend",
        starts_at=datetime(2030, 6, 1, 9, 0),
        ends_at=datetime(2030, 6, 1, 11, 0),
    )
    everything = client.get(f"/wijk/{place.slug}").get_data(as_text=True)
    assert "Voetbal voor kinderen" in everything and "Koffieochtend" in everything
    assert "Sport en bewegen" in everything  # on the card
    sport = client.get(f"/wijk/{place.slug}?categorie=sport").get_data(as_text=True)
    assert "Voetbal voor kinderen" in sport and "Koffieochtend" not in sport
    unknown = client.get(f"/wijk/{place.slug}?categorie=onzin")
    assert unknown.status_code == 200 and "Koffieochtend" in unknown.get_data(as_text=True)
    item_page = client.get(f"/activiteit/{football.id}").get_data(as_text=True)
    assert "Kinderen en jongeren" in item_page


def test_editing_replaces_the_categories(client, auth, make_user, make_item):
    owner = make_user()
    activity = make_item("activity", owner=owner)
    db.session.add(ItemCategory(item_id=activity.id, category="food"))
    db.session.commit()
    auth.login(owner)
    client.post(
        f"/activiteit/{activity.id}/bewerken",
        data={
            "neighbourhood_id": activity.neighbourhood_id,
            "title": activity.title,
            "starts_at": f"{activity.starts_at:%Y-%m-%dT%H:%M}",
            "categories": ["culture"],
        },
    )
    assert list(db.session.scalars(select(ItemCategory.category))) == ["culture"]


def test_searching_everywhere_shows_each_result_s_neighbourhood(
    client, make_item, make_neighbourhood
):
    make_item("organisation", neighbourhood=make_neighbourhood("Lombok"), title="Moestuin")
    html = client.get("/zoeken?q=moestuin").get_data(as_text=True)
    assert '<p class="card-meta">Lombok</p>' in html


def test_a_query_the_database_refuses_still_gets_a_friendly_page(client, make_item, monkeypatch):
    """Should the sanitising ever let query syntax through, the database's refusal
    becomes a message, not a 500."""
    import wijk.discover.search as module

    raw = "a & & (b"
    vector = literal_column("item.search_vector")
    monkeypatch.setattr(module, "_built", {})  # statements are built once per process
    monkeypatch.setattr(
        module,
        "_sqlite",
        lambda: (text("item_fts MATCH :q").bindparams(q=raw), literal_column("1"), False),
    )
    monkeypatch.setattr(
        module,
        "_postgresql",
        lambda: (
            vector.op("@@")(func.to_tsquery(literal_column("'dutch'::regconfig"), raw)),
            literal_column("1"),
            True,
        ),
    )
    make_item("activity", title="Yoga")
    response = client.get("/zoeken?q=yoga")
    assert response.status_code == 200
    assert "Deze zoekopdracht lukte niet" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # the session was rolled back


def test_when_the_best_ranked_matches_are_filtered_out_the_rest_are_still_found(
    make_item, monkeypatch
):
    """The filters run on a window of the best-ranked matches first; a window that holds
    only ended activities must not hide the one still on, nor the next page."""
    import wijk.discover.search as module

    monkeypatch.setattr(module, "WINDOW", 2)
    past = datetime.now() - timedelta(days=3)
    for n in range(20):  # more than the window of (offset + limit + 1) * 4
        make_item(
            "activity",
            title=f"Kaartavond kaartavond {n}",
            starts_at=past,
            ends_at=past + timedelta(hours=2),
        )
    on = [make_item("activity", title=f"Kaartavond nu {n}").id for n in range(3)]
    first = search("kaartavond", limit=2)
    assert first.has_more and len(first.items) == 2
    second = search("kaartavond", limit=2, offset=2)
    assert not second.has_more
    assert sorted(i.id for i in [*first.items, *second.items]) == sorted(on)


# --- cost per page ------------------------------------------------------------------


def _statements(client, url: str) -> int:
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    client.get(url)  # warm-up: first-request work is not per-page cost
    db.session.expunge_all()  # the test's session would answer the lazy loads
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("path", ["/zoeken", "/gemeente/utrecht/zoeken"])
def test_search_page_statements_do_not_grow_with_results_or_neighbourhoods(
    app, client, make_item, make_neighbourhood, path
):
    """Each result's neighbourhood and organisation, and each neighbourhood in the
    filter with its city, come with the page's own queries, not one query each."""
    app.config["PAGE_CACHE"] = False
    first = make_neighbourhood()
    club = make_item("organisation", neighbourhood=first, title="Klaverjasclub")
    make_item("activity", neighbourhood=first, title="Klaverjassen", organisation_id=club.id)
    few = _statements(client, f"{path}?q=klaverjas")
    for n in range(12):
        place = make_neighbourhood()
        organisation = make_item("organisation", neighbourhood=place, title=f"Klaverjas {n}")
        make_item(
            "activity", neighbourhood=place, title="Klaverjassen", organisation_id=organisation.id
        )
    html = client.get(f"{path}?q=klaverjas").get_data(as_text=True)
    assert html.count('class="card card-') == 20  # a full page, with organisations
    assert _statements(client, f"{path}?q=klaverjas") <= few


# --- a common word: a bounded set is ranked -------------------------------------------


def test_a_common_word_ranks_the_newest_matches_and_every_organisation(make_item, monkeypatch):
    """Ranking reads each row it ranks; a search of everything ranks the BOUND newest
    matches and every match that is not an activity, so an old organisation whose name
    is the word still comes first."""
    import wijk.discover.search as module

    monkeypatch.setattr(module, "BOUND", 3)
    club = make_item("organisation", title="Jeu de boules", description="<p>Boules.</p>")
    old = make_item("activity", title="Jeu de boules", description="<p>Boules.</p>")
    newer = [
        make_item("activity", title=f"Middag met jeu de boules en koffie {n}").id for n in range(5)
    ]
    ranked_all = search("boules", limit=20)  # the bounded set cannot fill this page
    assert {item.id for item in ranked_all.items[:2]} == {old.id, club.id}
    page = search("boules", limit=3)
    assert [item.id for item in page.items] == [club.id, newer[-1], newer[-2]]
    assert page.has_more


def test_narrowed_searches_rank_every_match(make_item, make_neighbourhood, monkeypatch):
    """A neighbourhood, a city, a kind, a category or dates: the filters are exact, so
    every match within them is ranked, however old."""
    import wijk.discover.search as module

    monkeypatch.setattr(module, "BOUND", 3)
    place = make_neighbourhood()
    old = make_item("activity", neighbourhood=place, title="Jeu de boules")
    for n in range(4):
        make_item("activity", title=f"Middag met jeu de boules en koffie {n}")
    assert old.id not in ids(search("boules", limit=2))  # beyond the bound
    assert ids(search("boules", limit=2, neighbourhood=place)) == {old.id}
    assert old.id in ids(search("boules", municipality=place.municipality))
    assert old.id in ids(search("boules", kind="activity"))


def test_when_the_newest_matches_are_over_older_ones_still_on_are_found(make_item, monkeypatch):
    import wijk.discover.search as module

    monkeypatch.setattr(module, "BOUND", 2)
    monkeypatch.setattr(module, "WINDOW", 2)
    on = make_item("activity", title="Kaartavond").id
    past = datetime.now() - timedelta(days=3)
    for n in range(4):
        make_item(
            "activity", title=f"Kaartavond {n}", starts_at=past, ends_at=past + timedelta(hours=1)
        )
    assert ids(search("kaartavond")) == {on}


def test_a_rare_word_needs_no_second_ranking(app, make_item, monkeypatch):
    """Few matches: the bounded set holds them all, and one look that there are no more
    ends the search (two statements, as before the bound)."""
    from sqlalchemy import event

    make_item("activity", title="Kaartavond")
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert len(search("kaartavond").items) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 2


def test_an_older_match_in_a_title_is_still_found_first(make_item, monkeypatch):
    """A word in a title outranks it in a description; the bounded set holds the newest
    title matches too, so an old one is not lost behind newer description matches."""
    import wijk.discover.search as module

    monkeypatch.setattr(module, "BOUND", 2)
    titled = make_item("activity", title="Peutergym", description="<p>Voor de kleinsten.</p>")
    for n in range(4):
        make_item("activity", title=f"Inloop {n}", description="<p>Ook peutergym.</p>")
    assert search("peutergym", limit=1).items[0].id == titled.id


def _plan_nodes(plan: dict) -> list[dict]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes.extend(_plan_nodes(child))
    return nodes


@pytest.mark.postgresql
@pytest.mark.parametrize("newer_in_titles", [True, False])
def test_the_walk_for_title_matches_runs_only_when_it_can_add_one(
    app, make_item, monkeypatch, newer_in_titles
):
    """PostgreSQL finds the newest matches by walking the primary key; when the BOUND
    newest matches are all title matches, they are the newest title matches too, and the
    second walk (for title matches) is not started. When a newer match is in a
    description only, it runs."""
    import json

    from sqlalchemy import event

    import wijk.discover.search as module

    monkeypatch.setattr(module, "BOUND", 2)
    titled = make_item("activity", title="Peutergym", description="<p>Voor de kleinsten.</p>")
    for n in range(3):
        make_item(
            "activity",
            title=f"Peutergym {n}" if newer_in_titles else f"Inloop {n}",
            description="<p>Ook peutergym.</p>",
        )
    title_walk_runs = not newer_in_titles
    sent: list[tuple[str, dict]] = []
    listener = lambda _c, _cur, statement, params, *_: sent.append((statement, params))  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = search("peutergym", limit=1)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    if title_walk_runs:
        assert found.items[0].id == titled.id  # the older title match, found by the walk
    statement, params = next((s, p) for s, p in sent if "title_vector" in s)
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    walks = [
        node
        for node in _plan_nodes(plan[0]["Plan"])
        if "title_vector"
        in " ".join(str(node.get(key, "")) for key in ("Filter", "Index Cond", "Recheck Cond"))
    ]
    assert walks, "no node of the plan reads the title words"
    assert any(node["Actual Loops"] > 0 for node in walks) is title_walk_runs


# --- the neighbourhood filter: rendered once per process, never stale ----------------


def test_neighbourhood_filter_shows_a_rename_and_a_new_neighbourhood_at_once(
    app, client, make_neighbourhood
):
    """The options are kept per process keyed by the rows they show, so a rename (even
    one written without the ORM) or a new neighbourhood is on the next page."""
    app.config["PAGE_CACHE"] = False
    place = make_neighbourhood("Lombok")
    first = client.get("/zoeken?q=moestuin").get_data(as_text=True)
    assert f'<option value="{place.slug}">Lombok (Utrecht)</option>' in first
    db.session.execute(
        update(Neighbourhood).where(Neighbourhood.id == place.id).values(name="Lombok & Oog")
    )
    db.session.commit()
    make_neighbourhood("Tuinwijk")
    html = client.get("/zoeken?q=moestuin").get_data(as_text=True)
    assert "Lombok (Utrecht)" not in html
    assert f'<option value="{place.slug}">Lombok &amp; Oog (Utrecht)</option>' in html
    assert ">Tuinwijk (Utrecht)</option>" in html
    chosen = client.get(f"/zoeken?q=moestuin&wijk={place.slug}").get_data(as_text=True)
    assert f'<option value="{place.slug}" selected>Lombok &amp; Oog (Utrecht)</option>' in chosen
    assert chosen.count(" selected>") == 1
    assert client.get("/zoeken?q=moestuin").get_data(as_text=True).count(" selected>") == 0


def test_searches_of_one_shape_share_their_statements(make_item, make_neighbourhood):
    """Each shape of search (dialect, which filters) builds its statements once; the
    words, dates, page and places are bound values, so they cannot leak between
    searches that share a statement."""
    import wijk.discover.search as module

    north, south = make_neighbourhood("Noord"), make_neighbourhood("Zuid")
    soon = datetime.now() + timedelta(hours=1)
    choir = make_item(
        "activity",
        neighbourhood=north,
        title="Buurtkoor",
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
    )
    repair = make_item("organisation", neighbourhood=south, title="Repaircafé")
    assert ids(search("buurtkoor")) == {choir.id}
    assert ids(search("buurtkoor", neighbourhood=north)) == {choir.id}
    built = dict(module._built)
    assert ids(search("repaircafe")) == {repair.id}
    assert ids(search("repaircafe", neighbourhood=north)) == set()
    assert ids(search("repaircafe", neighbourhood=south)) == {repair.id}
    assert ids(search("buurtkoor", now=datetime.now() + timedelta(days=3))) == set()
    assert module._built == built
    assert all(module._built[key] is statement for key, statement in built.items())


def test_a_series_is_found_at_its_next_date_and_its_page_kept_until_that_date_is_over(
    app, client, make_item, monkeypatch
):
    """The next date comes with the results (one statement): the card shows it, and the
    page cache, which learns each date a page loads, keeps the page until it is over."""
    import json

    import wijk.discover.search as module
    from wijk import pagecache

    noon = datetime.combine(local_now().date() + timedelta(days=2), datetime.min.time())
    noon += timedelta(hours=12)  # far from midnight, whenever the test runs
    monkeypatch.setattr(module, "local_now", lambda: noon)
    monkeypatch.setattr(pagecache, "local_now", lambda: noon)
    soon = noon + timedelta(minutes=5)
    series = make_item(
        "activity",
        title="Ochtendyoga",
        starts_at=soon - timedelta(days=1),  # the first date is over
        ends_at=soon - timedelta(days=1) + timedelta(minutes=20),
        rrule="FREQ=DAILY;COUNT=3",
    )
    found = search("ochtendyoga")
    assert [item.id for item in found.items] == [series.id]
    assert found.next_dates[series.id].starts_at == soon
    later = search("ochtendyoga", date_from=(soon + timedelta(days=1)).date())
    assert later.next_dates[series.id].starts_at == soon + timedelta(days=1)
    url = "/zoeken?q=ochtendyoga"
    db.session.expunge_all()  # the request shares the test's session: load the rows anew
    assert "Ochtendyoga" in client.get(url).get_data(as_text=True)
    raw = app.extensions["wijk_page_cache"].get(f"{pagecache.FORMAT}|nl|{url}")
    header = json.loads(raw.partition(b"\n")[0])
    over = soon + timedelta(minutes=20)
    assert header["x"] == over.replace(tzinfo=local_zone()).timestamp()
