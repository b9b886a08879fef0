"""Malformed, oversized and hostile input gets a clear 4xx, never a 500."""

import pytest

from rok.accounts.models import User
from rok.extensions import db

HOSTILE = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "x" * 10_000,
    "\u202egnp.exe",
    "a\x00b",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_login_hostile_values_never_500(client, value):
    response = client.post("/aanmelden", data={"email": value, "password": value})
    assert response.status_code in {400, 429}


@pytest.mark.parametrize("value", HOSTILE)
def test_invite_hostile_names_rejected_or_inert(client, director, login, school, value):
    login(director)
    response = client.post(f"/scholen/{school.id}/team/leden", data={
        "member-email": "nieuw@linde.example", "member-name": value})
    assert response.status_code in {302, 400}
    page = client.get(f"/scholen/{school.id}/team").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert 'onmouseover="alert(1)' not in page
    if response.status_code == 400:
        assert db.session.scalar(
            db.select(User).where(User.email == "nieuw@linde.example")
        ) is None


def test_oversized_body_is_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/aanmelden", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)


def test_wrong_method_is_405_with_message(client):
    response = client.get("/afmelden")
    assert response.status_code == 405


def test_json_client_gets_json_errors(client):
    response = client.get("/bestaat-niet", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_csrf_missing_token_is_400_with_message(app, director):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post(
        "/aanmelden", data={"email": director.email, "password": "x"}
    )
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)


def test_non_numeric_school_id_is_404(client, director, login):
    login(director)
    assert client.get("/scholen/abc").status_code == 404
    assert client.get("/scholen/99999999999999999999").status_code == 404


def test_database_unavailable_answers_503(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr("rok.accounts.services.find_user", broken)
    response = client.post("/aanmelden", data={"email": "a@b.example", "password": "x"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
