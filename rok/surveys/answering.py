"""Answering a survey: drafts, answers, comments and submission.

Plain functions that take values, may flush and never commit (the views in
:mod:`rok.surveys.respond` commit, once per answer). Nothing here reads the request.

Anonymity (design.md §5) is kept by what these functions *do not* store: a draft
:class:`~rok.surveys.models.Response` gets a random id, the respondent's subgroups and
``resume_key_hash`` (a hash only the respondent's link or team cookie can produce) —
no participant, no time, no client data. :func:`submit` wipes that hash and sets
``Participant.has_finished`` in the same transaction, so afterwards nothing leads
from the link to the answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from rok.extensions import db
from rok.surveys import links
from rok.surveys.models import (
    Answer,
    Comment,
    Participant,
    Response,
    SubgroupDimension,
    SubgroupOption,
    Survey,
    SurveyStatement,
)

#: Longest open comment (characters) a respondent may leave per area.
MAX_COMMENT_LENGTH = 2000
#: The "geen zicht / weet ik niet" value of the agreement question in forms and JSON.
NO_VIEW = "nv"

#: Control characters (except tab and newlines) and bidi overrides are dropped from
#: comments: they are never meant, and PostgreSQL refuses NUL.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class AnswerError(ValueError):
    """Input that does not fit the survey; its message is shown to the respondent."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


