"""What a municipality must be able to show: the terms of use, every published version
of the terms and the privacy statement, and the accessibility statement."""

from flask import Blueprint

bp = Blueprint("legal", __name__)
