"""Threads post, write to contact persons, create accounts and sign up for activities at
once against a served app: no errors and no lost rows, on SQLite (WAL, busy timeout,
write transactions that begin IMMEDIATE) and PostgreSQL."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from wijk.extensions import db, limiter
from wijk.models import Item, OutboxMessage, RelayMessage, SignUp, User

THREADS = 16
PER_THREAD = 5


@pytest.fixture
def served(app):
    limiter.enabled = False  # this test is about the database, not about rate limits
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    limiter.enabled = True


class Visitor:
    def __init__(self, base: str, timeout: float = 30):
        self.base, self.timeout = base, timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()),
            _NoRedirect(),
        )

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_sixteen_threads_post_and_contact_at_once(
    app, served, make_user, make_neighbourhood, make_item
):
    place = make_neighbourhood()
    users = [make_user() for _ in range(THREADS)]
    targets = [
        make_item("activity", neighbourhood=place, signups_enabled=True) for _ in range(THREADS)
    ]
    target_ids = [t.id for t in targets]
    place_id = place.id
    emails = [u.email for u in users]

    def work(n: int) -> list[int]:
        visitor = Visitor(served)
        statuses = [
            visitor.post("/inloggen", {"email": emails[n], "password": "correct horse battery"})
        ]
        for k in range(PER_THREAD):
            statuses.append(
                visitor.post(
                    "/plaatsen/activiteit",
                    {
                        "neighbourhood_id": place_id,
                        "title": f"Drukte {n}-{k}",
                        "description": "Tegelijk geplaatst",
                        "starts_at": "2031-01-01T10:00",
                    },
                )
            )
            statuses.append(
                visitor.post(
                    f"/activiteit/{target_ids[(n + k) % THREADS]}/contact",
                    {
                        "name": f"Bezoeker {n}",
                        "email": f"bezoeker{n}@example.net",
                        "message": f"Bericht {n}-{k} over de activiteit.",
                    },
                )
            )
            statuses.append(
                visitor.post(
                    f"/activiteit/{target_ids[(n + k) % THREADS]}/aanmelden",
                    {"name": f"Deelnemer {n}-{k}", "email": f"deelnemer{n}-{k}@example.net"},
                )
            )
        return statuses

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))

    statuses = [s for thread in results for s in thread]
    assert statuses.count(302) == len(statuses), sorted(set(statuses))
    db.session.expire_all()
    posted = db.session.scalar(select(func.count(Item.id)).where(Item.title.like("Drukte %")))
    relayed = db.session.scalar(select(func.count(RelayMessage.id)))
    queued = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "relay")
    )
    signed_up = db.session.scalar(select(func.count(SignUp.id)))
    confirmations = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind != "relay")
    )
    assert posted == THREADS * PER_THREAD
    assert relayed == queued == THREADS * PER_THREAD
    assert signed_up == confirmations == THREADS * PER_THREAD


WRITERS = 64


@pytest.fixture
def served_wide(_schema, tmp_path):
    """The app served with a connection pool as wide as the number of writers, so a
    request waits for the database lock, never for a pooled connection."""
    from conftest import base_config

    from wijk import create_app

    url, _instance = _schema
    config = base_config(url, str(tmp_path))
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": WRITERS, "max_overflow": 0}
    wide = create_app(config)
    limiter.enabled = False
    server = make_server("127.0.0.1", 0, wide, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    limiter.enabled = True
    with wide.app_context():
        db.engine.dispose()


@pytest.mark.slow
@pytest.mark.sqlite
@pytest.mark.parametrize("round_", range(3))
def test_sixty_four_writers_at_once_get_no_errors(
    app, served_wide, make_user, make_neighbourhood, make_item, round_
):
    """Each writer creates an account, then logs in, posts, writes to a contact person and
    signs up. On SQLite a write must take the lock when its transaction begins (IMMEDIATE),
    not by upgrading a read lock, which fails at once with "database is locked"; three
    rounds make a rare failure show."""
    served = served_wide
    place = make_neighbourhood()
    emails = [make_user().email for _ in range(WRITERS)]
    target_ids = [
        make_item("activity", neighbourhood=place, signups_enabled=True).id for _ in range(8)
    ]
    place_id = place.id
    gate = threading.Barrier(WRITERS)

    def work(n: int) -> list[tuple[str, int]]:
        # A generous timeout: 64 writers queue for one lock on a machine of 2 cores.
        newcomer, member = Visitor(served, 120), Visitor(served, 120)
        target = target_ids[n % len(target_ids)]
        gate.wait(timeout=30)  # start together: the point is contention
        return [
            (
                "sign-up",
                newcomer.post(
                    "/registreren",
                    {
                        "name": f"Nieuw {n}",
                        "email": f"nieuw{round_}-{n}@example.net",
                        "password": "een lange zin als wachtwoord",
                        "password_repeat": "een lange zin als wachtwoord",
                        "accept_terms": "y",
                        "confirm_age": "y",
                    },
                ),
            ),
            (
                "login",
                member.post("/inloggen", {"email": emails[n], "password": "correct horse battery"}),
            ),
            (
                "post",
                member.post(
                    "/plaatsen/activiteit",
                    {
                        "neighbourhood_id": place_id,
                        "title": f"Gelijktijdig {n}",
                        "description": "Tegelijk geplaatst",
                        "starts_at": "2031-01-01T10:00",
                    },
                ),
            ),
            (
                "contact",
                member.post(
                    f"/activiteit/{target}/contact",
                    {
                        "name": f"Bezoeker {n}",
                        "email": f"bezoeker{n}@example.net",
                        "message": f"Bericht {n} over de activiteit.",
                    },
                ),
            ),
            (
                "activity sign-up",
                member.post(
                    f"/activiteit/{target}/aanmelden",
                    {"name": f"Deelnemer {n}", "email": f"deelnemer{n}@example.net"},
                ),
            ),
        ]

    with ThreadPoolExecutor(WRITERS) as pool:
        results = [r for writer in pool.map(work, range(WRITERS)) for r in writer]

    # Registration answers every address with the same page (no account enumeration);
    # every other step redirects when it worked.
    expected = {"sign-up": 200}
    errors = [(what, status) for what, status in results if status != expected.get(what, 302)]
    assert errors == []
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.email.like(f"nieuw{round_}-%")))
        == WRITERS
    )
    assert (
        db.session.scalar(select(func.count(Item.id)).where(Item.title.like("Gelijktijdig %")))
        == WRITERS
    )
    assert db.session.scalar(select(func.count(RelayMessage.id))) == WRITERS
    assert db.session.scalar(select(func.count(SignUp.id))) == WRITERS
