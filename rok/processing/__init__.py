"""Verwerken: notes, self-placement, the action plan, exports and the report."""

from rok.processing.views import bp

__all__ = ["bp"]
