"""Verwerken: the use cases for notes, self-placement, the action plan and reminders.

Plain functions that take values, may flush and never commit, and never read the
request. A refused action raises :class:`ProcessingError` with a Dutch message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from rok.accounts.access import Permission
from rok.accounts.models import Membership, Role, User
from rok.dashboard.exports import Results, results_problem, unit_titles
from rok.extensions import db
from rok.processing.models import (
    Action,
    ActionStatus,
    AreaNote,
    DevelopmentLevel,
    Goal,
    GoalStatus,
    SelfPlacement,
    UnitLevel,
)
from rok.surveys.models import Survey

MAX_NOTE = 5000
MAX_MOTIVATION = 2000
MAX_GOAL_TITLE = 200
MAX_GOAL_TEXT = 2000
MAX_ACTION_WHAT = 1000
MAX_OWNER = 120
MAX_TIMING = 120
#: Goals per survey (an action plan is short) and actions per goal.
MAX_GOALS = 30
MAX_ACTIONS = 30


class ProcessingError(Exception):
    """A refused action; the message (Dutch) says why."""

    status = 400


class NotAvailable(ProcessingError):
    """Results are not available (yet) for this survey."""

    status = 409


# --- the quality areas of a survey ---------------------------------------------


@dataclass
class Unit:
    """A rubriek, area or expectation present in a survey, with its title."""

    level: UnitLevel
    code: str
    title: str
    children: list[Unit] = field(default_factory=list)
    #: Statement ids in survey order (every statement under the unit).
    statement_ids: list[int] = field(default_factory=list)

    @property
    def key(self) -> str:
        return unit_key(self.level, self.code)

    @property
    def label(self) -> str:
        return f"{self.code} – {self.title}" if self.title != self.code else self.code


def unit_key(level: UnitLevel | str, code: str) -> str:
    """Return the stable key of a unit, e.g. ``"area:D"``."""
    return f"{UnitLevel(level).value}:{code}"


def parse_unit_key(key: str) -> tuple[UnitLevel, str]:
    level, _sep, code = (key or "").partition(":")
    try:
        return UnitLevel(level), code
    except ValueError as error:
        raise ProcessingError(_("Kies een kwaliteitsgebied uit de lijst.")) from error


def survey_units(survey: Survey) -> list[Unit]:
    """Return the survey's rubrieken → areas → expectations, in statement order."""
    titles = unit_titles(survey)

    def make(level: UnitLevel, code: str) -> Unit:
        return Unit(level, code, titles.get((level.value, code), code))

    rubrieken: dict[str, Unit] = {}
    areas: dict[str, Unit] = {}
    expectations: dict[str, Unit] = {}
    for statement in survey.statements:
        rubriek = rubrieken.get(statement.rubriek_code)
        if rubriek is None:
            rubriek = rubrieken[statement.rubriek_code] = make(
                UnitLevel.RUBRIEK, statement.rubriek_code)
        area = areas.get(statement.area_code)
        if area is None:
            area = areas[statement.area_code] = make(
                UnitLevel.AREA, statement.area_code)
            rubriek.children.append(area)
        expectation = expectations.get(statement.expectation_code)
        if expectation is None:
            expectation = expectations[statement.expectation_code] = make(
                UnitLevel.EXPECTATION, statement.expectation_code)
            area.children.append(expectation)
        for unit in (rubriek, area, expectation):
            unit.statement_ids.append(statement.id)
    return list(rubrieken.values())


def flatten(units: Iterable[Unit]) -> list[Unit]:
    """Return every unit of the tree, parents before their children."""
    result: list[Unit] = []
    for unit in units:
        result.append(unit)
        result.extend(flatten(unit.children))
    return result


def unit_index(survey: Survey) -> dict[str, Unit]:
    return {unit.key: unit for unit in flatten(survey_units(survey))}


def require_results(survey: Survey) -> None:
    """Refuse (409) when the survey's results may not be shown yet."""
    problem = results_problem(survey)
    if problem is not None:
        raise NotAvailable(problem)


# --- notes -----------------------------------------------------------------------


def _clean_text(text: str | None, limit: int, empty_message: str | None) -> str:
    text = (text or "").strip().replace("\r\n", "\n")
    if empty_message is not None and not text:
        raise ProcessingError(empty_message)
    if len(text) > limit:
        raise ProcessingError(_("Deze tekst is te lang (hoogstens %(n)d tekens).",
                                n=limit))
    return text


