from flask import Blueprint

bp = Blueprint("discover", __name__)

from wijk.discover import views  # noqa: E402, F401
