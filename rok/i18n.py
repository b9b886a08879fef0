"""Languages: Dutch by default, English on request (user preference or browser)."""

from flask import Flask, current_app, request, session
from flask_login import current_user

from rok.extensions import babel


def select_locale() -> str:
    """Choose the user's saved language, the session's choice, or the browser's."""
    languages = current_app.config["LANGUAGES"]
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.language in languages:
            return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "nl"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _languages() -> dict:
        from flask_babel import get_locale

        return {
            "current_language": str(get_locale()),
            "languages": app.config["LANGUAGES"],
        }
