"""The one description of the open-data API: each response shape and query parameter is
declared once, here, as Python. The same objects turn an ItemView into JSON (`Shape.dump`),
parse the query string (`Param.parse`) and write the OpenAPI document (`openapi`), so the
document cannot say something the responses do not do.

A library (pydantic, marshmallow + apispec) would do the same with a second set of
classes beside the gate's frozen views; these few dozen lines keep the gate's ItemView
the only model of public output and add no runtime dependency."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from wijk.clock import local_zone
from wijk.converters import ID_MAX

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_PATTERN = SLUG.pattern
# Row ids are INTEGER columns (PostgreSQL int4): a larger number can name no row, and
# PostgreSQL refuses to compare the column with it, so it never reaches a query.
ROW_ID_MAX = ID_MAX


def is_slug(text: str) -> bool:
    """A slug as the admin forms and slugify make them; anything else names nothing."""
    return len(text) <= 100 and SLUG.match(text) is not None


class BadParameter(ValueError):
    """A query parameter the API cannot use; answered with 400 naming the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


# --- values -----------------------------------------------------------------------------


def local_time(value: datetime | None) -> str | None:
    """An activity's wall-clock time in Amsterdam, as RFC 3339 with its offset."""
    if value is None:
        return None
    return value.replace(tzinfo=local_zone()).isoformat()


def stamp(value: datetime | None) -> str | None:
    """A UTC stamp as RFC 3339."""
    return value.isoformat() if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- response shapes --------------------------------------------------------------------


@dataclass(frozen=True)
class Prop:
    """One property of a response object: its JSON schema and where its value comes from.
    Every property is always present (null when it has no value), so all are required."""

    name: str
    type: str  # string, integer, boolean, array or object
    get: Callable[[Any], Any]
    description: str = ""
    format: str | None = None
    nullable: bool = False
    enum: Sequence[str] | None = None
    shape: Shape | None = None  # an object, or the items of an array
    items: dict[str, Any] | None = None  # the items of an array of scalars

    def schema(self) -> dict[str, Any]:
        if self.shape is not None and self.type == "object":
            ref: dict[str, Any] = {"$ref": f"#/components/schemas/{self.shape.name}"}
            if self.nullable:  # OpenAPI 3.0: a $ref takes no siblings
                return {"allOf": [ref], "nullable": True, "description": self.description}
            return ref
        found: dict[str, Any] = {"type": self.type}
        if self.description:
            found["description"] = self.description
        if self.format:
            found["format"] = self.format
        if self.nullable:
            found["nullable"] = True
        if self.enum is not None:
            found["enum"] = [*self.enum, None] if self.nullable else list(self.enum)
        if self.type == "array":
            found["items"] = (
                {"$ref": f"#/components/schemas/{self.shape.name}"}
                if self.shape is not None
                else dict(self.items or {"type": "string"})
            )
        return found

    def dump(self, source: Any) -> Any:
        value = self.get(source)
        if value is None or self.shape is None:
            return value
        if self.type == "array":
            return [self.shape.dump(one) for one in value]
        return self.shape.dump(value)


@dataclass(frozen=True)
class Shape:
    """A response object: a named schema in the document, and the function that fills it."""

    name: str
    description: str
    props: tuple[Prop, ...]

    def dump(self, source: Any) -> dict[str, Any]:
        return {prop.name: prop.dump(source) for prop in self.props}

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "description": self.description,
            "additionalProperties": False,
            "required": [prop.name for prop in self.props],
            "properties": {prop.name: prop.schema() for prop in self.props},
        }

    def nested(self) -> list[Shape]:
        """This shape and every shape it contains, each once."""
        found: list[Shape] = [self]
        for prop in self.props:
            if prop.shape is not None:
                found.extend(s for s in prop.shape.nested() if s not in found)
        return found


def list_of(shape: Shape) -> Shape:
    """The envelope of a list: one page of objects and the link to the next page."""
    return Shape(
        f"{shape.name}List",
        f"A page of {shape.name} objects, in a stable order.",
        (
            Prop("data", "array", lambda page: page["data"], shape=shape),
            Prop(
                "next",
                "string",
                lambda page: page["next"],
                "The URL of the next page; null on the last page.",
                format="uri",
                nullable=True,
            ),
        ),
    )


# --- query parameters -------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A query or path parameter: its schema in the document and its parser."""

    name: str
    description: str
    schema: dict[str, Any]
    parse: Callable[[str], Any]
    location: str = "query"
    default: Any = None

    def read(self, args: Any) -> Any:
        raw = args.get(self.name)
        if raw is None:  # given but empty is refused like any value the schema refuses
            return self.default
        return self.parse(raw)

    def document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": self.location,
            "required": self.location == "path",
            "description": self.description,
            "schema": self.schema,
        }


