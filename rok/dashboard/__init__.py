"""The dashboard: the team's perceptions per rubriek, area, expectation and statement."""

from rok.dashboard.views import bp

__all__ = ["bp"]
