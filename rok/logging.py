"""Keep link secrets out of logs.

Personal answering links (``/b/<token>``) and team links (``/t/<team_key>``) carry
secrets in their path. The app moves the token into a cookie on the first request
(see :mod:`rok.surveys.respond`), but that first request line is still logged by
the web server. This module redacts it everywhere a request line can end up:

* :class:`RedactLinksFilter` on the ``werkzeug`` logger (``flask run``'s access log)
  and on the app's logger (``Exception on /b/… [GET]``);
* :class:`GunicornLogger`, which gunicorn uses through ``gunicorn.conf.py`` at the
  repository root (``logger_class``): its access and error log lines are redacted.

A redacted path looks like ``/b/[link]``.
"""

from __future__ import annotations

import logging
import re

#: ``/b/<token>`` and ``/t/<key>``, but not the token-free ``/b/s/<survey id>/…``.
_LINK = re.compile(r"(/(?:b|t)/)(?!s/)[^/\s?#\"']+")
REDACTED = "[link]"

_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    """Return ``text`` with every link secret in a ``/b/…`` or ``/t/…`` path hidden."""
    return _LINK.sub(lambda m: m.group(1) + REDACTED, text)


class RedactLinksFilter(logging.Filter):
    """Rewrite a record's message with link secrets redacted (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


_FILTER = RedactLinksFilter()


def install(app_logger: logging.Logger | None = None) -> None:
    """Attach the redacting filter to the access loggers (and the app's logger)."""
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    if app_logger is not None:
        loggers.append(app_logger)
    for logger in loggers:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


try:  # gunicorn is a dependency, but keep the module importable without it
    from gunicorn.glogging import Logger as _GunicornBase
except ImportError:  # pragma: no cover
    _GunicornBase = None

if _GunicornBase is not None:

    class GunicornLogger(_GunicornBase):
        """Gunicorn's logger with link secrets redacted from access and error lines."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key, value in list(atoms.items()):
                if key in {"{cookie}i", "{set-cookie}o"}:
                    atoms[key] = REDACTED  # a respondent's cookie is their link
                elif isinstance(value, str):
                    atoms[key] = redact(value)
            return atoms

        def setup(self, cfg):
            super().setup(cfg)
            self.error_log.addFilter(_FILTER)
            self.access_log.addFilter(_FILTER)
