"""The dashboard: the team's perceptions per rubriek, area, expectation, statement."""

from rok.dashboard.views import bp

__all__ = ["bp"]
