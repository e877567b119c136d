from flask import Blueprint

bp = Blueprint("signups", __name__)

from wijk.signups import views  # noqa: E402, F401
