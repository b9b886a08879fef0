"""Shared fixtures: an app on a fresh database per test, on SQLite and (when
``ROK_TEST_DATABASE_URL`` is set) on PostgreSQL too."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from rok import create_app
from rok.extensions import db

PG_URL = os.environ.get("ROK_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _pg_url() -> str:
    url = PG_URL or ""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _worker_database(url: str, worker: str) -> str:
    """Return the database of one pytest-xdist worker next to ``url`` (made once).

    Workers run side by side and every test empties the tables, so each worker
    gets a database of its own on the same server: ``<name>_gw0``, ``<name>_gw1``…
    """
    parsed = sa.make_url(url)
    name = f"{parsed.database}_{worker}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": name}).first()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    """A database with the current schema, created once per backend and session."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "rok-test.sqlite"
        url = f"sqlite:///{path}"
    else:
        url = _pg_url()
        engine = sa.create_engine(url)
        try:
            with engine.connect():
                pass
        except sa.exc.OperationalError as error:  # must fail, never skip, in CI
            pytest.fail("ROK_TEST_DATABASE_URL is set but PostgreSQL is unreachable: "
                        f"{error}")
        finally:
            engine.dispose()
        worker = getattr(request.config, "workerinput", {}).get("workerid")
        if worker is not None:
            url = _worker_database(url, worker)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
        db.engine.dispose()
    return url


def _drop_alembic_version() -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        # DELETE, not TRUNCATE: on tables this small it takes milliseconds, where
        # PostgreSQL's TRUNCATE of every table costs some 150 ms per test.
        for table in tables:
            connection.execute(table.delete())
        if db.engine.dialect.name == "postgresql":
            connection.execute(sa.text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
        else:
            has_sequence = connection.execute(sa.text(
                "SELECT name FROM sqlite_master WHERE name='sqlite_sequence'"
            )).first()
            if has_sequence:
                connection.execute(sa.text("DELETE FROM sqlite_sequence"))


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``.

    The ``app`` fixture keeps an app context pushed (so tests can use the database),
    and Flask reuses it for requests; without this, ``g`` (and with it the logged-in
    user cached by Flask-Login) would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        context = _cv_app.get(None)
        if context is not None:
            context.g = self.application.app_ctx_globals_class()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://localhost",
    })
    app.test_client_class = FreshGlobalsClient
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        _empty_all_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories and ready-made objects -------------------------------------------

PASSWORD = "correct-horse-battery"


@pytest.fixture
def create_user(app):
    from rok.accounts import services

    def _create(email: str, name: str = "", password: str = PASSWORD, **attrs):
        user = services.create_user(email, name, password)
        for key, value in attrs.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return _create


@pytest.fixture
def create_school(app):
    from rok.accounts import services

    def _create(name: str = "Testschool", number: str | None = None, levels=("bao",)):
        school = services.create_school(name, number, list(levels))
        db.session.commit()
        return school

    return _create


@pytest.fixture
def add_membership(app):
    from rok.accounts.models import Membership, Role

    def _add(user, school, role: Role = Role.SCHOOL_ADMIN, position: str = ""):
        membership = Membership(user=user, school=school, role=role, position=position)
        db.session.add(membership)
        db.session.commit()
        return membership

    return _add


@pytest.fixture
def school(create_school):
    return create_school("Basisschool De Linde", "123456")


@pytest.fixture
def director(create_user, add_membership, school):
    user = create_user("directeur@linde.example", "Directeur Linde")
    add_membership(user, school, position="directeur")
    return user


@pytest.fixture
def login(client):
    def _login(user, password: str = PASSWORD, c=None):
        c = c or client
        response = c.post("/aanmelden",
                          data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return _login


# --- a real SMTP server ----------------------------------------------------------


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; the app is configured to use it."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", _free_port())
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):
            message = message_from_bytes(envelope.content, policy=policy.default)
            with lock:
                server.messages.append(message)
            return "250 OK"

    controller = Controller(Handler(), hostname=server.host, port=server.port)
    controller.start()
    app.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port,
                      MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None)
    try:
        yield server
    finally:
        controller.stop()


