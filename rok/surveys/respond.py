"""Answering a survey: the respondent's pages (no account, a link is the key).

Every URL of the respondent side, in one place:

==============================================  ===========================
``GET  /b/<token>``                             personal link
``GET  /t/<team_key>``                          team link / QR code
``GET  /b/s/<survey_id>/``                      intro, or resume
``POST /b/s/<survey_id>/start``                 create the draft response
``GET|POST /b/s/<survey_id>/groep``             choose missing subgroups
``GET|POST /b/s/<survey_id>/stelling/<n>``      one statement card
``POST /b/s/<survey_id>/opslaan``               save one answer (JSON)
``GET|POST /b/s/<survey_id>/opmerking/<area>``  comment after an area
``GET  /b/s/<survey_id>/overzicht``             review all answers
``POST /b/s/<survey_id>/indienen``              submit
``GET  /b/s/<survey_id>/bedankt``               thank-you page
==============================================  ===========================

**Secrets never stay in URLs.** The first request to ``/b/<token>`` moves the token
into a signed cookie and redirects to the token-free ``/b/s/<survey_id>/…`` pages, so
the token does not linger in the address bar, the history, bookmarks taken later or
the access logs of every following request. The cookie is HttpOnly, SameSite=Lax,
Secure in production, and its path is limited to that survey's answering pages.
The one logged request line that does carry the token (and every ``/t/<key>``) is
redacted by :mod:`rok.logging` (werkzeug and gunicorn loggers, installed when this
blueprint is registered; gunicorn reads ``gunicorn.conf.py``). Every page also sends
``Referrer-Policy: no-referrer`` and carries ``<meta name="referrer" …>``.

Cookies (all signed with the app secret, salted per survey, path ``/b/s/<id>/``):

* ``rok_link`` — which link opened the pages: ``{"k": "p", "s": token}`` for a
  personal link, ``{"k": "t"}`` for the team link. 30 days.
* ``rok_team`` — the team respondent's random resume secret (only its
  ``resume_hash`` is stored, on the draft). Created at "start". 30 days.
* ``rok_done`` — set after a team submission: the device already answered.

Views load, check, call :mod:`rok.surveys.answering`, commit once (each answer is
committed the moment it is given) and redirect.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import time
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from rok.database import read_phase, write_phase
from rok.extensions import db, limiter
from rok.forms import accepts_json
from rok.surveys import answering, links
from rok.surveys.answering import AnswerError, Step
from rok.surveys.models import Participant, Response, Survey, SurveyStatus

bp = Blueprint("respond", __name__)

LINK_COOKIE = "rok_link"
TEAM_COOKIE = "rok_team"
DONE_COOKIE = "rok_done"
COOKIE_AGE = 30 * 24 * 60 * 60
DONE_AGE = 365 * 24 * 60 * 60


@bp.record_once
def _install_log_redaction(state) -> None:
    from rok.logging import install

    install(state.app.logger)


# --- rate limits ----------------------------------------------------------------------
# A staff meeting answers from behind ONE school address, so the tight limit counts
# per respondent (their link) and per answering page, and the per-address ceiling is
# only a backstop against floods: 150 colleagues x 60 statements x ~3 requests a card
# (two saves, one page) is about 30,000 requests in an hour. The limits themselves
# are settings: ANSWER_RATE_LIMIT and ANSWER_IP_RATE_LIMIT (rok/config.py).
#
# These pages are the hot path of a staff meeting. Flask-Limiter's generic work per
# request cost a fifth of an answer's save (bench/RESULTS.md), so they leave it out
# and count with the `limits` library Flask-Limiter is built on, in the same storage
# (memory, or Redis shared by several app servers) and with the same strategy.


def _respondent_secret() -> str | None:
    """Return the link secret of the request's respondent (None when unknown)."""
    if "respondent_secret" in g:
        return g.respondent_secret
    args = request.view_args or {}
    secret = args.get("token")
    if "survey_id" in args:
        link = _read_cookie(LINK_COOKIE, args["survey_id"])
        if isinstance(link, dict) and link.get("k") == "p":
            secret = link.get("s")
        else:
            secret = _read_cookie(TEAM_COOKIE, args["survey_id"])
    if not isinstance(secret, str) or not links.is_well_formed(secret):
        secret = None
    g.respondent_secret = secret
    return secret


