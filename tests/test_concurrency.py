"""16 threads post, write to contact persons and sign up for activities at once against a
served app: no errors and no lost rows, on SQLite (WAL, busy timeout) and PostgreSQL."""

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
from wijk.models import Item, OutboxMessage, RelayMessage, SignUp

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
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()),
            _NoRedirect(),
        )

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_sixteen_threads_post_and_contact_at_once(app, served, make_user, make_neighbourhood,
                                                  make_item):
    place = make_neighbourhood()
    users = [make_user() for _ in range(THREADS)]
    targets = [make_item("activity", neighbourhood=place, signups_enabled=True)
               for _ in range(THREADS)]
    target_ids = [t.id for t in targets]
    place_id = place.id
    emails = [u.email for u in users]

    def work(n: int) -> list[int]:
        visitor = Visitor(served)
        statuses = [visitor.post("/inloggen", {"email": emails[n],
                                               "password": "correct horse battery"})]
        for k in range(PER_THREAD):
            statuses.append(visitor.post("/plaatsen/activiteit", {
                "neighbourhood_id": place_id, "title": f"Drukte {n}-{k}",
                "description": "Tegelijk geplaatst", "starts_at": "2031-01-01T10:00"}))
            statuses.append(visitor.post(f"/activiteit/{target_ids[(n + k) % THREADS]}/contact", {
                "name": f"Bezoeker {n}", "email": f"bezoeker{n}@example.net",
                "message": f"Bericht {n}-{k} over de activiteit."}))
            statuses.append(visitor.post(f"/activiteit/{target_ids[(n + k) % THREADS]}/aanmelden", {
                "name": f"Deelnemer {n}-{k}", "email": f"deelnemer{n}-{k}@example.net"}))
        return statuses

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))

    statuses = [s for thread in results for s in thread]
    assert statuses.count(302) == len(statuses), sorted(set(statuses))
    db.session.expire_all()
    posted = db.session.scalar(select(func.count(Item.id)).where(Item.title.like("Drukte %")))
    relayed = db.session.scalar(select(func.count(RelayMessage.id)))
    queued = db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "relay"))
    signed_up = db.session.scalar(select(func.count(SignUp.id)))
    confirmations = db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind != "relay"))
    assert posted == THREADS * PER_THREAD
    assert relayed == queued == THREADS * PER_THREAD
    assert signed_up == confirmations == THREADS * PER_THREAD
