"""What counting page views costs a request (issue 14): the same cached item page served
N times with the counter hook off, with views batched per process (the default), and
with one upsert in every request (STATS_FLUSH_SECONDS=0).

    .venv/bin/python bench/stats_counting.py            # SQLite in a temporary folder
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/stats_counting.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from wijk import create_app
from wijk.extensions import db
from wijk.models import Activity, Neighbourhood, PageViewCount, User
from wijk.models.base import utcnow

N = int(os.environ.get("BENCH_N", "2000"))


def build(tmp: str):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
            or f"sqlite:///{tmp}/bench.sqlite",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        place = Neighbourhood(name="Bench", slug="bench", city="Utrecht")
        owner = User(
            name="B",
            email="b@example.org",
            password_hash="!",  # noqa: S106 (a login that never works)
            email_verified_at=utcnow(),
        )
        item = Activity(
            title="Koffie",
            description="<p>x</p>",
            neighbourhood=place,
            owner=owner,
            starts_at=utcnow().replace(tzinfo=None, microsecond=0),
        )
        db.session.add(item)
        db.session.commit()
        return app, item.id


def run(app, url: str) -> float:
    client = app.test_client()
    client.get(url)
    times = []
    for _ in range(N):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, item_id = build(tmp)
        url = f"/activiteit/{item_id}"
        hook = next(f for f in app.after_request_funcs[None] if f.__name__ == "count_view")
        with app.app_context():
            app.after_request_funcs[None].remove(hook)
            off = run(app, url)
            app.after_request_funcs[None].append(hook)
            app.config["STATS_FLUSH_SECONDS"] = 10
            batched = run(app, url)
            app.config["STATS_FLUSH_SECONDS"] = 0
            each = run(app, url)
            views = db.session.scalar(select(func.max(PageViewCount.views)))
            dialect = db.engine.dialect.name
            db.session.remove()
            db.drop_all()
        print(f"{dialect}, median of {N} cached item pages (test client, one process):")
        print(f"  no counting          {off:8.0f} µs")
        print(f"  batched (default)    {batched:8.0f} µs  (+{batched - off:.0f})")
        print(f"  upsert every request {each:8.0f} µs  (+{each - off:.0f})")
        print(f"  counter after the runs: {views} views of the item")


if __name__ == "__main__":
    main()
