from flask import Blueprint

bp = Blueprint("pictures", __name__)
