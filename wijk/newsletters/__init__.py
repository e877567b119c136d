"""Newsletters per neighbourhood: opt-ins, sending through the outbox, the archive and
one-click unsubscribe."""

from flask import Blueprint

bp = Blueprint("newsletters", __name__)
