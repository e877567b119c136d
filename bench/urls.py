"""The benchmark's URL lists, read from the seeded database (run by bench/run.py with the
bench's environment): prints one JSON object of lists of paths per kind of page.

The mix: the home page, every neighbourhood page, each neighbourhood with each category
filter, 1,000 activity pages, 60 searches, and every city page `/gemeente/<slug>` once
that route exists (the generator looks the route up in the app's URL map)."""

from __future__ import annotations

import json
import random
import re
from urllib.parse import quote

from sqlalchemy import func, select

from wijk import create_app
from wijk.clock import local_now
from wijk.extensions import db
from wijk.models import CATEGORIES, Activity, Municipality, Neighbourhood

SEARCH_WORDS = 60
ACTIVITY_PAGES = 1_000
WORD = re.compile(r"[^\W\d_]+")


def city_rule(app) -> str | None:
    """The city page's URL rule, e.g. '/gemeente/<slug>', when some feature has one."""
    for rule in app.url_map.iter_rules():
        one_slug = rule.rule.startswith("/gemeente/<") and rule.rule.count("<") == 1
        if one_slug and "GET" in (rule.methods or ()):
            return rule.rule
    return None


def main() -> None:
    rng = random.Random(16)
    app = create_app()
    with app.app_context():
        now = local_now()
        slugs = list(db.session.scalars(select(Neighbourhood.slug).order_by(Neighbourhood.id)))
        busiest = db.session.execute(
            select(Neighbourhood.slug, func.count(Activity.id))
            .join(Activity, Activity.neighbourhood_id == Neighbourhood.id)
            .group_by(Neighbourhood.id)
            .order_by(func.count(Activity.id).desc())
            .limit(1)
        ).one()
        upcoming = list(
            db.session.scalars(
                select(Activity.id).where(Activity.starts_at >= now).order_by(Activity.id)
            )
        )
        activities = rng.sample(upcoming, min(ACTIVITY_PAGES, len(upcoming)))
        titles = db.session.scalars(select(Activity.title).limit(5_000)).all()
        words = sorted({w.lower() for t in titles for w in WORD.findall(t) if len(w) > 3})
        searches = rng.sample(words, min(SEARCH_WORDS, len(words)))
        rule = city_rule(app)
        cities = (
            [
                rule.split("<")[0] + slug
                for slug in db.session.scalars(select(Municipality.slug).order_by(Municipality.id))
            ]
            if rule
            else []
        )
    pages = {
        "home": ["/"],
        "neighbourhood": [f"/wijk/{slug}" for slug in slugs],
        "busiest": [f"/wijk/{busiest[0]}"],
        "filter": [f"/wijk/{slug}?categorie={code}" for slug in slugs for code in CATEGORIES],
        "activity": [f"/activiteit/{item_id}" for item_id in activities],
        "search": [f"/zoeken?q={quote(word)}" for word in searches],
        "city": cities,
    }
    pages["mixed"] = [
        path
        for kind in ("home", "neighbourhood", "filter", "activity", "search", "city")
        for path in pages[kind]
    ]
    print(json.dumps({"busiest_activities": busiest[1], **pages}))


if __name__ == "__main__":
    main()
