"""Configuration defaults. Every key can be overridden from the environment with the
FLASK_ prefix (FLASK_SECRET_KEY, FLASK_MAIL_SERVER, ...); DATABASE_URL and REDIS_URL
are read without a prefix because that is what hosting platforms set."""

from __future__ import annotations

import base64
import os
import re
import secrets
from pathlib import Path

import click
from flask import Flask

from wijk import ratelimits

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    # A pooled PostgreSQL connection idle longer than this (seconds) is pinged before use
    # and replaced when it does not answer; one used more recently is not (wijk/idleping.py).
    "DATABASE_PING_AFTER": 1.0,
    # Language: Dutch by default; English, Turkish and Arabic on request. The one list of
    # interface languages: the switch, the account select and the mail read it, and each
    # entry but English (the msgids) has a complete catalogue (tests/test_i18n.py).
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": ["nl", "en", "tr", "ar"],
    # Mail. Without MAIL_SERVER, the outbox worker writes .eml files to MAIL_FILE_DIR.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Wijk <noreply@wijk.localhost>",
    "MAIL_FILE_DIR": None,  # default: <instance>/mail
    # Run a small outbox loop inside `flask run` so a newcomer sees mail without a
    # second process. Production runs `flask outbox` instead.
    "OUTBOX_INLINE_WORKER": True,
    "OUTBOX_INLINE_INTERVAL": 2.0,  # seconds between two looks of that in-process loop
    "OUTBOX_POLL_INTERVAL": 5.0,  # seconds between two looks of `flask outbox`
    "OUTBOX_MAX_ATTEMPTS": 8,
    "OUTBOX_CLAIM_TIMEOUT": 600,  # seconds before a crashed worker's claim is taken over
    # Retry delay after n failed attempts: BASE * 2**n seconds, at most CAP.
    "OUTBOX_BACKOFF_BASE": 30,
    "OUTBOX_BACKOFF_CAP": 4 * 3600,
    # Seconds a batch waits when the relay itself is down; no attempt is counted, because
    # an outage is not the message's fault.
    "OUTBOX_OUTAGE_DELAY": 60,
    "MAIL_TIMEOUT": 30,  # seconds before an SMTP connection or reply gives up
    "OUTBOX_BATCH_SIZE": 100,
    # The double-blind relay: answers go to r-<token>@RELAY_DOMAIN, which the mail server
    # hands to `flask relay-inbound` (docs/deploy.md). Mail larger than RELAY_MAX_BYTES is
    # refused; one side may write RELAY_DAILY_LIMIT messages a day through an alias.
    "RELAY_DOMAIN": "relay.wijk.localhost",
    "RELAY_MAX_BYTES": 1024 * 1024,
    "RELAY_DAILY_LIMIT": 20,
    # Versions of the documents a person accepts at registration. The terms are
    # templates/legal/_terms_body.html: raise TERMS_VERSION when they change; every text
    # served stays readable at /voorwaarden/versies (and /privacy/versies).
    "TERMS_VERSION": "2026-11",
    "PRIVACY_VERSION": "2026-11",
    "MINIMUM_AGE": 16,
    # Token lifetimes, in seconds.
    "VERIFY_TOKEN_MAX_AGE": 3 * 24 * 3600,
    "RESET_TOKEN_MAX_AGE": 2 * 3600,
    "EMAIL_CHANGE_TOKEN_MAX_AGE": 24 * 3600,
    "INVITE_TOKEN_MAX_AGE": 14 * 24 * 3600,
    "OFFER_DEFAULT_DAYS": 60,
    "PAGE_SIZE": 20,
    "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
    # A form with a file is read up to this size; a file beyond MAX_CONTENT_LENGTH is cut
    # while it streams in, so the form comes back with a message and the typed text.
    "UPLOAD_READ_LIMIT": 64 * 1024 * 1024,
    # Cookies: the session cookie is the only cookie the site sets.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "wijk_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # Rate limits (Flask-Limiter). Default: a SQLite file in the instance folder that every
    # worker process on the machine shares (wijk/ratelimits.py); Redis when REDIS_URL is
    # set, shared by every node. Never memory:// with more than one worker.
    "RATELIMIT_STORAGE_URI": None,
    # Cached public pages for anonymous visitors (wijk/pagecache.py): the store every
    # worker shares is Redis when REDIS_URL is set, else a SQLite file in the instance
    # folder (PAGE_CACHE_FILE); `memory` keeps pages per process. A page is served only
    # while its scopes' versions are current, until a date it shows is over, or the
    # next midnight, and for at most PAGE_CACHE_MAX_AGE s (a safety net).
    "PAGE_CACHE": True,
    "PAGE_CACHE_STORE": "auto",  # auto, file, redis or memory
    "PAGE_CACHE_MAX_AGE": 3600,
    "PAGE_CACHE_MAX_ENTRIES": 20_000,  # file and memory stores; Redis expires by age
    "PAGE_CACHE_FILE": None,  # default: <instance>/pagecache.sqlite
    "REDIS_URL": None,
    "RATELIMIT_HEADERS_ENABLED": False,
    "RATELIMIT_ENABLED": True,
    # Strict-Transport-Security, sent only on responses served over HTTPS (directly or
    # behind a proxy trusted with PROXY_FIX_HOPS). 0 switches it off. See docs/deploy.md.
    "HSTS_MAX_AGE": 365 * 24 * 3600,
    "HSTS_INCLUDE_SUBDOMAINS": False,
    "HSTS_PRELOAD": False,
    # Reverse proxies in front of the app (X-Forwarded-For/-Proto hops to trust).
    "PROXY_FIX_HOPS": 0,
    "SITE_NAME": "Wijk",
    "CONTROLLER_NAME": "Stichting Wijk",
    "CONTROLLER_CONTACT": "privacy@wijk.localhost",
    # Fernet key(s) that seal the copy of a deleted account (comma-separated: the first
    # encrypts, all decrypt, for rotation). Generated into the instance folder outside
    # production; without it in production, accounts cannot be deleted (see privacy).
    "SEALED_ACCOUNT_KEY": None,
    # Who processes data for the controller (shown on /privacy and in the register).
    # Each: role (hosting, mail, backup, other), name, location, and what it does.
    # Override with FLASK_PROCESSORS='[{"role": "hosting", ...}]' (JSON).
    "PROCESSORS": [
        {
            "role": "hosting",
            "name": "the controller's own server",
            "location": "the Netherlands (EU)",
            "task": "runs the site and its database",
        },
        {
            "role": "mail",
            "name": "the controller's own mail server",
            "location": "the Netherlands (EU)",
            "task": "delivers the site's e-mail",
        },
    ],
    # The data protection officer, or (DPO_NAME empty) why there is none.
    "DPO_NAME": None,
    "DPO_CONTACT": None,
    "DPO_NONE_REASON": "A foundation that does not process data on a large scale is not "
    "required to appoint one (GDPR art. 37).",
    # Accessibility statement (/toegankelijkheid), after the Dutch model statement.
    "ACCESSIBILITY_STATUS": "partial",  # full, partial or none (voldoet volledig/...)
    "ACCESSIBILITY_KNOWN_ISSUES": [],  # what does not meet WCAG 2.1 AA yet, as text
    "ACCESSIBILITY_CONTACT": None,  # default: CONTROLLER_CONTACT
    # `flask backup`: where the encrypted copies go, for how long, and the Fernet key(s)
    # (comma-separated: the first encrypts, all decrypt). Keep the key away from the
    # backups; see docs/deploy.md.
    "BACKUP_DIR": None,  # default: <instance>/backups
    "BACKUP_KEEP_DAYS": 42,
    "BACKUP_KEY": None,
    # The open-data API (/api/v1/): requests per client (keyed hash, never the address),
    # and the terms of reuse its document and /api state.
    "API_RATE_LIMIT": "60/minute;1000/hour",
    "API_LICENCE_NAME": "CC BY 4.0",
    "API_LICENCE_URL": "https://creativecommons.org/licenses/by/4.0/",
    # Origins (scheme://host[:port]) allowed to frame /embed/... pages, e.g. a
    # municipality's site: FLASK_EMBED_FRAME_ANCESTORS='["https://www.utrecht.nl"]'.
    # Empty: nobody may frame anything (frame-ancestors 'none' everywhere).
    "EMBED_FRAME_ANCESTORS": [],
    # Statistics without tracking (/statistieken, /transparantie): a figure below
    # STATS_MIN_COUNT is shown as "fewer than ..." and never exactly. Views are added up
    # in each process and written every STATS_FLUSH_SECONDS (0: in the request itself).
    "STATS_MIN_COUNT": 10,
    "STATS_FLUSH_SECONDS": 10,
}


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config: code defaults, then FLASK_* environment, then test overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env()
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(os.environ["DATABASE_URL"])
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    if test_config:
        app.config.from_mapping(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(app.instance_path) / 'wijk.sqlite'}"
    )
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = ratelimits.storage_uri(
            str(Path(app.instance_path) / "ratelimits.sqlite")
        )
    if not app.config.get("MAIL_FILE_DIR"):
        app.config["MAIL_FILE_DIR"] = str(Path(app.instance_path) / "mail")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A writer waits for another instead of failing with "database is locked".
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"timeout": 15})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    app.config["EMBED_FRAME_ANCESTORS"] = _frame_ancestors(app.config["EMBED_FRAME_ANCESTORS"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(app)
    if not app.config.get("SEALED_ACCOUNT_KEY") and _is_development(app):
        app.config["SEALED_ACCOUNT_KEY"] = _development_key(app, "sealed_account_key")
    if not app.config.get("BACKUP_DIR"):
        app.config["BACKUP_DIR"] = str(Path(app.instance_path) / "backups")
    if not app.config.get("BACKUP_KEY") and _is_development(app):
        app.config["BACKUP_KEY"] = _development_key(app, "backup_key")


def _normalise_db_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// forms hosts hand out; use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_ORIGIN = re.compile(rf"^https?://(\*\.)?{_LABEL}(\.{_LABEL})*(:[0-9]{{1,5}})?$")


def _frame_ancestors(value: object) -> tuple[str, ...]:
    """The origins that may frame embed pages, checked: each lands in a CSP header, so
    anything but a plain origin (a path, a quote, a semicolon) stops the start."""
    if value in (None, ""):
        return ()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise RuntimeError(
            "FLASK_EMBED_FRAME_ANCESTORS must be a JSON list of origins, for example "
            "'[\"https://www.utrecht.nl\"]'."
        )
    origins = tuple(v.strip().lower().rstrip("/") for v in value)
    wrong = [v for v in origins if not _ORIGIN.match(v)]
    if wrong:
        raise RuntimeError(
            f"FLASK_EMBED_FRAME_ANCESTORS holds {', '.join(map(repr, wrong))}: give origins "
            "only, as scheme://host or scheme://host:port (https://www.utrecht.nl)."
        )
    return origins


def _is_development(app: Flask) -> bool:
    """Development is the debugger, the test suite or any `flask ...` command.
    A WSGI server such as gunicorn is production."""
    return bool(
        app.debug
        or app.testing
        or os.environ.get("FLASK_RUN_FROM_CLI")
        or click.get_current_context(silent=True) is not None
    )


def _development_secret(app: Flask) -> str:
    """Generate a key once per instance folder, so links in mails survive a restart."""
    if not _is_development(app):
        raise RuntimeError(
            "FLASK_SECRET_KEY is not set. Wijk refuses to start in production without a "
            "secret key. Generate one with:  python -c 'import secrets; "
            "print(secrets.token_hex(32))'  and set it as FLASK_SECRET_KEY."
        )
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _development_key(app: Flask, name: str) -> str:
    """A Fernet key kept next to the secret key, so what it sealed stays readable. Made
    the way Fernet.generate_key() makes one, without importing cryptography (7 MB) into
    every web worker."""
    key_file = Path(app.instance_path) / name
    if not key_file.exists():
        key_file.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
