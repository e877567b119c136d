""" "Hulp nodig?": a question relayed to the admins by mail and answered by mail; nothing
of it is published."""

from flask import Blueprint

bp = Blueprint("help", __name__)
