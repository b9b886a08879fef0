"""Error pages in the user's language; never a stack trace."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from rok.extensions import db

MESSAGES = {
    400: _l("De aanvraag was onvolledig of ongeldig."),
    403: _l("Je hebt geen toegang tot deze pagina."),
    404: _l("Deze pagina bestaat niet (meer)."),
    405: _l("Deze actie is hier niet mogelijk."),
    413: _l("Het bestand is te groot."),
    415: _l("Deze pagina verwacht gewone formuliergegevens."),
    429: _l("Te veel pogingen na elkaar. Wacht even en probeer opnieuw."),
    503: _l("De dienst is even niet beschikbaar. Probeer het zo meteen opnieuw."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" or request.is_json


def render_error(code: int, message: str | None = None):
    text = message or str(MESSAGES.get(code, _("Er ging iets mis.")))
    if _wants_json():
        return {"error": text, "status": code}, code
    return render_template("errors/error.html", code=code, message=text), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(
            400,
            _("Het formulier is verlopen. Laad de pagina opnieuw en probeer nog eens."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        body, code = render_error(error.code or 500)
        # A 429 or 503 says when to try again.
        retry = [(name, value) for name, value in error.get_headers()
                 if name == "Retry-After"]
        return body, code, retry

    @app.errorhandler(OperationalError)
    def _database_busy(error):
        # A locked or unreachable database: nothing is half-stored (the session is
        # rolled back) and the client is told to try again.
        db.session.rollback()
        app.logger.warning("database unavailable: %s", type(error.orig).__name__)
        response, code = render_error(503)
        return response, 503, {"Retry-After": "2"}
