"""Recurring activities: rules, their dates, and the owner cancelling or moving one."""

from flask import Blueprint

bp = Blueprint("series", __name__)
