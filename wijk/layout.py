"""Parts of a page that are the same for every visitor of a language: the layout's links,
menu, language list and footer (templates/base.html) and the blank relay contact form.
Every page paid for them in Jinja calls (a gettext and a url_for per link); each process
now renders each part once per language and reuses it.

A part is a `{% call once("name") %}...{% endcall %}` block. Its key holds every input
such a part may read: the language (and so its direction and catalogue), the configured
languages and the path the app is mounted under (the root of each relative link); the
memo belongs to the app. A part never holds anything of the viewer: what is per request
(the CSRF token, a form's `next`, the account menu, flashed messages) stays outside the
block, and asking for a CSRF token or a personal fragment inside one is an error.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask.templating import Environment as FlaskEnvironment
from flask_babel import get_locale
from markupsafe import Markup

from wijk.languages import text_direction

KEPT = 256  # parts per process: a handful of names times the configured languages


class SharedPartError(RuntimeError):
    """Something of one visitor was asked for while a shared part rendered."""


def rendering_shared_part() -> bool:
    return bool(g.get("layout_part_rendering")) if has_request_context() else False


def refuse_in_shared_part(what: str) -> None:
    """Called by what is per visitor (CSRF tokens, personal fragments)."""
    if rendering_shared_part():
        raise SharedPartError(f"{what} inside a {{% call once(...) %}} block")


def _key(name: str) -> tuple:
    locale = str(get_locale() or "")
    root = request.script_root if has_request_context() else ""
    languages = tuple(current_app.config.get("LANGUAGES", ()))
    return (name, locale, text_direction(locale) if locale else "", languages, root)


def once(name: str, caller: Callable[[], str]) -> Markup:
    """The output of the block calling this, rendered once per process and key."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    parts: dict[tuple, Markup] = app.extensions["wijk_layout_parts"]
    key = _key(name)
    found = parts.get(key)
    if found is not None:
        return found
    outer = g.get("layout_part_rendering") if has_request_context() else None
    if has_request_context():
        g.layout_part_rendering = True
    try:
        found = Markup(caller())  # noqa: S704 (a rendered template block)
    finally:
        if has_request_context():
            g.layout_part_rendering = outer
    if len(parts) >= KEPT:
        parts.clear()
    parts[key] = found
    return found


class Environment(FlaskEnvironment):
    """Jinja's environment with each template's globals the environment's own dict rather
    than a ChainMap over it. Jinja copies a template's globals into every context (each
    render, include and macro import: a dozen per page) and subtracts their keys from a set
    at every `{% from ... import %}` (37 us each): over a ChainMap both ran key by key in
    Python. No template here has globals of its own; one that has keeps the ChainMap."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return self.globals if not d else super().make_globals(d)


def register(app: Flask) -> None:
    app.extensions["wijk_layout_parts"] = {}
    app.jinja_env.globals["once"] = once
