"""The application factory, configuration and response hardening."""

import pytest
import sqlalchemy as sa

from rok import create_app
from rok.config import DEFAULT_SECRET_KEY


def test_create_app_production_refuses_default_secret(monkeypatch):
    monkeypatch.setenv("ROK_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setattr("rok.config.Config.SECRET_KEY", DEFAULT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_create_app_production_starts_with_real_secret(monkeypatch):
    monkeypatch.setenv("ROK_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setattr("rok.config.Config.SECRET_KEY", "x" * 48)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    response = app.test_client().get("/aanmelden")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_database_url_postgres_scheme_uses_psycopg3(monkeypatch):
    from rok.config import _database_url

    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert _database_url("x").startswith("postgresql+psycopg://")


def test_sqlite_uses_wal_and_busy_timeout(app):
    from rok.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == 10_000
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_security_headers_on_every_response(client):
    response = client.get("/aanmelden")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    missing = client.get("/bestaat-niet")
    assert missing.status_code == 404
    assert missing.headers["Referrer-Policy"] == "no-referrer"


def test_unknown_page_gives_dutch_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in response.get_data(as_text=True)


def test_index_redirects_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]


def test_page_is_responsive_and_accessible_basics(client):
    html = client.get("/aanmelden").get_data(as_text=True)
    assert 'name="viewport"' in html
    assert '<html lang="nl">' in html
    assert 'class="skip-link"' in html
    assert '<label for="email">' in html


@pytest.mark.parametrize("value,expected", [("", 0), ("1", 1), (" 2 ", 2)])
def test_whole_number_settings_read_from_the_environment(monkeypatch, value, expected):
    from rok.config import _env_int

    monkeypatch.setenv("ROK_TEST_SETTING", value)
    assert _env_int("ROK_TEST_SETTING", 0) == expected


@pytest.mark.parametrize("value", ["een", "-1", "1.5"])
def test_a_setting_that_is_no_whole_number_stops_the_start_with_its_name(monkeypatch,
                                                                         value):
    from rok.config import _env_int

    monkeypatch.setenv("ROK_PROXY_HOPS", value)
    with pytest.raises(RuntimeError, match="ROK_PROXY_HOPS must be a whole number"):
        _env_int("ROK_PROXY_HOPS", 0)
