"""Response headers that hold the privacy promises: no third parties, no inline code."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from wijk.security.permissions import template_helpers

_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
)
CSP = _POLICY + "frame-ancestors 'none'"
# Answers that belong to no visitor: the open-data API and the embeddable agendas. They
# never set a cookie, whatever cookie the request carried.
STATELESS_PREFIXES = ("/api/", "/embed/")


def allow_framing(origins: Sequence[str]) -> None:
    """Let these origins (checked in wijk.config) frame the current response; without
    any, the response keeps frame-ancestors 'none' like every other one."""
    g.frame_ancestors = tuple(origins)


def frame_policy(origins: Sequence[str]) -> str:
    return _POLICY + "frame-ancestors " + (" ".join(origins) if origins else "'none'")


def register(app: Flask) -> None:
    app.context_processor(template_helpers)

    @app.after_request
    def security_headers(response: Response) -> Response:
        framers = g.get("frame_ancestors") if has_request_context() else None
        if framers:  # X-Frame-Options cannot name origins; CSP frame-ancestors does
            response.headers["Content-Security-Policy"] = frame_policy(framers)
            response.headers.pop("X-Frame-Options", None)
        else:
            response.headers.setdefault("Content-Security-Policy", CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        if request.is_secure and app.config.get("HSTS_MAX_AGE"):
            response.headers.setdefault("Strict-Transport-Security", hsts_value(app))
        return response

    app.session_interface = SecureWhenHttpsSessionInterface()
    # Werkzeug's documented way to wrap the WSGI app; mypy sees a method replaced.
    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)  # type: ignore[method-assign]


def hsts_value(app: Flask) -> str:
    value = f"max-age={int(app.config['HSTS_MAX_AGE'])}"
    if app.config.get("HSTS_INCLUDE_SUBDOMAINS"):
        value += "; includeSubDomains"
    if app.config.get("HSTS_PRELOAD"):
        value += "; preload"
    return value


class SecureCookiesOverHttps:
    """WSGI middleware: over HTTPS every cookie is Secure, whoever set it (the session,
    Flask-Login's remember cookie, anything added later). It wraps the ProxyFix, which
    rewrites `wsgi.url_scheme` in place, so a proxy's X-Forwarded-Proto counts once
    FLASK_PROXY_FIX_HOPS trusts it."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def secure_start_response(status, headers, exc_info=None):
            if environ.get("wsgi.url_scheme") == "https":
                headers = [
                    (name, _secure(value) if name.lower() == "set-cookie" else value)
                    for name, value in headers
                ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


def _secure(cookie: str) -> str:
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    return cookie if "secure" in attributes else cookie + "; Secure"


class SecureWhenHttpsSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS; behind a
    configured ProxyFix that includes X-Forwarded-Proto: https."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def save_session(self, app: Flask, session, response: Response) -> None:
        if has_request_context() and request.path.startswith(STATELESS_PREFIXES):
            return
        super().save_session(app, session, response)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per set of keys instead of twice a request
        (opening and saving the session): building one runs its serializer to learn
        whether it writes text, which cost more than signing the cookie. A new
        SECRET_KEY or SECRET_KEY_FALLBACKS builds a new one."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = super().get_signing_serializer(app)
            if found is not None:
                self._serializers = {keys: found}
        return found

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or (
            has_request_context() and request.is_secure
        )