def _respondent_key(secret: str) -> str:
    # A keyed hash, so the limiter's storage (Redis) never holds a link secret nor
    # anything that matches the hashes stored in the database.
    key = f"rok-rate-limit:{current_app.secret_key}".encode()
    return "respondent:" + hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=16)
def _limits(setting: str) -> tuple:
    return tuple(parse_many(setting))


@limiter.request_filter
def _counted_by_the_answering_pages() -> bool:
    return request.blueprint == bp.name


@bp.before_request
def _limit_answering() -> None:
    """Count the request; beyond a limit, refuse it with 429 and Retry-After.

    Team-link visitors before "start" have no secret yet and share the school's
    address: only the per-address ceiling counts them. When the limiter's storage
    cannot be reached, answering goes on (and the log says so).
    """
    if not limiter.enabled:
        return
    config = current_app.config
    checks = [(item, "answer-ip", get_remote_address())
              for item in _limits(config["ANSWER_IP_RATE_LIMIT"])]
    secret = _respondent_secret()
    if secret is not None:
        key = _respondent_key(secret)
        checks += [(item, "answer", request.endpoint, key)
                   for item in _limits(config["ANSWER_RATE_LIMIT"])]
    strategy = limiter.limiter
    try:
        for item, *identifiers in checks:
            if not strategy.hit(item, *identifiers):
                reset_at, _remaining = strategy.get_window_stats(item, *identifiers)
                wait = max(1, math.ceil(reset_at - time.time()))
                raise TooManyRequests(retry_after=wait)
    except TooManyRequests:
        raise
    except Exception as error:  # noqa: BLE001 - a rate limit never stops answering
        current_app.logger.warning("rate-limit storage unavailable: %s",
                                   type(error).__name__)


# --- cookies --------------------------------------------------------------------------


def _serializer(survey_id: int) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=f"rok-respond-{survey_id}")


def _cookie_path(survey_id: int) -> str:
    return url_for("respond.intro", survey_id=survey_id)


