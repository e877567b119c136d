"""A web worker holds only what serving pages needs (issue 16: worker RSS <= 100 MB).
What the command line, migrations, Redis, iCal, pictures, newsletters and the QR code
need is imported where it is used; these tests fail when a module-level import brings
it back into every worker."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from babel import localedata

from wijk.languages import language_name, languages

ROOT = Path(__file__).resolve().parent.parent

# Top-level packages a worker serving pages never uses, with what loads them now.
RARELY_USED = {
    "flask_migrate": "migrations (flask db, upgrade)",
    "alembic": "migrations",
    "mako": "migrations (via Alembic)",
    "pygments": "migrations (via Mako)",
    "cryptography": "sealing a deleted account, backups",
    "redis": "the Redis page store (REDIS_URL)",
    "icalendar": "the calendar files",
    "PIL": "picture uploads",
    "markdown_it": "newsletters",
    "segno": "the two-step login QR code",
    "aiosmtpd": "the relay's inbound mail receiver (flask relay-inbound)",
}
COMMAND_MODULES = {
    f"wijk.{feature}.commands"
    for feature in (
        "admin",
        "backup",
        "contact",
        "content",
        "demo",
        "follows",
        "legal",
        "mail",
        "pictures",
        "privacy",
    )
}


def modules_after_importing_the_app(tmp_path: Path) -> set[str]:
    """sys.modules of a fresh interpreter that did what gunicorn does: `from app import
    app` on the machine-local default (SQLite, no Redis)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "WIJK_"))}
    for name in ("REDIS_URL", "DATABASE_URL"):
        env.pop(name, None)
    env.update(
        WIJK_INSTANCE_PATH=str(tmp_path),
        FLASK_SECRET_KEY="worker-memory-test-" * 3,
        FLASK_OUTBOX_INLINE_WORKER="false",
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys\nfrom app import app\nprint(json.dumps(sorted(sys.modules)))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_a_web_worker_does_not_import_the_rarely_used_libraries_nor_the_commands(tmp_path):
    loaded = modules_after_importing_the_app(tmp_path)
    assert {"wijk.features", "wijk.discover.views", "wijk.pictures.services"} <= loaded
    heavy = sorted({m.split(".")[0] for m in loaded} & set(RARELY_USED))
    assert heavy == [], [f"{name}: only for {RARELY_USED[name]}" for name in heavy]
    assert sorted(loaded & COMMAND_MODULES) == []


def test_the_commands_and_flask_db_are_there_when_a_command_line_asks(runner):
    listing = runner.invoke(args=["--help"])
    assert listing.exit_code == 0, listing.output
    for command in ("purge", "outbox", "backup", "relay-inbound", "demo", "db"):
        assert f"  {command} " in listing.output
    migrations = runner.invoke(args=["db", "current"])
    assert migrations.exit_code == 0, migrations.output


def test_the_language_menu_does_not_load_every_languages_locale_data(app, monkeypatch):
    """Naming the languages in the menu of every page reads each name from its own file,
    without keeping the whole locale (about 1 MB each) in Babel's cache."""
    loaded: list[str] = []
    real_load = localedata.load

    def load(name: str, merge_inherited: bool = True):
        loaded.append(name)
        return real_load(name, merge_inherited)

    monkeypatch.setattr(localedata, "load", load)
    language_name.cache_clear()
    try:
        names = dict(languages())
    finally:
        language_name.cache_clear()
    assert names == {"nl": "Nederlands", "en": "English", "tr": "Türkçe", "ar": "العربية"}
    assert loaded == []


def test_gunicorn_freezes_what_the_master_loaded_before_each_fork():
    settings: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)  # noqa: S102 (our own config)
    assert settings["preload_app"] is True
    try:
        settings["pre_fork"](None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
