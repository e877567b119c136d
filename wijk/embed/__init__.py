"""Agendas that other sites (a municipality's, a welfare organisation's) may frame."""

from flask import Blueprint

bp = Blueprint("embed", __name__)
