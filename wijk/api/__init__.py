"""The read-only open-data API under /api/v1/ (JSON, OpenAPI at /api/v1/openapi.json) and
its page for developers at /api."""

from flask import Blueprint

bp = Blueprint("api", __name__)
