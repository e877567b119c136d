from flask import Blueprint

bp = Blueprint("manage", __name__)

from wijk.manage import views  # noqa: E402, F401
