"""Personal and team links: tokens, their hashes, and the encrypted copy.

A token is 32 random bytes (URL-safe). Two *different* hashes derive from it:
``participant_hash`` finds the Participant (to mark them finished), ``resume_hash``
finds the unfinished Response. Without the token, the two cannot be connected.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def is_well_formed(token: str | None) -> bool:
    return bool(token) and bool(TOKEN_PATTERN.match(token))


def participant_hash(token: str) -> str:
    return hashlib.sha256(b"rok-participant:" + token.encode()).hexdigest()


def resume_hash(token: str) -> str:
    return hashlib.sha256(b"rok-resume:" + token.encode()).hexdigest()


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"rok-links",
               info=b"participant-link").derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_token(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def decrypt_token(ciphertext: str | None) -> str | None:
    if not ciphertext:
        return None
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return None
