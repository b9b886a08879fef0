"""Signed, expiring, single-use links for password reset and invitations.

A token signs the user's id together with a fingerprint of their current password
hash: once the password is set, the fingerprint changes and every earlier link for
that user stops working. No token is stored.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from rok.accounts.models import User
from rok.extensions import db


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"rok-{purpose}"
    )


def _fingerprint(user: User) -> str:
    source = f"{user.password_hash or ''}|{user.email}".encode()
    return hashlib.sha256(source).hexdigest()[:16]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def read_token(token: str, purpose: str, max_age: int) -> User | None:
    """Return the user a valid, unexpired, unused token belongs to, else None."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        return None
    return user
