from flask import Blueprint

bp = Blueprint("accounts", __name__)

from wijk.accounts import views  # noqa: E402, F401
