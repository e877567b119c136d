"""Wijk: a neighbourhood platform whose personal data is hidden unless its owner says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, event, select
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from wijk import config, converters, idleping, languages, readonly  # noqa: F401  (readonly: its events)
from wijk.extensions import DeferredMigrate, babel, csrf, db, limiter, login_manager
from wijk.extensions import mail as mail_extension  # `wijk.mail` is the outbox package
from wijk.mail.devworker import start_inline_worker
from wijk.uploads import UploadRequest

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    # The factory alone imports every feature, when it builds an app: `import wijk.models`
    # (migrations, scripts, the personal-field probe) stays free of views and forms, and
    # every wijk module, which imports this package first, cannot close a cycle through it.
    from wijk import cards, errors, filters, layout, links, models, pagecache, security  # noqa: PLC0415 (factory)
    from wijk.cli import Commands  # noqa: PLC0415 (factory)
    from wijk.features import BLUEPRINTS  # noqa: PLC0415 (factory: every view module)
    from wijk.models.base import include_object  # noqa: PLC0415 (factory: the models)
    from wijk.statistics import counting  # noqa: PLC0415 (factory: the models)

    app = Flask(
        __name__,
        instance_path=os.environ.get("WIJK_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Before the blueprints, which add their own commands to app.cli.
    app.cli = Commands(app)
    config.load(app, test_config)
    app.request_class = UploadRequest
    app.jinja_environment = layout.Environment

    if app.config["PROXY_FIX_HOPS"]:
        hops = int(app.config["PROXY_FIX_HOPS"])
        # Werkzeug's documented way to wrap the WSGI app; mypy sees a method replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            idleping.register(app, engine)
    app.extensions["migrate"] = DeferredMigrate(
        app,
        db,
        directory=str(ROOT / "migrations"),
        compare_type=True,
        include_object=include_object,
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    mail_extension.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    languages.install_gettext(app)
    limiter.init_app(app)

    # Built once: the loader runs on every request of a logged-in person. It reads what
    # the account is appointed to, owns and follows in the same statement: every page
    # asks (the menu, the page cache, the follow box).
    user_by_token = select(models.User, security.permissions.APPOINTMENTS_WITH_TOKEN).where(
        models.User.session_token == bindparam("token")
    )

    @login_manager.user_loader
    def load_user(session_token: str):
        """Checked on every request, so an ended session (see User.end_sessions) is
        refused everywhere at once."""
        if not session_token or len(session_token) > 64:
            return None
        found = db.session.execute(user_by_token, {"token": session_token}).first()
        if found is None:
            return None
        user, appointments = found
        security.permissions.remember_appointments(user, appointments)
        return user

    login_manager.login_message = _l("Log in to continue.")

    converters.register(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.register(app)
    filters.register(app)
    security.register(app)
    pagecache.register(app)
    cards.register(app)
    layout.register(app)
    counting.register(app)
    links.register(app)  # last: it checks what the blueprints registered

    if _should_run_inline_worker(app):
        start_inline_worker(app)
    return app


def select_locale() -> str:
    """Dutch unless the visitor chose otherwise (kept in the session) or set it on the account."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and the outbox worker
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    requested = request.args.get("lang")
    if requested is not None and requested in languages:
        return requested
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _should_run_inline_worker(app: Flask) -> bool:
    """Only `flask run` on the embedded default drains the outbox in-process."""
    context = click.get_current_context(silent=True)
    return bool(
        context is not None
        and context.info_name == "run"
        and app.config["OUTBOX_INLINE_WORKER"]
        and not app.config.get("MAIL_SERVER")
        and not app.testing
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers and a writer work at once; foreign keys make CASCADE real."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # pysqlite opens a transaction just before the first write; make it BEGIN IMMEDIATE, so
    # the write lock is taken (waiting up to busy_timeout) when the transaction starts and
    # never by upgrading a read lock, which fails at once with "database is locked". Reads
    # outside a write stay outside any transaction and take no lock (public pages).
    dbapi_connection.isolation_level = "IMMEDIATE"
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
