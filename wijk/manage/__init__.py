"""Neighbourhood managers: moderation, reports, newsletters, and two-step login (issue 4)."""

from flask import Blueprint

bp = Blueprint("manage", __name__)
