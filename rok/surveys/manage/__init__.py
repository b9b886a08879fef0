"""The school's side of surveys: the four phases, participants and the monitor."""

from rok.surveys.manage import (  # noqa: F401  (they add their routes to bp)
    views_participants,
    views_prepare,
    views_run,
    views_subgroups,
)
from rok.surveys.manage.views import bp

__all__ = ["bp"]
