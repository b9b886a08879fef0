"""rOK: staff surveys on the Flemish quality framework (OK-kader)."""

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from rok.config import CONFIGS, DEFAULT_SECRET_KEY, default_database_url


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the rOK application."""
    app = Flask(__name__, instance_relative_config=True)
    env = os.environ.get("ROK_ENV", "development")
    if test_config is not None:
        env = "testing"
    app.config.from_object(CONFIGS.get(env, CONFIGS["development"]))
    app.config["ROK_ENV"] = env
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = default_database_url(app.instance_path)
    _refuse_default_secret(app)
    if app.config.get("PROXY_HOPS"):
        # The client's address and scheme as the trusted proxies saw them.
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.url_map.converters["int"] = DatabaseIdConverter

    import rok.models  # noqa: F401  (every table known to metadata)
    from rok import database, errors, i18n, security
    from rok.extensions import csrf, db, limiter, login_manager, migrate
    from rok.forms import refuse_json_for_forms

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    refuse_json_for_forms(app)
    _register_blueprints(app)

    from rok.cli import rok_cli

    app.cli.add_command(rok_cli)
    return app


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` URL parts that fit a database id; larger numbers are a 404."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max,
                         signed=signed)


def _refuse_default_secret(app: Flask) -> None:
    if app.config["ROK_ENV"] == "production" and (
        not app.config.get("SECRET_KEY")
        or app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY
        or len(app.config["SECRET_KEY"]) < 32
    ):
        raise RuntimeError(
            "Refusing to start in production without a real SECRET_KEY "
            "(set SECRET_KEY to a random string of at least 32 characters)."
        )


def _register_blueprints(app: Flask) -> None:
    from rok.accounts import bp as accounts_bp
    from rok.admin import bp as admin_bp
    from rok.main import bp as main_bp
    from rok.surveys.respond import bp as respond_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(respond_bp)
    from rok.framework import bp as framework_bp

    app.register_blueprint(framework_bp)
    from rok.surveys.manage import bp as surveys_manage_bp

    app.register_blueprint(surveys_manage_bp)
    from rok.dashboard import bp as dashboard_bp

    app.register_blueprint(dashboard_bp)
    from rok.dashboard.api import bp as api_bp
    from rok.processing import bp as processing_bp

    app.register_blueprint(processing_bp)
    app.register_blueprint(api_bp)
