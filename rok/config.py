"""Configuration defaults.

Secrets and deployment settings come from environment variables (``ROK_*``,
``DATABASE_URL``, ``SECRET_KEY``, ``MAIL_*``) or from ``instance/config.py``; nothing
secret lives in the repository.
"""

import os

DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise RuntimeError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Accept the common "postgres://" and plain "postgresql://" forms; use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI: str | None = None  # set in create_app from DATABASE_URL
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # uploads (CSV) larger than 2 MB are refused
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long meeting still posts

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    BABEL_DEFAULT_LOCALE = "nl"
    LANGUAGES = ("nl", "en")

    #: Reverse proxies in front of the app that set X-Forwarded-For/-Proto (nginx,
    #: Caddy: 1). Only then is the client's own address known to the rate limits;
    #: 0 ignores those headers, which anyone could forge.
    PROXY_HOPS = _env_int("ROK_PROXY_HOPS", 0)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: When Redis is unreachable, log-in limits are counted in memory meanwhile.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get(
        "ROK_LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    #: Per respondent (keyed on a hash of their link) and answering page.
    ANSWER_RATE_LIMIT = os.environ.get("ROK_ANSWER_RATE_LIMIT", "120 per minute")
    #: Per client address over all answering pages: a backstop against floods that a
    #: whole staff meeting behind one school address never reaches.
    ANSWER_IP_RATE_LIMIT = os.environ.get("ROK_ANSWER_IP_RATE_LIMIT", "60000 per hour")

    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds a reset link stays valid
    INVITATION_MAX_AGE = 14 * 24 * 60 * 60  # seconds an invitation link stays valid

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "rok@localhost")
    MAIL_TIMEOUT = 20

    #: Base URL used in e-mails sent by the worker (no request context there).
    BASE_URL = os.environ.get("ROK_BASE_URL", "http://127.0.0.1:5000")

    #: Days after closing a survey before participant e-mail addresses are deleted.
    PURGE_AFTER_DAYS = int(os.environ.get("ROK_PURGE_AFTER_DAYS", "30"))

    SQLITE_BUSY_TIMEOUT_MS = 10_000


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SERVER_NAME = "localhost"
    PASSWORD_HASH_FAST = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _env_bool("ROK_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def default_database_url(instance_path: str) -> str:
    """Return ``DATABASE_URL`` or the SQLite file in the instance folder."""
    sqlite_path = os.path.join(instance_path, "rok.sqlite")
    return _database_url(f"sqlite:///{sqlite_path}")
