"""Gunicorn settings read automatically from the working directory.

Only logging is set here: link secrets in ``/b/<token>`` and ``/t/<key>`` paths are
redacted from access and error logs (see rok/logging.py). Everything else (workers,
bind address) stays on the command line or in ``GUNICORN_CMD_ARGS``.
"""

logger_class = "rok.logging.GunicornLogger"
