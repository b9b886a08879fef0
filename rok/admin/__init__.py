"""Platform administration: schools and their first administrators."""

from rok.admin.views import bp

__all__ = ["bp"]