def _require_unit(survey: Survey, key: str) -> tuple[UnitLevel, str]:
    level, code = parse_unit_key(key)
    if key not in unit_index(survey):
        raise ProcessingError(_("Kies een kwaliteitsgebied uit de lijst."))
    return level, code


def add_note(survey: Survey, author: User, unit: str, text: str, *,
             as_advisor: bool) -> AreaNote:
    """Add a note about a unit (``"area:D"``); an advisor's note is marked as such."""
    level, code = _require_unit(survey, unit)
    note = AreaNote(
        survey_id=survey.id, unit_level=level, unit_code=code,
        text=_clean_text(text, MAX_NOTE, _("Schrijf eerst een notitie.")),
        is_advisor_note=as_advisor, author_id=author.id)
    db.session.add(note)
    db.session.flush()
    return note


def may_edit_note(note: AreaNote, user_id: int, permissions: frozenset) -> bool:
    """An advisor edits only their own advisor notes; the school its own notes."""
    if note.is_advisor_note:
        return Permission.ADVISE in permissions and note.author_id == user_id
    return Permission.MANAGE in permissions


def update_note(note: AreaNote, text: str) -> None:
    note.text = _clean_text(text, MAX_NOTE, _("Een notitie kan niet leeg zijn."))
    db.session.flush()


def delete_note(note: AreaNote) -> None:
    db.session.delete(note)
    db.session.flush()


def notes_of(survey: Survey) -> list[AreaNote]:
    return list(db.session.scalars(
        select(AreaNote).where(AreaNote.survey_id == survey.id)
        .order_by(AreaNote.created_at, AreaNote.id)))


def notes_by_unit(notes: Iterable[AreaNote]) -> dict[str, list[AreaNote]]:
    grouped: dict[str, list[AreaNote]] = {}
    for note in notes:
        grouped.setdefault(unit_key(note.unit_level, note.unit_code), []).append(note)
    return grouped


# --- self-placement ----------------------------------------------------------------


def placements_of(survey: Survey) -> dict[str, SelfPlacement]:
    return {
        unit_key(p.unit_level, p.unit_code): p
        for p in db.session.scalars(
            select(SelfPlacement).where(SelfPlacement.survey_id == survey.id))
    }


def set_placement(survey: Survey, user: User, unit: str, level: str | None,
                  motivation: str) -> SelfPlacement | None:
    """Place a unit on the development scale; an empty level removes the placement."""
    unit_level, code = _require_unit(survey, unit)
    existing = placements_of(survey).get(unit)
    motivation = _clean_text(motivation, MAX_MOTIVATION, None)
    if not level:
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        return None
    try:
        development = DevelopmentLevel(level)
    except ValueError as error:
        raise ProcessingError(
            _("Kies een niveau van de ontwikkelingsschaal.")) from error
    if existing is None:
        existing = SelfPlacement(survey_id=survey.id, unit_level=unit_level,
                                 unit_code=code, level=development)
        db.session.add(existing)
    existing.level = development
    existing.motivation = motivation
    existing.updated_by_id = user.id
    db.session.flush()
    return existing


# --- the action plan ---------------------------------------------------------------


def goals_of(survey: Survey) -> list[Goal]:
    return list(db.session.scalars(
        select(Goal).where(Goal.survey_id == survey.id)
        .order_by(Goal.position, Goal.id)))


@dataclass
class GoalValues:
    title: str
    unit_keys: Sequence[str] = ()
    statement_ids: Sequence[int] = ()
    expected_effect: str = ""
    indicator: str = ""
    review_on: date | None = None
    status: str = GoalStatus.PLANNED.value


