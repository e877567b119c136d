"""The one URL converter for ids. Every `<int:...>` in a route is an id (or a small
number such as a picture width). Ids are INTEGER columns, 32-bit signed on PostgreSQL,
which refuses to compare them with a larger number; an id outside that range is a page
that does not exist (404), never an error from the database."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    """Before any blueprint: rules pick their converter when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["id"] = IdConverter