def _set_cookie(response, name: str, value, survey_id: int, max_age: int) -> None:
    response.set_cookie(
        name, _serializer(survey_id).dumps(value), max_age=max_age,
        path=_cookie_path(survey_id), httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def _delete_cookie(response, name: str, survey_id: int) -> None:
    response.delete_cookie(name, path=_cookie_path(survey_id), httponly=True,
                           samesite="Lax",
                           secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def _read_cookie(name: str, survey_id: int):
    """Return the verified value of one of our cookies (None when absent or forged).

    Read once per request: the rate limiter and the view both need it.
    """
    cache = g.setdefault("respond_cookies", {})
    if (name, survey_id) not in cache:
        raw = request.cookies.get(name)
        value = None
        if raw and len(raw) <= 512:
            try:
                value = _serializer(survey_id).loads(raw)
            except BadSignature:
                value = None
        cache[name, survey_id] = value
    return cache[name, survey_id]


# --- clear pages instead of errors ----------------------------------------------------


class _Halt(Exception):
    """Stop a view and answer with a ready response (a clear page or a redirect)."""

    def __init__(self, response) -> None:
        super().__init__()
        self.response = response


@bp.errorhandler(_Halt)
def _halted(halt: _Halt):
    return halt.response


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _messages() -> dict:
    return {
        "invalid": (404, _("Deze link werkt niet"), _(
            "We vinden geen bevraging bij deze link. Kijk na of je de volledige link "
            "uit je uitnodiging gebruikt, of vraag je school om een nieuwe link.")),
        "need_link": (400, _("Open je link opnieuw"), _(
            "Open de link uit je uitnodiging (of de teamlink) opnieuw om verder te "
            "gaan. Je antwoorden zijn bewaard.")),
        "not_open": (403, _("Deze bevraging is nog niet geopend"), _(
            "Je school heeft de bevraging nog niet opengezet. Probeer het later "
            "opnieuw met dezelfde link.")),
        "closed": (410, _("Deze bevraging is afgesloten"), _(
            "Antwoorden is niet meer mogelijk. Bedankt voor je interesse.")),
        "finished": (200, _("Je antwoorden zijn al ingediend"), _(
            "Bedankt! Je hebt deze bevraging al ingevuld. Je antwoorden zijn anoniem "
            "bewaard en kunnen niet meer bekeken of gewijzigd worden.")),
        "device_done": (200, _("Op dit toestel is al geantwoord"), _(
            "Bedankt! Met dit toestel werd deze bevraging al ingevuld. Iedereen "
            "antwoordt maar één keer.")),
    }


def _page(kind: str):
    status, title, message = _messages()[kind]
    if _wants_json():
        return jsonify({"error": message, "status": status, "reload": True}), (
            status if status >= 400 else 409)
    return render_template("surveys/respond/message.html", kind=kind, title=title,
                           message=message), status


def _halt(kind: str):
    raise _Halt(_page(kind))


def _status_page(survey: Survey) -> str | None:
    if survey.status == SurveyStatus.PREPARING:
        return "not_open"
    if survey.status != SurveyStatus.OPEN:
        return "closed"
    return None


# --- who is answering -----------------------------------------------------------------


@dataclass
class _Respondent:
    survey: Survey
    kind: str  # "p" (personal link) or "t" (team link)
    secret: str | None
    participant: Participant | None
    draft: Response | None


def _resolve(survey_id: int, *, need_draft: bool = True) -> _Respondent:
    """Find the survey, the link that opened it and the respondent's draft.

    Stops with a clear page for an unknown link, a survey that is not open, or a
    respondent who already submitted; redirects to the intro when a draft is needed
    but does not exist yet.
    """
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        _halt("invalid")
    link = _read_cookie(LINK_COOKIE, survey_id)
    if not isinstance(link, dict) or link.get("k") not in {"p", "t"}:
        _halt("need_link")
    participant = None
    if link["k"] == "p":
        secret = link.get("s")
        participant = answering.find_participant(secret, survey.id)
        if participant is None:
            _halt("invalid")
        if participant.has_finished:
            _halt("finished")
    else:
        if not survey.team_link_enabled:
            _halt("invalid")
        if _read_cookie(DONE_COOKIE, survey_id) == "1":
            _halt("device_done")
        secret = _read_cookie(TEAM_COOKIE, survey_id)
        secret = secret if links.is_well_formed(secret) else None
    if (kind := _status_page(survey)) is not None:
        _halt(kind)
    draft = answering.find_draft(survey, secret)
    if need_draft and draft is None:
        if _wants_json():
            _halt("need_link")
        raise _Halt(redirect(url_for(".intro", survey_id=survey_id)))
    return _Respondent(survey, link["k"], secret, participant, draft)


# --- navigation -----------------------------------------------------------------------


def _steps(survey: Survey) -> list[Step]:
    if "respond_steps" not in g:
        g.respond_steps = answering.steps_of(survey)
    return g.respond_steps


def _step_url(survey: Survey, step: Step) -> str:
    if step.kind == "comment":
        return url_for(".comment", survey_id=survey.id, area_code=step.area_code)
    return url_for(".card", survey_id=survey.id, number=step.number)


def _neighbours(survey: Survey, current: Step) -> tuple[str | None, str]:
    steps = _steps(survey)
    index = steps.index(current)
    previous = _step_url(survey, steps[index - 1]) if index > 0 else None
    following = (_step_url(survey, steps[index + 1]) if index + 1 < len(steps)
                 else url_for(".review", survey_id=survey.id))
    return previous, following


def _resume_url(respondent: _Respondent) -> str:
    survey, draft = respondent.survey, respondent.draft
    if answering.missing_dimensions(survey, draft):
        return url_for(".subgroups", survey_id=survey.id)
    number = answering.first_unanswered(survey, answering.answers_of(draft))
    if number is None:
        return url_for(".review", survey_id=survey.id)
    return url_for(".card", survey_id=survey.id, number=number)


def _require_subgroups(respondent: _Respondent) -> None:
    if answering.missing_dimensions(respondent.survey, respondent.draft):
        raise _Halt(redirect(url_for(".subgroups", survey_id=respondent.survey.id)))


# --- context for cards: glossary and area names ---------------------------------------


def _glossary(survey: Survey) -> list:
    if survey.bank_version_id is None:
        return []
    try:
        from rok.framework import services as framework_services
        from rok.framework.models import BankVersion
    except ImportError:  # pragma: no cover - the framework is always installed
        return []
    version = db.session.get(BankVersion, survey.bank_version_id)
    return framework_services.glossary_of(version) if version else []


def _terms_in(survey: Survey, text: str) -> list:
    entries = _glossary(survey)
    if not entries:
        return []
    from rok.framework.glossary import glossary_terms_in

    return glossary_terms_in(text, entries)


def _area_titles(survey: Survey) -> dict[str, str]:
    """Return {area code: title} from the survey's framework (empty when unknown)."""
    if survey.bank_version_id is None:
        return {}
    from rok.framework.models import Area, BankVersion, Rubriek

    version = db.session.get(BankVersion, survey.bank_version_id)
    if version is None:
        return {}
    rows = db.session.execute(
        select(Rubriek.code, Area.code, Area.title).join(Area.rubriek)
        .where(Rubriek.framework_id == version.framework_id))
    titles = {(rubriek, area): title for rubriek, area, title in rows}
    return {s.area_code: titles[(s.rubriek_code, s.area_code)]
            for s in survey.statements if (s.rubriek_code, s.area_code) in titles}


def _area_label(survey: Survey, area_code: str) -> str:
    return _area_titles(survey).get(area_code) or area_code


# --- entry links --------------------------------------------------------------------


@bp.get("/b/<token>")
def personal(token: str):
    """Open a personal link: move the token into a cookie and leave the URL."""
    participant = answering.find_participant(token) if links.is_well_formed(token) \
        else None
    if participant is None:
        return _page("invalid")
    if participant.has_finished:
        return _page("finished")
    survey = participant.survey
    if (kind := _status_page(survey)) is not None:
        return _page(kind)
    response = redirect(url_for(".intro", survey_id=survey.id))
    _set_cookie(response, LINK_COOKIE, {"k": "p", "s": token}, survey.id, COOKIE_AGE)
    return response


@bp.get("/t/<team_key>")
def team_start(team_key: str):
    """Open the team link (or QR code) of a survey."""
    survey = None
    if 8 <= len(team_key) <= 64:
        survey = db.session.scalar(select(Survey).where(Survey.team_key == team_key))
    if survey is None or not survey.team_link_enabled:
        return _page("invalid")
    if (kind := _status_page(survey)) is not None:
        return _page(kind)
    response = redirect(url_for(".intro", survey_id=survey.id))
    _set_cookie(response, LINK_COOKIE, {"k": "t"}, survey.id, COOKIE_AGE)
    return response


# --- the questionnaire ----------------------------------------------------------------

PREFIX = "/b/s/<int:survey_id>"


@bp.get(PREFIX + "/")
def intro(survey_id: int):
    respondent = _resolve(survey_id, need_draft=False)
    if respondent.draft is not None:
        return redirect(_resume_url(respondent))
    survey = respondent.survey
    return render_template("surveys/respond/intro.html", survey=survey,
                           team=respondent.kind == "t",
                           statement_count=len(survey.statements))


@bp.post(PREFIX + "/start")
def start(survey_id: int):
    respondent = _resolve(survey_id, need_draft=False)
    new_secret = None
    secret = respondent.secret
    if secret is None:  # a team respondent on a new device
        secret = new_secret = links.new_token()
    imported = respondent.participant.subgroups if respondent.participant else {}
    respondent.draft = answering.start_draft(respondent.survey, secret, imported)
    db.session.commit()
    response = redirect(_resume_url(respondent))
    if new_secret:
        _set_cookie(response, TEAM_COOKIE, new_secret, survey_id, COOKIE_AGE)
    return response


@bp.route(PREFIX + "/groep", methods=["GET", "POST"])
def subgroups(survey_id: int):
    respondent = _resolve(survey_id)
    survey, draft = respondent.survey, respondent.draft
    missing = answering.missing_dimensions(survey, draft)
    if not missing:
        return redirect(_resume_url(respondent))
    error, status = None, 200
    if request.method == "POST":
        choices = {d.key: request.form.get(d.key, "") for d in missing}
        try:
            answering.choose_subgroups(survey, draft, choices)
        except AnswerError as exc:
            db.session.rollback()
            error, status = exc.message, 400
        else:
            db.session.commit()
            return redirect(_resume_url(respondent))
    return render_template("surveys/respond/subgroups.html", survey=survey,
                           dimensions=missing, error=error,
                           chosen=request.form if request.method == "POST" else {},
                           team=respondent.kind == "t"), status


def _card_step(survey: Survey, number: int) -> Step:
    for step in _steps(survey):
        if step.kind == "statement" and step.number == number:
            return step
    abort(404)


def _render_card(respondent: _Respondent, step: Step, *, answer=None, error=None,
                 status: int = 200):
    survey = respondent.survey
    previous, following = _neighbours(survey, step)
    back_to_review = request.args.get("terug") == "overzicht"
    if back_to_review:
        following = url_for(".review", survey_id=survey.id)
    if answer is None:
        answer = answering.answers_of(respondent.draft).get(step.statement.id)
    return render_template(
        "surveys/respond/card.html", survey=survey, step=step,
        statement=step.statement, total=len(survey.statements), answer=answer,
        scales=survey.scales or {}, previous_url=previous, next_url=following,
        back_to_review=back_to_review, error=error,
        terms=_terms_in(survey, step.statement.text),
        action_url=url_for(".card", survey_id=survey.id, number=step.number,
                           **({"terug": "overzicht"} if back_to_review else {})),
        save_url=url_for(".save", survey_id=survey.id),
        area_label=_area_label(survey, step.statement.area_code),
    ), status


@bp.route(PREFIX + "/stelling/<int:number>", methods=["GET", "POST"])
def card(survey_id: int, number: int):
    respondent = _resolve(survey_id)
    _require_subgroups(respondent)
    survey = respondent.survey
    step = _card_step(survey, number)
    if request.method == "GET":
        return _render_card(respondent, step)
    try:
        values = answering.parse_answer(survey, step.statement.id,
                                        request.form.get("agreement"),
                                        request.form.get("action"))
        answering.record_answer(respondent.draft, values)
    except AnswerError as exc:
        db.session.rollback()
        return _render_card(respondent, step, error=exc.message, status=400)
    db.session.commit()
    previous, following = _neighbours(survey, step)
    if request.form.get("nav") == "back" and previous:
        return redirect(previous)
    if request.args.get("terug") == "overzicht":
        return redirect(url_for(".review", survey_id=survey.id))
    return redirect(following)


@bp.post(PREFIX + "/opslaan")
@accepts_json
def save(survey_id: int):
    """Save one answer sent by respond.js; the JSON reply is the truth.

    The hot path of a staff meeting: one query reads everything the answer depends
    on, one short write transaction stores it (see rok.database.read_phase). Any
    request that does not pass every check takes the slow path, which tells why.
    """
    read_phase()
    data = request.get_json(silent=True)
    values = _save_quickly(survey_id, data) if isinstance(data, dict) else None
    if values is not None:
        return jsonify({"saved": True, "statement": values.statement_id})
    return _save_slowly(survey_id, data)


def _save_quickly(survey_id: int, data: dict) -> answering.AnswerValues | None:
    """Store the answer when everything is in order; None when nothing was stored."""
    link = _read_cookie(LINK_COOKIE, survey_id)
    if not isinstance(link, dict) or link.get("k") not in {"p", "t"}:
        return None
    personal = link["k"] == "p"
    if personal:
        secret = link.get("s")
    elif _read_cookie(DONE_COOKIE, survey_id) == "1":
        return None
    else:
        secret = _read_cookie(TEAM_COOKIE, survey_id)
    statement_id = answering.as_int(data.get("statement"))
    if not isinstance(secret, str) or not links.is_well_formed(secret) \
            or statement_id is None:
        return None
    with db.engine.connect() as connection:
        context = answering.save_context(connection, survey_id, secret, statement_id,
                                         personal=personal)
        connection.rollback()
        if context is None or not context.ready(personal=personal):
            return None
        try:
            values = answering.answer_values(context.scales, statement_id,
                                             data.get("agreement"), data.get("action"))
        except AnswerError:
            return None
        write_phase()
        with connection.begin():
            if not answering.store_answer(connection, survey_id, context.draft_id,
                                          values):
                return None
    return values


def _save_slowly(survey_id: int, data):
    """Check step by step and answer with the reason an answer cannot be stored."""
    respondent = _resolve(survey_id)
    if not isinstance(data, dict):
        return jsonify({"error": _("De aanvraag was onvolledig of ongeldig."),
                        "status": 400}), 400
    if answering.has_missing_dimensions(respondent.survey, respondent.draft):
        return jsonify({"error": _("Kies eerst je groep."), "status": 409,
                        "reload": True}), 409
    try:
        values = answering.parse_answer(respondent.survey, data.get("statement"),
                                        data.get("agreement"), data.get("action"))
    except AnswerError as exc:
        return jsonify({"error": str(exc.message), "status": 400}), 400
    write_phase()
    try:
        answering.record_answer(respondent.draft, values)
    except AnswerError as exc:
        db.session.rollback()
        return jsonify({"error": str(exc.message), "status": 400}), 400
    db.session.commit()
    return jsonify({"saved": True, "statement": values.statement_id})


@bp.route(PREFIX + "/opmerking/<area_code>", methods=["GET", "POST"])
def comment(survey_id: int, area_code: str):
    respondent = _resolve(survey_id)
    _require_subgroups(respondent)
    survey = respondent.survey
    step = next((s for s in _steps(survey)
                 if s.kind == "comment" and s.area_code == area_code), None)
    if step is None:
        abort(404)
    back_to_review = request.args.get("terug") == "overzicht"
    text = answering.comments_of(respondent.draft).get(area_code, "")
    error, status = None, 200
    if request.method == "POST":
        text = request.form.get("comment", "")
        try:
            answering.record_comment(survey, respondent.draft, area_code, text)
        except AnswerError as exc:
            db.session.rollback()
            error, status = exc.message, 400
        else:
            db.session.commit()
            previous, following = _neighbours(survey, step)
            if request.form.get("nav") == "back" and previous:
                return redirect(previous)
            if back_to_review:
                return redirect(url_for(".review", survey_id=survey.id))
            return redirect(following)
    previous, following = _neighbours(survey, step)
    return render_template(
        "surveys/respond/comment.html", survey=survey, step=step, text=text,
        error=error, previous_url=previous, next_url=following,
        area_label=_area_label(survey, area_code),
        max_length=answering.MAX_COMMENT_LENGTH, total=len(survey.statements),
        action_url=url_for(".comment", survey_id=survey.id, area_code=area_code,
                           **({"terug": "overzicht"} if back_to_review else {})),
    ), status


@bp.get(PREFIX + "/overzicht")
def review(survey_id: int):
    respondent = _resolve(survey_id)
    _require_subgroups(respondent)
    survey = respondent.survey
    answers = answering.answers_of(respondent.draft)
    scales = survey.scales or {}

    def label(scale: str, value) -> str | None:
        for point in (scales.get(scale) or {}).get("points", []):
            if point["value"] == value:
                return point["label"]
        return None

    rows = []
    for step in _steps(survey):
        if step.kind == "statement":
            answer = answers.get(step.statement.id)
            agreement = None
            if answer is not None and answer.no_view:
                agreement = (scales.get("agreement") or {}).get("no_view", {}).get(
                    "label")
            elif answer is not None:
                agreement = label("agreement", answer.agreement)
            rows.append({"step": step, "agreement": agreement,
                         "action": label("action", answer.action) if answer else None,
                         "answered": answer is not None,
                         "url": url_for(".card", survey_id=survey.id,
                                        number=step.number, terug="overzicht")})
        else:
            rows.append({"step": step,
                         "area_label": _area_label(survey, step.area_code),
                         "url": url_for(".comment", survey_id=survey.id,
                                        area_code=step.area_code, terug="overzicht")})
    comments = answering.comments_of(respondent.draft)
    unanswered = sum(1 for row in rows
                     if row["step"].kind == "statement" and not row["answered"])
    return render_template("surveys/respond/review.html", survey=survey, rows=rows,
                           comments=comments, unanswered=unanswered, scales=scales,
                           total=len(survey.statements))


@bp.post(PREFIX + "/indienen")
def submit(survey_id: int):
    respondent = _resolve(survey_id, need_draft=False)
    if respondent.draft is None:
        return redirect(url_for(".intro", survey_id=survey_id))
    answering.submit(respondent.draft, respondent.participant)
    db.session.commit()
    response = make_response(redirect(url_for(".thanks", survey_id=survey_id)))
    if respondent.kind == "t":
        _set_cookie(response, DONE_COOKIE, "1", survey_id, DONE_AGE)
        _delete_cookie(response, TEAM_COOKIE, survey_id)
    _delete_cookie(response, LINK_COOKIE, survey_id)
    return response


@bp.get(PREFIX + "/bedankt")
def thanks(survey_id: int):
    """Thank the respondent; shows nothing of the survey or the answers."""
    return render_template("surveys/respond/message.html", kind="thanks",
                           title=_("Bedankt voor je antwoorden!"), message=_(
                               "Je antwoorden zijn anoniem ingediend. Je kunt dit "
                               "venster nu sluiten."))