def _apply_goal(survey: Survey, goal: Goal, values: GoalValues) -> None:
    index = unit_index(survey)
    unknown = [k for k in values.unit_keys if k not in index]
    if unknown:
        raise ProcessingError(_("Kies kwaliteitsgebieden uit de lijst."))
    own = {s.id for s in survey.statements}
    statement_ids = [int(i) for i in values.statement_ids]
    if any(i not in own for i in statement_ids):
        raise ProcessingError(_("Kies stellingen van deze bevraging."))
    try:
        status = GoalStatus(values.status)
    except ValueError as error:
        raise ProcessingError(_("Kies een status uit de lijst.")) from error
    goal.title = _clean_text(values.title, MAX_GOAL_TITLE,
                             _("Geef het doel een titel."))
    goal.unit_keys = list(dict.fromkeys(values.unit_keys))
    goal.statement_ids = [s.id for s in survey.statements if s.id in statement_ids]
    goal.expected_effect = _clean_text(values.expected_effect, MAX_GOAL_TEXT, None)
    goal.indicator = _clean_text(values.indicator, MAX_GOAL_TEXT, None)
    if goal.review_on != values.review_on:
        goal.reminded_for = None
    goal.review_on = values.review_on
    goal.status = status


def create_goal(survey: Survey, values: GoalValues) -> Goal:
    existing = goals_of(survey)
    if len(existing) >= MAX_GOALS:
        raise ProcessingError(_("Een actieplan telt hoogstens %(n)d doelen. Houd het "
                                "kort en haalbaar.", n=MAX_GOALS))
    goal = Goal(survey_id=survey.id,
                position=max((g.position for g in existing), default=-1) + 1)
    _apply_goal(survey, goal, values)
    db.session.add(goal)
    db.session.flush()
    return goal


def update_goal(survey: Survey, goal: Goal, values: GoalValues) -> None:
    _apply_goal(survey, goal, values)
    db.session.flush()


def delete_goal(goal: Goal) -> None:
    db.session.delete(goal)
    db.session.flush()


@dataclass
class ActionValues:
    what: str
    owner: str = ""
    timing: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    status: str = ActionStatus.PLANNED.value


def _apply_action(action: Action, values: ActionValues) -> None:
    try:
        status = ActionStatus(values.status)
    except ValueError as error:
        raise ProcessingError(_("Kies een status uit de lijst.")) from error
    if values.starts_on and values.ends_on and values.ends_on < values.starts_on:
        raise ProcessingError(_("De einddatum ligt voor de startdatum."))
    action.what = _clean_text(values.what, MAX_ACTION_WHAT,
                              _("Beschrijf wat er gebeurt."))
    action.owner = _clean_text(values.owner, MAX_OWNER, None)
    action.timing = _clean_text(values.timing, MAX_TIMING, None)
    action.starts_on = values.starts_on
    action.ends_on = values.ends_on
    action.status = status


def add_action(goal: Goal, values: ActionValues) -> Action:
    if len(goal.actions) >= MAX_ACTIONS:
        raise ProcessingError(_("Een doel telt hoogstens %(n)d acties.", n=MAX_ACTIONS))
    action = Action(position=max((a.position for a in goal.actions), default=-1) + 1)
    _apply_action(action, values)
    goal.actions.append(action)
    db.session.flush()
    return action


def update_action(action: Action, values: ActionValues) -> None:
    _apply_action(action, values)
    db.session.flush()


def delete_action(action: Action) -> None:
    db.session.delete(action)
    db.session.flush()


# --- review reminders --------------------------------------------------------------


@dataclass
class ReminderReport:
    goals: int = 0
    mails: int = 0


def _recipients(school_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.school_id == school_id,
            Membership.role.in_([Role.SCHOOL_ADMIN, Role.ADVISOR]),
            User.is_active_account.is_(True),
        ).order_by(User.email)))


def queue_review_reminders(today: date) -> ReminderReport:
    """Queue a mail for every goal whose review date is due and not yet reminded.

    Due means the review date is today or earlier. The mail goes to the school
    admins and granted advisors of the goal's school, each in their language. A
    goal is reminded once per review date (``Goal.reminded_for``), so running
    this again sends nothing new; moving the review date arms the reminder again.
    """
    from flask_babel import force_locale

    from rok.mail import queue_mail
    from rok.urls import external_url

    report = ReminderReport()
    due = db.session.execute(
        select(Goal, Survey).join(Survey, Survey.id == Goal.survey_id).where(
            Goal.review_on.is_not(None), Goal.review_on <= today,
            (Goal.reminded_for.is_(None)) | (Goal.reminded_for != Goal.review_on),
        ).order_by(Goal.id)).all()
    for goal, survey in due:
        url = external_url("processing.action_plan", school_id=survey.school_id,
                           survey_id=survey.id)
        for user in _recipients(survey.school_id):
            with force_locale(user.language or "nl"):
                subject = _("Evaluatiemoment: %(title)s", title=goal.title)
                body = _(
                    "Dag %(name)s,\n\nVoor het doel \"%(goal)s\" uit het actieplan van "
                    "de bevraging \"%(survey)s\" stond een evaluatie gepland op "
                    "%(date)s.\n\nBekijk samen wat er gebeurde en of de indicator "
                    "gehaald is, en zet de status van het doel op afgerond of "
                    "bijgestuurd:\n%(url)s\n",
                    name=user.display_name, goal=goal.title, survey=survey.title,
                    date=goal.review_on.strftime("%d-%m-%Y"), url=url)
            queue_mail(user.email, subject[:255], body, kind="review_reminder",
                       school_id=survey.school_id)
            report.mails += 1
        goal.reminded_for = goal.review_on
        report.goals += 1
    db.session.flush()
    return report


