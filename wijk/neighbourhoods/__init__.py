from flask import Blueprint

bp = Blueprint("neighbourhoods", __name__)
