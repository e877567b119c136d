"""Limits hold under the shipped gunicorn.conf.py with several workers: the counts are
shared between the worker processes (a SQLite file by default, Redis with REDIS_URL)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(base: str, path: str, data: dict) -> int:
    body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(base + path, data=body, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_for(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn stopped:\n" + log.read_text())
        try:
            with urllib.request.urlopen(base + "/robots.txt", timeout=5):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer:\n" + log.read_text())


@pytest.fixture
def gunicorn(_schema, tmp_path):
    url, _ = _schema
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "WIJK_"))}
    env.pop("REDIS_URL", None)  # the machine-local default must hold by itself
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    env.update(
        {
            "DATABASE_URL": url,
            "FLASK_SECRET_KEY": "gunicorn-test",
            "FLASK_WTF_CSRF_ENABLED": "false",
            "WIJK_INSTANCE_PATH": str(tmp_path),
            "WIJK_BIND": f"127.0.0.1:{port}",
            "WIJK_WORKERS": "3",
        }
    )
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, process, log)
        yield base, log
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        process.wait(timeout=30)


def test_three_gunicorn_workers_let_at_most_ten_wrong_logins_through(gunicorn, make_user):
    base, log = gunicorn
    user = make_user()
    wrong = [
        post(base, "/inloggen", {"email": user.email, "password": f"fout {n}"}) for n in range(25)
    ]
    assert wrong.count(400) <= 10 and wrong.count(429) >= 15, wrong
    # The right password waits, too: the limit is per account, on every worker.
    assert (
        post(base, "/inloggen", {"email": user.email, "password": "correct horse battery"}) == 429
    )
    assert log.read_text().count("Booting worker") == 3


def test_gunicorn_refuses_in_memory_limits_with_several_workers(tmp_path):
    env = {
        **os.environ,
        "FLASK_RATELIMIT_STORAGE_URI": "memory://",
        "WIJK_WORKERS": "3",
        "FLASK_SECRET_KEY": "x",
        "WIJK_INSTANCE_PATH": str(tmp_path),
        "WIJK_BIND": f"127.0.0.1:{free_port()}",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "more than one gunicorn worker" in result.stdout + result.stderr
