"""The OK-kader and the statement bank: data files, loader, models, browser."""

from rok.framework.views import bp

__all__ = ["bp"]
