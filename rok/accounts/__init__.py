"""Accounts: log-in, passwords, school team and advisor access."""

from rok.accounts.views import bp

__all__ = ["bp"]
