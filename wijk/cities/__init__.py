"""The city level (issue 14): the public city page with its agenda, news and newsletter
archive, and the city staff's own area for city news and city newsletters."""

from flask import Blueprint

bp = Blueprint("cities", __name__)
