"""Password hashing with Argon2 (argon2-cffi)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hasher = PasswordHasher()
# Tests hash many passwords; a cheaper (still Argon2) profile keeps them fast.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MIN_LENGTH = 10


def _current() -> PasswordHasher:
    return _fast_hasher if current_app.config.get("PASSWORD_HASH_FAST") else _hasher


def hash_password(password: str) -> str:
    return _current().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend comparable time so that unknown accounts are not revealed by timing.
        _current().hash(password)
        return False
    try:
        return _current().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