def integer(
    name: str, description: str, *, minimum: int, maximum: int, default: int | None
) -> Param:
    def parse(raw: str) -> int:
        if not re.fullmatch(r"[0-9]{1,19}", raw):
            raise BadParameter(name, _("Give a whole number."))
        value = int(raw)
        if not minimum <= value <= maximum:
            raise BadParameter(
                name, _("Give a number from %(low)d to %(high)d.", low=minimum, high=maximum)
            )
        return value

    schema: dict[str, Any] = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if default is not None:
        schema["default"] = default
    if maximum == ROW_ID_MAX:
        schema["format"] = "int32"
    return Param(name, description, schema, parse, default=default)


def choice(name: str, description: str, options: Sequence[str]) -> Param:
    def parse(raw: str) -> str:
        if raw not in options:
            raise BadParameter(
                name, _("Use one of: %(options)s.", options=", ".join(sorted(options)))
            )
        return raw

    return Param(name, description, {"type": "string", "enum": list(options)}, parse)


def slug(name: str, description: str) -> Param:
    def parse(raw: str) -> str:
        if not is_slug(raw):
            raise BadParameter(name, _("Use lower-case letters, digits and dashes."))
        return raw

    schema = {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 100}
    return Param(name, description, schema, parse)


def calendar_day(name: str, description: str) -> Param:
    def parse(raw: str) -> date:
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
                raise ValueError(raw)
            return date.fromisoformat(raw)
        except ValueError:
            raise BadParameter(name, _("Give a date as YYYY-MM-DD.")) from None

    return Param(name, description, {"type": "string", "format": "date"}, parse)


# --- the keyset cursor ------------------------------------------------------------------

CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"


def encode_cursor(position: Sequence[Any]) -> str:
    """An opaque cursor: the sort key of the last row of a page, base64url of JSON."""
    text = json.dumps(list(position), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_param(kinds: Sequence[type]) -> Param:
    """The `cursor` parameter of a list whose sort key has these value types (str for a
    datetime or a slug, int for an id)."""

    def parse(raw: str) -> list[Any]:
        problem = BadParameter("cursor", _("This cursor is not one this API gave out."))
        if not re.fullmatch(CURSOR_PATTERN, raw):
            raise problem
        try:
            decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            position = json.loads(decoded)
        except (binascii.Error, ValueError):
            raise problem from None
        if not isinstance(position, list) or len(position) != len(kinds):
            raise problem
        for value, kind in zip(position, kinds, strict=True):
            if type(value) is not kind:
                raise problem
            if isinstance(value, int) and not 0 <= value <= ROW_ID_MAX:
                raise problem
            if isinstance(value, str) and (len(value) > 100 or not value.isprintable()):
                raise problem
        return position

    schema = {"type": "string", "pattern": CURSOR_PATTERN}
    return Param(
        "cursor",
        "Where the page starts: the cursor of the `next` link of the page before. Opaque.",
        schema,
        parse,
    )


# --- operations and the document ----------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One GET endpoint as the document describes it."""

    path: str  # OpenAPI form, e.g. /activities/{id}
    operation_id: str
    summary: str
    tag: str
    response: Shape
    params: tuple[Param, ...] = ()
    errors: tuple[int, ...] = (400, 404, 429)
    extra: dict[str, Any] = field(default_factory=dict)


ERROR = Shape(
    "Problem",
    "An error (RFC 9457 problem details).",
    (
        Prop("type", "string", lambda p: p["type"], "Always about:blank."),
        Prop("title", "string", lambda p: p["title"], "What went wrong, in short."),
        Prop("status", "integer", lambda p: p["status"], "The HTTP status code."),
        Prop("detail", "string", lambda p: p["detail"], "What to do about it."),
        Prop(
            "parameter",
            "string",
            lambda p: p.get("parameter"),
            "The query parameter that was refused; null for other errors.",
            nullable=True,
        ),
    ),
)

ERROR_TEXT = {
    400: "A parameter is not valid (see `parameter` and `detail`).",
    404: "There is no such object, or it is not public.",
    405: "Only GET, HEAD and OPTIONS are allowed.",
    429: "Too many requests from this client; wait and try again.",
}


def openapi(
    operations: Sequence[Operation], *, info: dict[str, Any], server: str
) -> dict[str, Any]:
    shapes: list[Shape] = [ERROR]
    paths: dict[str, Any] = {}
    for op in operations:
        for shape in op.response.nested():
            if shape not in shapes:
                shapes.append(shape)
        responses: dict[str, Any] = {
            "200": {
                "description": "OK",
                "headers": {
                    "ETag": {
                        "description": "Send it back in If-None-Match to get 304 when "
                        "nothing changed.",
                        "schema": {"type": "string"},
                    }
                },
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{op.response.name}"}
                    }
                },
            },
            "304": {"description": "Not modified since the ETag in If-None-Match."},
        }
        for status in op.errors:
            responses[str(status)] = {
                "description": ERROR_TEXT[status],
                "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            }
        paths[op.path] = {
            "get": {
                "operationId": op.operation_id,
                "summary": op.summary,
                "tags": [op.tag],
                "parameters": [param.document() for param in op.params],
                "responses": responses,
                **op.extra,
            }
        }
    return {
        "openapi": "3.0.3",
        "info": info,
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": {shape.name: shape.schema() for shape in shapes}},
    }
