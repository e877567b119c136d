from flask import Blueprint

bp = Blueprint("neighbourhoods", __name__)

from wijk.neighbourhoods import views  # noqa: E402, F401
