from flask import Blueprint

bp = Blueprint("founding", __name__)
