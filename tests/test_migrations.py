"""Migrations build the same schema as the models, on SQLite and PostgreSQL."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from rok import create_app
from rok.extensions import db

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    base = os.environ.get("ROK_TEST_DATABASE_URL")
    if not base:
        pytest.skip("ROK_TEST_DATABASE_URL is not set")
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"rok_migration_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(base).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
        admin.dispose()


def test_migrations_upgrade_empty_database_matches_models(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(directory=MIGRATIONS, revision="base")
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()