# --- the order of the questionnaire ---------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One page of the questionnaire: a statement card or an area's comment box.

    ``number`` is the 1-based number of the statement (for a comment step: of the
    area's last statement, after which the box appears).
    """

    kind: str  # "statement" or "comment"
    number: int
    statement: SurveyStatement | None = None
    area_code: str | None = None


def steps_of(survey: Survey) -> list[Step]:
    """Return the questionnaire's steps: every statement, with each area's optional
    comment box right after the area's last statement."""
    statements = list(survey.statements)
    last_of_area = {s.area_code: index for index, s in enumerate(statements)}
    steps = []
    for index, statement in enumerate(statements):
        steps.append(Step("statement", index + 1, statement=statement))
        if last_of_area[statement.area_code] == index:
            steps.append(Step("comment", index + 1, area_code=statement.area_code))
    return steps


def area_codes(survey: Survey) -> list[str]:
    """Return the survey's area codes in the order their comment boxes appear."""
    return [step.area_code for step in steps_of(survey) if step.kind == "comment"]


# --- finding the respondent -----------------------------------------------------------


def find_participant(token: str, survey_id: int | None = None) -> Participant | None:
    """Return the participant whose personal link carries ``token`` (or None)."""
    if not links.is_well_formed(token):
        return None
    query = select(Participant).where(
        Participant.token_hash == links.participant_hash(token))
    if survey_id is not None:
        query = query.where(Participant.survey_id == survey_id)
    return db.session.scalar(query)


def find_draft(survey: Survey, secret: str | None) -> Response | None:
    """Return the unfinished response that ``secret`` (link token or team cookie)
    leads to; nothing else can find it."""
    if not secret:
        return None
    return db.session.scalar(select(Response).where(
        Response.survey_id == survey.id,
        Response.resume_key_hash == links.resume_hash(secret),
        Response.is_submitted.is_(False),
    ))


def start_draft(survey: Survey, secret: str, subgroups: dict | None = None) -> Response:
    """Create the draft response for ``secret``, or return the existing one.

    ``subgroups`` (e.g. a participant's imported subgroups) are copied when valid.
    Two simultaneous starts meet the unique resume hash: the loser's insert is
    rolled back to a savepoint and the winner's draft is returned.
    """
    existing = find_draft(survey, secret)
    if existing is not None:
        return existing
    draft = Response(survey_id=survey.id, resume_key_hash=links.resume_hash(secret),
                     is_submitted=False, subgroups=clean_subgroups(survey, subgroups))
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:
        found = find_draft(survey, secret)
        if found is None:
            raise
        return found
    return draft


# --- subgroups ------------------------------------------------------------------------


def clean_subgroups(survey: Survey, subgroups: dict | None) -> dict:
    """Keep only the {dimension: option} pairs that exist in the survey."""
    valid = {d.key: {o.key for o in d.options} for d in survey.dimensions}
    return {key: value for key, value in (subgroups or {}).items()
            if key in valid and value in valid[key]}


def missing_dimensions(survey: Survey, response: Response) -> list:
    """Return the subgroup dimensions the respondent still has to choose."""
    chosen = response.subgroups or {}
    return [d for d in survey.dimensions if d.options and d.key not in chosen]


def choose_subgroups(survey: Survey, response: Response, choices: dict) -> None:
    """Store the respondent's choice for every dimension still missing.

    Raises :class:`AnswerError` when a dimension is unanswered or an option unknown.
    Imported subgroups are never overwritten.
    """
    updated = dict(response.subgroups or {})
    for dimension in missing_dimensions(survey, response):
        value = choices.get(dimension.key)
        if not value:
            raise AnswerError(_l("Kies een antwoord bij '%(label)s'.",
                                 label=dimension.label))
        if value not in {o.key for o in dimension.options}:
            raise AnswerError(_l("Deze keuze bestaat niet."))
        updated[dimension.key] = value
    response.subgroups = updated
    db.session.flush()


# --- answers --------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerValues:
    """A validated answer to one statement."""

    statement_id: int
    agreement: int | None
    no_view: bool
    action: int | None

    @property
    def is_empty(self) -> bool:
        return self.agreement is None and not self.no_view and self.action is None


def _statement_belongs(survey: Survey, statement_id: int) -> bool:
    """Tell whether the statement is one of the survey's (one indexed lookup)."""
    if "statements" in survey.__dict__:  # already loaded for this request
        return statement_id in {s.id for s in survey.statements}
    return db.session.scalar(
        select(SurveyStatement.id).where(SurveyStatement.id == statement_id,
                                         SurveyStatement.survey_id == survey.id)
    ) is not None


def has_missing_dimensions(survey: Survey, response: Response) -> bool:
    """Tell, with one query, whether a subgroup choice is still missing."""
    chosen = set((response.subgroups or {}).keys())
    keys = db.session.scalars(
        select(SubgroupDimension.key).distinct()
        .join(SubgroupOption, SubgroupOption.dimension_id == SubgroupDimension.id)
        .where(SubgroupDimension.survey_id == survey.id)
    ).all()
    return any(key not in chosen for key in keys)


def _scale_values(survey: Survey, name: str) -> set[int]:
    scale = (survey.scales or {}).get(name) or {}
    return {int(point["value"]) for point in scale.get("points", [])}


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # Beyond a database integer it cannot be an id or a scale value.
        return value if -(2**31) < value < 2**31 else None
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,6}", value.strip()):
        return int(value.strip())
    return None


def parse_answer(survey: Survey, statement_id, agreement, action) -> AnswerValues:
    """Validate raw form or JSON values against the survey's scales.

    ``agreement`` is a scale value, :data:`NO_VIEW` or empty; ``action`` a value of
    the action scale or empty. Raises :class:`AnswerError` for anything else,
    including a statement of another survey.
    """
    number = _as_int(statement_id)
    if number is None or not _statement_belongs(survey, number):
        raise AnswerError(_l("Deze stelling hoort niet bij deze bevraging."))
    no_view = False
    agreement_value = None
    if agreement not in (None, ""):
        if agreement == NO_VIEW and (survey.scales or {}).get("agreement", {}).get(
                "no_view") is not None:
            no_view = True
        else:
            agreement_value = _as_int(agreement)
            if agreement_value not in _scale_values(survey, "agreement"):
                raise AnswerError(_l("Dit antwoord past niet bij de schaal."))
    action_value = None
    if action not in (None, ""):
        action_value = _as_int(action)
        if action_value not in _scale_values(survey, "action"):
            raise AnswerError(_l("Dit antwoord past niet bij de schaal."))
    return AnswerValues(number, agreement_value, no_view, action_value)


