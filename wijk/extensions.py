"""Extensions are created unbound here and bound to the app in create_app()."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any, cast

from flask import Flask, current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CursorResult, MetaData, UpdateBase
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

from wijk import ratelimits  # noqa: F401  (registers the wijk+sqlite:// limits storage)
from wijk.clock import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# A `Mapped[datetime]` is a UTC stamp; activity times declare LocalDateTime themselves.
Base.registry.update_type_annotation_map({datetime: UTCDateTime})


def client_key() -> str:
    """Rate-limit key: a keyed hash of the client address. It lives only in the limiter's
    storage (memory or Redis, with expiry); the address itself is never stored."""
    address = request.remote_addr or "unknown"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=client_key)


class DeferredMigrate:
    """Flask-Migrate, bound to one app only when a migration needs it: importing it
    loads Alembic, Mako, Pygments and every SQL dialect (some 11 MB), which a web worker
    never uses. `app.extensions["migrate"]` holds this stand-in; the first attribute
    asked of it (by `flask_migrate.upgrade()`, migrations/env.py or `flask db`) binds
    the real extension, which then replaces it there."""

    def __init__(self, app: Flask, sqlalchemy: SQLAlchemy, **options: Any) -> None:
        self._app, self._db, self._options = app, sqlalchemy, options
        self._bound: Any = None

    def load(self) -> Any:
        """The real configuration Flask-Migrate keeps for the app (adds `flask db`)."""
        if self._bound is None:
            from flask_migrate import Migrate  # noqa: PLC0415 (migrations only)

            Migrate(self._app, self._db, **self._options)
            self._bound = self._app.extensions["migrate"]
        return self._bound

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)


def changed_rows(
    statement: UpdateBase, session: Session | scoped_session[Session] | None = None
) -> int:
    """Run an INSERT, UPDATE or DELETE and return how many rows it matched. `execute` is
    typed to return a plain Result; for these statements it is a CursorResult."""
    result = (db.session if session is None else session).execute(statement)
    return cast(CursorResult[Any], result).rowcount
