from flask import Blueprint

bp = Blueprint("contact", __name__)

from wijk.contact import views  # noqa: E402, F401
