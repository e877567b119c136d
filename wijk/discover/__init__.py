from flask import Blueprint

bp = Blueprint("discover", __name__)
