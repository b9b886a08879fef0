"""The dashboard's pages; every URL lives under one survey of one school.

``/scholen/<school_id>/bevragingen/<survey_id>/dashboard/`` and below:

* ``overview`` (``/``), ``rubriek`` (``/rubriek/<code>``), ``expectation``
  (``/verwachting/<code>``), ``statement`` (``/stelling/<id>``) — pages.py
* ``lists``, ``subgroups``, ``rounds``, ``matrix`` — compare.py
* ``present`` (``/presentatie``) — present.py

All are read-only and guarded by ``school_required(Permission.VIEW)``, so school
admins and the school's advisors see them; the survey is always looked up within
the school (404 otherwise).
"""

from flask import Blueprint

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/scholen/<int:school_id>/bevragingen/<int:survey_id>/dashboard",
)

from rok.dashboard.views import compare, pages, present  # noqa: E402,F401

__all__ = ["bp"]
