"""`url_for` for templates, kept per process and app.

A rendered neighbourhood page builds some thirty links; Flask's url_for finds the
request's URL adapter, runs the url-default hooks and builds the rule each time (about
12 µs a link, a tenth of the page's template time). A link is a pure function of the
endpoint, its values and the parts of the request the adapter reads (host, server name
and port, script root, scheme; the blueprint for a relative endpoint), given the app's
URL map and config. Wijk registers no url_defaults or url_value_preprocessor hooks that
could add more (register refuses an app with them). So each app keeps the links it built
under exactly those inputs and asks Flask on a miss; outside a request (mail rendered by
a command) and for a value that is not hashable, Flask answers every time.

Item links differ only in the item's id, and a page of new cards would miss the memo with
every one: `url_for_id` keeps the link's text around the id instead (its shape), once per
endpoint, other values and request, and puts the id in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask import url_for as flask_url_for

KEPT = 4096  # links per process (~1 MB at most); a full memo starts again
SHAPES_KEPT = 256  # link shapes per process: endpoints x kinds x hosts; a full memo starts again
EXTENSION = "wijk.links"

# Ids that no link shows otherwise: a shape is taken when both give the same text around them.
_PROBES = (7305486191, 6219043875)


def _request_key(endpoint: str) -> tuple:
    """The parts of the request a link built for `endpoint` depends on."""
    environ = request.environ
    return (
        endpoint,
        request.blueprint if endpoint.startswith(".") else None,
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("SCRIPT_NAME"),
        environ.get("wsgi.url_scheme"),
    )


def _memoised(kept: int) -> Callable[..., str]:
    links: dict[tuple, str] = {}

    def url_for(endpoint: str, **values: Any) -> str:
        if not has_request_context():
            return flask_url_for(endpoint, **values)
        try:
            key = (*_request_key(endpoint), frozenset(values.items()))
            found = links.get(key)
        except TypeError:  # an unhashable value
            return flask_url_for(endpoint, **values)
        if found is None:
            found = flask_url_for(endpoint, **values)
            if len(links) >= kept:
                links.clear()
            links[key] = found
        return found

    return url_for


def _built(endpoint: str, name: str, value: Any, values: dict[str, Any]) -> str:
    with_id: dict[str, Any] = {**values, name: value}
    return flask_url_for(endpoint, **with_id)


def _shape(endpoint: str, name: str, values: dict[str, Any]) -> tuple[str, str] | None:
    """The text before and after the id in the link Flask builds, or None when the link is
    not that text around the id's digits (then Flask builds each one)."""
    built = [_built(endpoint, name, probe, values) for probe in _PROBES]
    parts = built[0].split(str(_PROBES[0]))
    if len(parts) != 2 or built[1] != str(_PROBES[1]).join(parts):
        return None
    if _built(endpoint, name, 1, values) != "1".join(parts):  # e.g. fixed digits
        return None
    return parts[0], parts[1]


class _Shapes:
    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.shapes: dict[tuple, tuple[str, str] | None] = {}

    def url_for_id(self, endpoint: str, name: str, value: int, values: dict[str, Any]) -> str:
        key = (*_request_key(endpoint), name, frozenset(values.items()))
        try:
            shape = self.shapes[key]
        except KeyError:
            shape = _shape(endpoint, name, values)
            if len(self.shapes) >= self.kept:
                self.shapes.clear()
            self.shapes[key] = shape
        if shape is None:
            return _built(endpoint, name, value, values)
        return f"{shape[0]}{value}{shape[1]}"


def url_for_id(endpoint: str, name: str, value: int, **values: Any) -> str:
    """`url_for(endpoint, **values, name=value)` for an integer id (an item's link), built
    from the link's shape for those values in this request. Plain str values only: an
    external link, an anchor, anything else and an id that is not a non-negative int are
    built by Flask."""
    if (
        type(value) is not int
        or value < 0
        or not has_request_context()
        or any(key.startswith("_") or type(v) is not str for key, v in values.items())
    ):
        return _built(endpoint, name, value, values)
    shapes = current_app.extensions.get(EXTENSION)
    if shapes is None:  # an app without wijk.links
        return _built(endpoint, name, value, values)
    return shapes.url_for_id(endpoint, name, value, values)


def register(app: Flask) -> None:
    """Call after every blueprint is registered."""
    if any(app.url_default_functions.values()) or any(app.url_value_preprocessors.values()):
        raise RuntimeError("wijk.links keys links by request and values alone: no url_defaults")
    app.jinja_env.globals["url_for"] = _memoised(KEPT)
    app.extensions[EXTENSION] = _Shapes(SHAPES_KEPT)