def _upsert(model, keys: dict, values: dict) -> None:
    """Insert a row or, when its primary key exists, update it (one statement).

    SQLite and PostgreSQL do this atomically with ``ON CONFLICT DO UPDATE``, so two
    identical saves racing each other store one row and neither fails. Other
    databases fall back to insert-then-update inside a savepoint.
    """
    dialect = db.session.get_bind().dialect.name
    insert = {"sqlite": sqlite_insert, "postgresql": pg_insert}.get(dialect)
    if insert is not None:
        statement = insert(model).values(**keys, **values).on_conflict_do_update(
            index_elements=list(keys), set_=values)
        db.session.execute(statement)
        return
    try:  # pragma: no cover - only for other databases
        with db.session.begin_nested():
            db.session.add(model(**keys, **values))
    except IntegrityError:  # pragma: no cover
        row = db.session.get(model, tuple(keys.values()))
        for name, value in values.items():
            setattr(row, name, value)
        db.session.flush()


def record_answer(response: Response, values: AnswerValues) -> bool:
    """Store (or replace) one answer of a draft; return False for an empty answer.

    Idempotent: saving the same answer again leaves exactly one row.
    """
    if response.is_submitted:
        raise AnswerError(_l("Deze antwoorden zijn al ingediend."))
    if values.is_empty:
        return False
    _upsert(Answer, {"response_id": response.id, "statement_id": values.statement_id},
            {"agreement": values.agreement, "no_view": values.no_view,
             "action": values.action})
    return True


def answers_of(response: Response) -> dict[int, Answer]:
    """Return the stored answers of a response by statement id (fresh rows)."""
    rows = db.session.scalars(select(Answer).where(Answer.response_id == response.id)
                              .execution_options(populate_existing=True))
    return {row.statement_id: row for row in rows}


def answered_count(response: Response) -> int:
    return db.session.scalar(select(func.count()).select_from(Answer)
                             .where(Answer.response_id == response.id)) or 0


def first_unanswered(survey: Survey, answered: set[int] | dict) -> int | None:
    """Return the number of the first statement without an answer (None: all done)."""
    for index, statement in enumerate(survey.statements):
        if statement.id not in answered:
            return index + 1
    return None


# --- comments -------------------------------------------------------------------------


def clean_comment(text: str | None) -> str:
    """Strip control characters and surrounding space; refuse over-long comments."""
    if text is not None and not isinstance(text, str):
        raise AnswerError(_l("Deze opmerking is ongeldig."))
    cleaned = _UNWANTED.sub("", text or "").strip()
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise AnswerError(_l("Een opmerking mag hoogstens %(max)s tekens lang zijn.",
                             max=MAX_COMMENT_LENGTH))
    return cleaned


def record_comment(survey: Survey, response: Response, area_code: str,
                   text: str | None) -> None:
    """Store, replace or (when empty) remove the response's comment for an area."""
    if response.is_submitted:
        raise AnswerError(_l("Deze antwoorden zijn al ingediend."))
    if area_code not in area_codes(survey):
        raise AnswerError(_l("Dit deel hoort niet bij deze bevraging."))
    cleaned = clean_comment(text)
    if not cleaned:
        db.session.execute(delete(Comment).where(Comment.response_id == response.id,
                                                 Comment.area_code == area_code))
        return
    _upsert(Comment, {"response_id": response.id, "area_code": area_code},
            {"text": cleaned})


def comments_of(response: Response) -> dict[str, str]:
    rows = db.session.scalars(select(Comment).where(Comment.response_id == response.id)
                              .execution_options(populate_existing=True))
    return {row.area_code: row.text for row in rows}


# --- submission -----------------------------------------------------------------------


def submit(response: Response, participant: Participant | None) -> None:
    """Submit a draft: mark it submitted, destroy the resume hash and mark the
    participant (personal link) finished — in the caller's single transaction.

    The participant's encrypted link is wiped too: it is only kept for reminders.
    """
    response.is_submitted = True
    response.resume_key_hash = None
    if participant is not None:
        participant.has_finished = True
        participant.link_ciphertext = None
    db.session.flush()
