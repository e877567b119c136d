from flask import Blueprint

bp = Blueprint("pictures", __name__)

from wijk.pictures import views  # noqa: E402, F401
