"""Wijk benchmark: one command, see bench/README.md.

Seeds a database with `flask demo --activities 100000` (SQLite in a fresh instance
folder, or the PostgreSQL database given with --database-url), serves Wijk and the
bare-Flask ceiling with gunicorn (2 sync workers each) on loopback and loads both with
`wrk -t2 -c16` alternately (A B A B), each request picking a path at random from the
same list:

- rendered: the page cache off, per kind of page (neighbourhoods, the busiest one,
  activities, searches, city pages when they exist);
- mixed: every public URL of the seed (>= 2,000), with the page cache on, as an
  anonymous visitor, as a logged-in resident, and anonymous with one write a second
  (bench/writes.py) going on beside it.

Prints requests/s and latency with the ratio to the ceiling, the workers' memory, and
(on SQLite) the mail figures of bench/mail.py.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MIXED = ROOT / "bench" / "mixed.lua"
RESIDENT = ("anna@example.org", "wijk-demo-2026")  # a demo resident (flask demo)
RENDERED_KINDS = ("neighbourhood", "busiest", "activity", "search", "city")
STAT_KEYS = ("rps", "p50", "p95", "p99")


def free_port() -> int:
    """A free port of BENCH_PORTS (the range this machine gives the benchmark)."""
    first, last = (int(n) for n in os.environ.get("BENCH_PORTS", "51400-51499").split("-"))
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            if port not in _taken:
                _taken.add(port)
                return port
    raise RuntimeError(f"no free port in {first}-{last}")


_taken: set[int] = set()


def wait_for(url: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
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


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def wrk(base: str, paths: Path, seconds: int, cookie: str = "") -> dict:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(MIXED), base, "--"]
        + [str(paths), cookie],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def rss_mb(master: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master). Also prints
    their PSS and the master's: with preload_app, RSS counts the pages a worker shares
    with the master in full, PSS divides them among the processes that share them."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    pss = {}
    for name, pid in [("master", str(master.pid))] + [(f"worker {p}", p) for p in children]:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss[name] = int(line.split()[1]) / 1024
    print("  PSS: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in pss.items()), flush=True)
    return sizes


def reset_postgresql(url: str) -> None:
    """Create the bench database if needed and empty it (never point this at real data)."""
    import psycopg  # noqa: PLC0415 (only the PostgreSQL mode needs it)

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    name = urllib.parse.urlsplit(plain).path.lstrip("/")
    server = plain.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def vacuum_postgresql(url: str) -> None:
    """VACUUM ANALYZE after the bulk load, as autovacuum does on a live database: without
    the visibility map a freshly loaded table answers index-only scans from the heap (the
    first search took a second)."""
    import psycopg  # noqa: PLC0415 (only the PostgreSQL mode needs it)

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


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


def url_lists(env: dict, folder: Path) -> tuple[dict[str, Path], dict]:
    """bench/urls.py's lists, each written to a file for mixed.lua."""
    out = subprocess.run(
        [str(BIN / "python"), str(ROOT / "bench" / "urls.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    files = {}
    for kind, paths in found.items():
        if isinstance(paths, list) and paths:
            files[kind] = folder / f"{kind}.txt"
            files[kind].write_text("\n".join(paths) + "\n")
    return files, found


def resident_cookie(base: str) -> str:
    """The session cookie of a demo resident, logged in through the real login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/inloggen", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    data = {"email": RESIDENT[0], "password": RESIDENT[1]}
    if token:
        data["csrf_token"] = token.group(1)
    opener.open(f"{base}/inloggen", urllib.parse.urlencode(data).encode(), timeout=30).read()
    cookies = {c.name: c.value for c in jar}
    if "wijk_session" not in cookies:
        raise RuntimeError("logging in the resident gave no session cookie")
    page = opener.open(f"{base}/", timeout=30).read().decode()
    if "uitloggen" not in page.lower():
        raise RuntimeError("the resident's cookie does not log in")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def compare(app: str, ceiling: str, paths: Path, args, cookie: str = "", warm: int = 3) -> dict:
    """A B A B: Wijk and the ceiling on the same path list, averaged over the rounds."""
    wrk(app, paths, warm, cookie)
    wrk(ceiling, paths, warm)
    runs_a, runs_b = [], []
    for _ in range(args.rounds):
        runs_a.append(wrk(app, paths, args.seconds, cookie))
        runs_b.append(wrk(ceiling, paths, args.seconds))
    a = {k: sum(r[k] for r in runs_a) / len(runs_a) for k in STAT_KEYS}
    b = {k: sum(r[k] for r in runs_b) / len(runs_b) for k in STAT_KEYS}
    a["errors"] = sum(r["errors"] for r in runs_a)
    return {"app": a, "ceiling": b, "ratio": a["rps"] / b["rps"]}


def visit_all(base: str, paths: Path, cookie: str = "", threads: int = 8) -> dict:
    """Every path once, `threads` at a time: the first visits after a start (each page
    rendered and stored), timed. What follows is measured on a site in steady state,
    where each public page has been asked for once since it last changed."""
    found = [line for line in paths.read_text().splitlines() if line]
    headers = {"Cookie": cookie} if cookie else {}

    def visit(path: str) -> float:
        started = time.perf_counter()
        request = urllib.request.Request(base + path, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        times = sorted(pool.map(visit, found))
    seconds = time.perf_counter() - started
    return {
        "urls": len(found),
        "seconds": seconds,
        "rps": len(found) / seconds,
        "p50": times[len(times) // 2],
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
    }


def one_at_a_time(bases: tuple[str, str], paths: Path, count: int) -> tuple[dict, dict]:
    """Latency of single requests (no other load), over the first `count` paths of the
    list: what one visitor waits for a page that is rendered. Wijk and the ceiling are
    asked in turn, request by request, so a slow spell of a noisy machine falls on both
    (asked one after the other, the ceiling's own p50 varied from 2.5 to 4.5 ms)."""
    found = [line for line in paths.read_text().splitlines() if line][:count]
    times: tuple[list[float], list[float]] = ([], [])
    for path in found * max(1, count // len(found)):
        for base, measured in zip(bases, times, strict=True):
            started = time.perf_counter()
            with urllib.request.urlopen(base + path, timeout=30) as response:
                response.read()
            measured.append((time.perf_counter() - started) * 1000)
    return _latency(times[0]), _latency(times[1])


def _latency(times: list[float]) -> dict:
    times.sort()
    return {
        "p50": times[len(times) // 2],
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "max": times[-1],
    }


def table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(
        f"{'':<34} {'req/s':>7} {'ceiling':>8} {'ratio':>6} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'p99 ms':>8} {'ceil p99':>8} {'errors':>7}"
    )
    for name, row in rows.items():
        a, b = row["app"], row["ceiling"]
        print(
            f"{name:<34} {a['rps']:>7.0f} {b['rps']:>8.0f} {row['ratio']:>6.2f}"
            f" {a['p50']:>8.2f} {a['p95']:>8.2f} {a['p99']:>8.2f} {b['p99']:>8.2f}"
            f" {a['errors']:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="A B pairs per measurement")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL mode: seed and measure this database (it is emptied first)",
    )
    parser.add_argument("--instance", help="reuse an instance folder seeded before")
    parser.add_argument(
        "--only", choices=("rendered", "mixed"), help="one half of the run (default: both)"
    )
    parser.add_argument(
        "--single", type=int, default=200, help="requests one at a time per kind of page"
    )
    parser.add_argument("--no-mail", action="store_true", help="skip bench/mail.py")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    # Stopped with SIGTERM, still stop the servers (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    instance = Path(args.instance or tempfile.mkdtemp(prefix="wijk-bench-"))
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
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    database = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    store = "Redis" if env.get("REDIS_URL") else "SQLite file"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, database: {database}, page store: {store}"
    )
    if not args.instance:
        if args.database_url:
            reset_postgresql(args.database_url)
        print(f"seeding {args.activities} activities ...", flush=True)
        print(f"  seeded in {seed(env, args.activities):.1f} s")
        if args.database_url:
            vacuum_postgresql(args.database_url)
    files, found = url_lists(env, instance)
    print(
        f"URLs: {len(found['mixed'])} distinct in the mix ({len(found['neighbourhood'])}"
        f" neighbourhoods, {len(found['filter'])} category filters, {len(found['activity'])}"
        f" activities, {len(found['search'])} searches, {len(found['city'])} city pages);"
        f" the busiest neighbourhood has {found['busiest_activities']} activities",
        flush=True,
    )

    results: dict = {"database": database, "store": store, "urls": len(found["mixed"])}
    ceiling_port = free_port()
    ceiling = gunicorn("ceiling:app", ceiling_port, env, ROOT / "bench")
    ceiling_base = f"http://127.0.0.1:{ceiling_port}"
    try:
        wait_for(ceiling_base + "/")
        if args.only in (None, "rendered"):
            results["rendered"], results["rss_rendered"] = rendered(env, files, ceiling_base, args)
        if args.only in (None, "mixed"):
            results["mixed"], results["rss_mixed"] = mixed(env, files, ceiling_base, args, instance)
    finally:
        stop(ceiling)

    if "rendered" in results:
        table("rendered every time (page cache off), paths of one kind", results["rendered"])
        print(
            f"\n{'one request at a time, rendered':<34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
            f" {'ceil p50':>8} {'ceil p99':>8}"
        )
        for name, row in results["rendered"].items():
            a, b = row["single"], row["ceiling_single"]
            print(
                f"{name:<34} {a['p50']:>8.2f} {a['p99']:>8.2f} {a['max']:>8.2f}"
                f" {b['p50']:>8.2f} {b['p99']:>8.2f}"
            )
    if "mixed" in results:
        first = results["mixed"].pop("first visits")
        print(
            f"\nfirst visit of each of the {first['urls']} URLs after the start, 8 at a time"
            f" (every page rendered and stored): {first['seconds']:.1f} s, {first['rps']:.0f}"
            f" req/s, p50 {first['p50']:.1f} ms, p99 {first['p99']:.1f} ms"
        )
        table(f"mixed: {len(found['mixed'])} public URLs, page cache on", results["mixed"])
        results["mixed"]["first visits"] = first
    for phase in ("rendered", "mixed"):
        if f"rss_{phase}" in results:
            sizes = ", ".join(f"{mb:.0f} MB" for mb in results[f"rss_{phase}"])
            print(f"gunicorn worker RSS after the {phase} runs: {sizes}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))

    if not args.no_mail and not args.database_url:
        mail = subprocess.run(
            [str(BIN / "python"), str(ROOT / "bench" / "mail.py")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        print(mail.stdout.strip() or mail.stderr.strip())
    print(f"\ninstance: {instance}")


def serve_app(env: dict, **config: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = gunicorn("app:app", port, {**env, **config}, ROOT)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/")
    return server, base


def rendered(env: dict, files: dict[str, Path], ceiling: str, args) -> tuple[dict, list]:
    server, base = serve_app(env, FLASK_PAGE_CACHE="false")
    rows = {}
    try:
        for kind in RENDERED_KINDS:
            if kind in files:
                print(f"  rendered: {kind} ...", flush=True)
                rows[kind] = compare(base, ceiling, files[kind], args)
                rows[kind]["single"], rows[kind]["ceiling_single"] = one_at_a_time(
                    (base, ceiling), files[kind], args.single
                )
        rss = rss_mb(server)
    finally:
        stop(server)
    return rows, rss


def mixed(
    env: dict, files: dict[str, Path], ceiling: str, args, instance: Path
) -> tuple[dict, list]:
    for leftover in instance.glob("pagecache.sqlite*"):
        leftover.unlink()
    server, base = serve_app(env)
    rows: dict = {}
    try:
        print("  mixed: first visit of every URL (8 at a time) ...", flush=True)
        rows["first visits"] = visit_all(base, files["mixed"])
        print("  mixed: anonymous ...", flush=True)
        rows["anonymous"] = compare(base, ceiling, files["mixed"], args)
        print("  mixed: logged-in resident ...", flush=True)
        cookie = resident_cookie(base)
        rows["logged-in resident"] = compare(base, ceiling, files["mixed"], args, cookie)
        print("  mixed: anonymous, one write a second ...", flush=True)
        writer = subprocess.Popen(
            [str(BIN / "python"), str(ROOT / "bench" / "writes.py")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            time.sleep(2)
            rows["anonymous, 1 write/s"] = compare(base, ceiling, files["mixed"], args)
        finally:
            writer.send_signal(signal.SIGTERM)
            out, _ = writer.communicate(timeout=30)
            print(f"  writer: {out.strip()}")
        rss = rss_mb(server)
    finally:
        stop(server)
    return rows, rss


if __name__ == "__main__":
    main()
