"""Fixtures of the tests of the school's survey pages (loaded with pytest_plugins)."""

from __future__ import annotations

import pytest

from rok.extensions import db


@pytest.fixture
def bank(app):
    """The package's OK-kader and statement bank, loaded."""
    from rok.framework.services import latest_version, load_bank

    load_bank()
    db.session.commit()
    return latest_version()


@pytest.fixture
def admin(client, director, login):
    """A test client logged in as the school's director."""
    login(director)
    return client