# --- surveys -----------------------------------------------------------------------

DEFAULT_SCALES = {
    "agreement": {
        "title": "Instemming",
        "question": "In welke mate ben je het eens met deze stelling?",
        "points": [{"value": 1, "label": "Helemaal oneens"},
                   {"value": 2, "label": "Eerder oneens"},
                   {"value": 3, "label": "Eerder eens"},
                   {"value": 4, "label": "Helemaal eens"}],
        "no_view": {"label": "Geen zicht / weet ik niet"},
    },
    "action": {
        "title": "Actiebereidheid",
        "question": "Wil je hier (mee) aan werken?",
        "optional": True,
        "points": [{"value": 1, "label": "Nu niet nodig"},
                   {"value": 2, "label": "Misschien later"},
                   {"value": 3, "label": "Hier wil ik mee aan de slag"},
                   {"value": 4, "label": "Hier wil ik mee trekken"}],
    },
}

#: (expectation, area, rubriek) cycled through by the survey factory.
STATEMENT_CODES = [("R2", "RE", "RE"), ("D1", "D", "OL"), ("V3", "V", "OL"),
                   ("B2", "B", "OL"), ("O3", "O", "OL"), ("BL1", "BV", "BE"),
                   ("BL9", "PB", "BE"), ("K2", "KO", "KO")]


def add_participants(survey, count: int, prefix: str = "p") -> list[str]:
    """Invite ``count`` people (subgroup "lager") with personal links; return their
    link tokens."""
    from rok.surveys import links
    from rok.surveys.models import Participant

    tokens = [links.new_token() for _ in range(count)]
    db.session.add_all(Participant(survey=survey, email=f"{prefix}{i}@linde.example",
                                   subgroups={"functie": "lager"},
                                   token_hash=links.participant_hash(token))
                       for i, token in enumerate(tokens))
    db.session.commit()
    return tokens


@pytest.fixture
def create_survey(app):
    """Build a survey directly in the database (no bank needed).

    ``dimensions`` maps a dimension key to its option keys; the first dimension is the
    role dimension and its option "beleidsteam" is flagged as leadership.
    """
    from rok.surveys.models import (
        SubgroupDimension,
        SubgroupOption,
        Survey,
        SurveyStatement,
        SurveyStatus,
    )

    def _create(school, *, title="Bevraging 2026", statements=8,
                status=SurveyStatus.OPEN, dimensions=None, team_link=False,
                level="bao", **attrs):
        survey = Survey(school=school, title=title, level=level, scales=DEFAULT_SCALES,
                        rubrieken=["RE", "OL", "BE", "KO"], status=status,
                        intro_text="Deze bevraging is anoniem.", **attrs)
        for index in range(statements):
            expectation, area, rubriek = STATEMENT_CODES[index % len(STATEMENT_CODES)]
            text = f"Stelling {index + 1} over {expectation}."
            survey.statements.append(SurveyStatement(
                position=index, text=text, original_text=text,
                origin_key=f"{level}-{expectation}-{index:02d}",
                expectation_code=expectation, area_code=area, rubriek_code=rubriek))
        if dimensions is None:
            dimensions = {"functie": ["beleidsteam", "kleuter", "lager", "zorg"]}
        for d_index, (key, options) in enumerate(dimensions.items()):
            dimension = SubgroupDimension(key=key, label=key.capitalize(),
                                          position=d_index, is_role=d_index == 0)
            for o_index, option in enumerate(options):
                dimension.options.append(SubgroupOption(
                    key=option, label=option.capitalize(), position=o_index,
                    is_leadership=d_index == 0 and option == "beleidsteam"))
            survey.dimensions.append(dimension)
        if team_link:
            import secrets

            survey.team_key = secrets.token_urlsafe(12)
            survey.team_link_enabled = True
        db.session.add(survey)
        db.session.commit()
        return survey

    return _create
