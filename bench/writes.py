"""The writer beside the mixed-URL load: one write a second, alternately a sign-up for
an upcoming activity and an edit of an activity's description, each committed through
the ORM like a request would (so the page versions of its neighbourhood go up in the
same transaction). Runs until SIGTERM, then prints how many writes it made."""

from __future__ import annotations

import random
import signal
import sys
import time

from sqlalchemy import select

from wijk import create_app
from wijk.clock import local_now
from wijk.extensions import db
from wijk.models import Activity
from wijk.signups import services as signups

running = True


def stop(*_args) -> None:
    global running
    running = False


def main() -> None:
    signal.signal(signal.SIGTERM, stop)
    rng = random.Random(16)
    app = create_app()
    writes = 0
    with app.app_context():
        upcoming = list(
            db.session.scalars(
                select(Activity.id).where(Activity.starts_at >= local_now()).limit(20_000)
            )
        )
        next_at = time.monotonic()
        while running:
            # A request context, as in a request: the confirmation mail builds its links.
            with app.test_request_context("/", base_url="http://wijk.bench"):
                activity = db.session.get(Activity, rng.choice(upcoming))
                assert activity is not None
                if writes % 2 == 0:
                    signups.sign_up(activity, "Bench Bezoeker", f"bench{writes}@example.net")
                else:
                    kept = activity.description.split("<!--")[0]
                    activity.description = f"{kept}<!--{writes}-->"
                    db.session.commit()
                db.session.remove()
            writes += 1
            next_at += 1.0
            time.sleep(max(0.0, next_at - time.monotonic()))
    print(f"{writes} writes")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
