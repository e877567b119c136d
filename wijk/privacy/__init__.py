"""Privacy as code: the retention schedule, the generated statement, data-subject rights."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
