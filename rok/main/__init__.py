"""Start pages: the landing page, a user's schools, a school's home."""

from rok.main.views import bp

__all__ = ["bp"]