# --- the next round looks back -----------------------------------------------------


@dataclass
class LookBackRow:
    """A linked statement or area of a previous goal and how it changed."""

    label: str
    #: "shown" (both rounds visible), "too_small" or "missing" (not asked again).
    status: str
    pct_agree_previous: float | None = None
    pct_agree_current: float | None = None
    mean_previous: float | None = None
    mean_current: float | None = None
    change_mean: float | None = None
    matters: bool = False


@dataclass
class LookBack:
    goal: Goal
    rows: list[LookBackRow]


def previous_round(survey: Survey) -> Survey | None:
    """Return the previous round when it belongs to the same school."""
    previous = survey.previous_round
    if previous is None or previous.school_id != survey.school_id:
        return None
    return previous


def look_back(survey: Survey, current: Results | None = None
              ) -> tuple[Survey | None, list[LookBack]]:
    """Return the previous round's goals with the change in their linked items.

    Changes come from ``compare_rounds`` on the visible tables of both rounds, with
    the larger of the two rounds' group-size thresholds, and only when both
    rounds have results (are closed). ``current`` is the survey's results when
    the caller has loaded them already (they are not loaded twice).
    """
    from rok.dashboard.analysis import compare_rounds
    from rok.dashboard.disclosure import SHOWN, Privacy
    from rok.dashboard.exports import load_results

    previous = previous_round(survey)
    if previous is None:
        return None, []
    goals = goals_of(previous)
    if not goals:
        return previous, []
    comparable = results_problem(survey) is None and results_problem(previous) is None
    changes: dict[str, dict] = {}
    if comparable:
        if current is None or current.survey is not survey:
            current = load_results(survey)
        before = load_results(previous)
        min_group = max(current.privacy.min_group, before.privacy.min_group)
        privacy = Privacy(min_group=min_group, min_comments=max(
            min_group, current.privacy.min_comments, before.privacy.min_comments))
        for level in ("statement", "expectation", "area", "rubriek"):
            table = compare_rounds(current.data, before.data, level=level,
                                   privacy=privacy, thresholds=current.thresholds)
            for row in table.to_dict("records"):
                if level == "statement":
                    key = f"statement:{row['statement_id_previous']}"
                else:
                    key = unit_key(level, row["unit"])
                changes[key] = row
    previous_units = unit_index(previous)
    statements = {s.id: s for s in previous.statements}

    def number(value) -> float | None:
        try:
            return None if value is None or value != value else float(value)
        except (TypeError, ValueError):
            return None

    result = []
    for goal in goals:
        rows = []
        items = [(k, previous_units[k].label) for k in goal.unit_keys
                 if k in previous_units]
        items += [(f"statement:{i}", statements[i].text) for i in goal.statement_ids
                  if i in statements]
        for key, label in items:
            row = changes.get(key)
            if not comparable:
                rows.append(LookBackRow(label, "unavailable"))
            elif row is None:
                rows.append(LookBackRow(label, "missing"))
            elif row["status"] != SHOWN:
                rows.append(LookBackRow(label, "too_small"))
            else:
                rows.append(LookBackRow(
                    label, SHOWN,
                    pct_agree_previous=number(row["pct_agree_previous"]),
                    pct_agree_current=number(row["pct_agree_current"]),
                    mean_previous=number(row["mean_previous"]),
                    mean_current=number(row["mean_current"]),
                    change_mean=number(row["change_mean"]),
                    matters=bool(row["matters"])))
        result.append(LookBack(goal, rows))
    return previous, result
