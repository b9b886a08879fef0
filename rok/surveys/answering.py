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
from sqlalchemy import and_, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from rok.extensions import db
from rok.forms import UNWANTED_IN_TEXT
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
    SurveyStatus,
)

#: Longest open comment (characters) a respondent may leave per area.
MAX_COMMENT_LENGTH = 2000
#: The "geen zicht / weet ik niet" value of the agreement question in forms and JSON.
NO_VIEW = "nv"


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


def _scale_values(scales: dict, name: str) -> set[int]:
    scale = scales.get(name) or {}
    return {int(point["value"]) for point in scale.get("points", [])}


def as_int(value) -> int | None:
    """Return a whole number given as int or short digit string (None otherwise)."""
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
    number = as_int(statement_id)
    if number is None or not _statement_belongs(survey, number):
        raise AnswerError(_l("Deze stelling hoort niet bij deze bevraging."))
    return answer_values(survey.scales, number, agreement, action)


def answer_values(scales: dict | None, statement_id: int, agreement,
                  action) -> AnswerValues:
    """Validate the raw answer values of one statement against the survey's scales."""
    scales = scales or {}
    no_view = False
    agreement_value = None
    if agreement not in (None, ""):
        if agreement == NO_VIEW and (scales.get("agreement") or {}).get(
                "no_view") is not None:
            no_view = True
        else:
            agreement_value = as_int(agreement)
            if agreement_value not in _scale_values(scales, "agreement"):
                raise AnswerError(_l("Dit antwoord past niet bij de schaal."))
    action_value = None
    if action not in (None, ""):
        action_value = as_int(action)
        if action_value not in _scale_values(scales, "action"):
            raise AnswerError(_l("Dit antwoord past niet bij de schaal."))
    return AnswerValues(statement_id, agreement_value, no_view, action_value)


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


# --- the staff-meeting hot path: one read, one conditional write -----------------


@dataclass(frozen=True)
class SaveContext:
    """What saving one answer needs to know, read with one query.

    ``draft_id`` is None when the secret leads to no unfinished response;
    ``participant_finished`` is None when no participant of the survey has the
    personal link (or the link is a team link).
    """

    status: str
    team_link_enabled: bool
    scales: dict
    participant_finished: bool | None
    draft_id: str | None
    draft_subgroups: dict
    statement_belongs: bool
    dimension_keys: frozenset[str]

    def ready(self, *, personal: bool) -> bool:
        """Tell whether an answer may be stored now (every check of the slow path)."""
        if personal and self.participant_finished is not False:
            return False
        if not personal and not self.team_link_enabled:
            return False
        return (self.status == SurveyStatus.OPEN.value
                and self.draft_id is not None
                and self.statement_belongs
                and self.dimension_keys <= set(self.draft_subgroups or {}))


_KEY_SEPARATOR = "\n"


def _save_context_query():
    has_finished = (
        select(Participant.has_finished)
        .where(Participant.token_hash == bindparam("token_hash"),
               Participant.survey_id == Survey.id)
        .scalar_subquery())
    belongs = (
        select(func.count(SurveyStatement.id))
        .where(SurveyStatement.id == bindparam("statement_id"),
               SurveyStatement.survey_id == Survey.id)
        .scalar_subquery())
    keys = (
        select(func.aggregate_strings(SubgroupDimension.key, _KEY_SEPARATOR))
        .where(SubgroupDimension.survey_id == Survey.id,
               select(SubgroupOption.id)
               .where(SubgroupOption.dimension_id == SubgroupDimension.id)
               .exists())
        .scalar_subquery())
    return (
        select(Survey.status, Survey.team_link_enabled, Survey.scales, has_finished,
               Response.id, Response.subgroups, belongs, keys)
        .outerjoin(Response, and_(Response.survey_id == Survey.id,
                                  Response.resume_key_hash == bindparam("resume_hash"),
                                  Response.is_submitted.is_(False)))
        .where(Survey.id == bindparam("survey_id")))


_SAVE_CONTEXT = _save_context_query()


def save_context(connection: Connection, survey_id: int, secret: str,
                 statement_id: int, *, personal: bool) -> SaveContext | None:
    """Read all that :func:`store_answer` depends on, in one query (None: no survey)."""
    row = connection.execute(_SAVE_CONTEXT, {
        "survey_id": survey_id,
        "token_hash": links.participant_hash(secret) if personal else "",
        "resume_hash": links.resume_hash(secret),
        "statement_id": statement_id,
    }).one_or_none()
    if row is None:
        return None
    status, team, scales, finished, draft_id, subgroups, belongs, keys = row
    return SaveContext(
        status=str(status.value if isinstance(status, SurveyStatus) else status),
        team_link_enabled=bool(team), scales=scales or {},
        participant_finished=None if finished is None else bool(finished),
        draft_id=draft_id, draft_subgroups=subgroups or {},
        statement_belongs=bool(belongs),
        dimension_keys=frozenset(filter(None, (keys or "").split(_KEY_SEPARATOR))))


_ANSWER_COLUMNS = ("response_id", "statement_id", "agreement", "no_view", "action")
_STORE_ANSWER: dict[str, object] = {}


def _store_answer_statement(dialect: str):
    """Build (once per dialect) the conditional upsert of :func:`store_answer`."""
    if dialect not in _STORE_ANSWER:
        insert = {"sqlite": sqlite_insert, "postgresql": pg_insert}[dialect]
        columns = Answer.__table__.c
        source = select(*(bindparam(name, type_=columns[name].type)
                          for name in _ANSWER_COLUMNS)).where(
            select(Response.id).where(Response.id == bindparam("response_id"),
                                      Response.is_submitted.is_(False)).exists(),
            select(Survey.id).where(Survey.id == bindparam("survey_id"),
                                    Survey.status == SurveyStatus.OPEN).exists())
        statement = insert(Answer.__table__).from_select(list(_ANSWER_COLUMNS), source)
        # RETURNING tells whether a row was written (psycopg reports no rowcount
        # for INSERT … SELECT).
        _STORE_ANSWER[dialect] = statement.on_conflict_do_update(
            index_elements=["response_id", "statement_id"],
            set_={name: statement.excluded[name]
                  for name in ("agreement", "no_view", "action")},
        ).returning(Answer.__table__.c.statement_id)
    return _STORE_ANSWER[dialect]


def store_answer(connection: Connection, survey_id: int, draft_id: str,
                 values: AnswerValues) -> bool:
    """Store one answer, but only while the survey is open and the draft unsubmitted.

    The conditions are part of the one write statement, so a submission or a
    closing that slipped in after :func:`save_context` read is never overtaken.
    Returns False when nothing was stored (also for an empty answer).
    """
    dialect = connection.dialect.name
    if values.is_empty or dialect not in {"sqlite", "postgresql"}:
        return False
    written = connection.execute(_store_answer_statement(dialect), {
        "survey_id": survey_id, "response_id": draft_id,
        "statement_id": values.statement_id, "agreement": values.agreement,
        "no_view": values.no_view, "action": values.action}).first()
    return written is not None


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
    # Control characters and bidi overrides are never meant (and PostgreSQL
    # refuses NUL): a respondent's comment drops them rather than being refused.
    cleaned = UNWANTED_IN_TEXT.sub("", text or "").strip()
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
