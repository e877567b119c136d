"""Extensions are created unbound here and bound to the app in create_app()."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any, cast

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
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
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=client_key)


def changed_rows(
    statement: UpdateBase, session: Session | scoped_session[Session] | None = None
) -> int:
    """Run an INSERT, UPDATE or DELETE and return how many rows it matched. `execute` is
    typed to return a plain Result; for these statements it is a CursorResult."""
    result = (db.session if session is None else session).execute(statement)
    return cast(CursorResult[Any], result).rowcount
