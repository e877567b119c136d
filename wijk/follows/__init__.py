"""Follow a neighbourhood, an organisation or a category, with an account or with only a
confirmed e-mail address, and get a daily or weekly digest of what is new."""

from flask import Blueprint

bp = Blueprint("follows", __name__)
