"""Wijk benchmark: one command, see bench/README.md.

Seeds a database with `flask demo --activities 100000`, serves Wijk and the bare-Flask
ceiling with gunicorn (2 sync workers each) on loopback, loads both with wrk alternately
(A B A B) and prints requests/s and latency per page with the ratio to the ceiling; then
measures worker memory, newsletter queueing and outbox delivery against plain smtplib.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WRK_SCRIPT = ROOT / "bench" / "stats.lua"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def gunicorn(target: str, port: int, env: dict, chdir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        # Both servers get the production gunicorn.conf.py, with 2 sync workers.
        [
            str(BIN / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(chdir),
            "--log-level",
            "warning",
            "--no-sendfile",
            target,
        ],
        env=env,
        start_new_session=True,
    )


def wrk(url: str, seconds: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(WRK_SCRIPT), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def rss_mb(master: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master)."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def seed(env: dict, activities: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "flask"), "demo", "--activities", str(activities)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def targets(env: dict) -> dict[str, str]:
    """Paths of the pages to load: home, busiest neighbourhood, an item, a search."""
    code = r"""
import json
from sqlalchemy import func, select
from wijk import create_app
from wijk.extensions import db
from wijk.models import Activity, Neighbourhood
from wijk.clock import local_now
app = create_app()
with app.app_context():
    now = local_now()
    busiest = db.session.execute(
        select(Neighbourhood.slug, Neighbourhood.id, func.count(Activity.id).label("n"))
        .join(Activity, Activity.neighbourhood_id == Neighbourhood.id)
        .where(Activity.starts_at >= now).group_by(Neighbourhood.id)
        .order_by(func.count(Activity.id).desc()).limit(1)).one()
    item = db.session.scalar(select(Activity.id).where(
        Activity.neighbourhood_id == busiest.id, Activity.starts_at >= now).limit(1))
    print(json.dumps({"slug": busiest.slug, "upcoming": busiest.n, "item": item}))
"""
    out = subprocess.run(
        [str(BIN / "python"), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    return {
        "home": "/",
        f"neighbourhood ({found['upcoming']} upcoming)": f"/wijk/{found['slug']}",
        "item": f"/activiteit/{found['item']}",
        "search": "/zoeken?q=koffie",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="A B pairs per page")
    parser.add_argument("--keep", action="store_true", help="keep the seeded instance")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="wijk-bench-"))
    # Rate limits would answer most of wrk's requests with 429 (search allows 60 a minute
    # per client); the benchmark measures pages, so they are off here.
    env = {
        **os.environ,
        "WIJK_INSTANCE_PATH": str(instance),
        "FLASK_SECRET_KEY": "bench" * 8,
        "FLASK_OUTBOX_INLINE_WORKER": "false",
        "FLASK_RATELIMIT_ENABLED": "false",
    }
    env.pop("FLASK_DEBUG", None)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, database: {env.get('DATABASE_URL', 'SQLite (WAL)')}"
    )
    print(f"seeding {args.activities} activities ...", flush=True)
    print(f"  seeded in {seed(env, args.activities):.1f} s")
    pages = targets(env)

    app_port, ceiling_port = free_port(), free_port()
    app_server = gunicorn("app:app", app_port, env, ROOT)
    ceiling = gunicorn("ceiling:app", ceiling_port, env, ROOT / "bench")
    try:
        wait_for(f"http://127.0.0.1:{app_port}/")
        wait_for(f"http://127.0.0.1:{ceiling_port}/")
        rows = []
        for name, path in pages.items():
            a_url = f"http://127.0.0.1:{app_port}{path}"
            b_url = f"http://127.0.0.1:{ceiling_port}{path}"
            status = urllib.request.urlopen(a_url, timeout=10).status
            wrk(a_url, 2)  # warm up both
            wrk(b_url, 2)
            runs_a, runs_b = [], []
            for _ in range(args.rounds):
                runs_a.append(wrk(a_url, args.seconds))
                runs_b.append(wrk(b_url, args.seconds))
            a = {k: sum(r[k] for r in runs_a) / len(runs_a) for k in ("rps", "p50", "p95", "p99")}
            b = {k: sum(r[k] for r in runs_b) / len(runs_b) for k in ("rps", "p50", "p95", "p99")}
            errors = sum(r["errors"] for r in runs_a)
            rows.append((name, status, a, b, errors))
        rss = rss_mb(app_server)
    finally:
        for server in (app_server, ceiling):
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    print(
        "\npage                                   status   req/s  ceiling  ratio   p50 ms"
        "   p95 ms   p99 ms  errors"
    )
    for name, status, a, b, errors in rows:
        ratio = a["rps"] / b["rps"]
        print(
            f"{name:<38} {status:>6} {a['rps']:>7.0f} {b['rps']:>8.0f} {ratio:>6.2f}"
            f" {a['p50']:>8.2f} {a['p95']:>8.2f} {a['p99']:>8.2f} {errors:>7}"
        )
    print(f"\ngunicorn worker RSS after the run: {', '.join(f'{r:.0f} MB' for r in rss)}")

    mail = subprocess.run(
        [str(BIN / "python"), str(ROOT / "bench" / "mail.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    print(mail.stdout.strip() or mail.stderr.strip())
    if args.keep:
        print(f"\ninstance kept in {instance}")


if __name__ == "__main__":
    main()
