"""The school's side of a survey: the use cases of the four phases.

Plain functions that take values, may flush and never commit (the view or CLI
command that calls them commits) and never read the request. A refused action
raises :class:`SurveyError` (or :class:`LockedError`) with a Dutch message the
view shows as it is.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from rok.accounts.models import School
from rok.extensions import db
from rok.framework import services as bank
from rok.framework.models import BankStatement, BankVersion, Expectation
from rok.surveys.models import (
    Participant,
    Response,
    SubgroupDimension,
    SubgroupOption,
    Survey,
    SurveyStatement,
    SurveyStatus,
)

MAX_TITLE = 200
MAX_STATEMENT = 300
MAX_INTRO = 5000
MAX_LABEL = 80
MAX_TEAM_SIZE = 2000
#: Longest planned window we accept (a survey runs weeks, not years).
MAX_WINDOW_DAYS = 366


class SurveyError(Exception):
    """An action the school asked for is not possible; the message says why."""

    status = 400


class LockedError(SurveyError):
    """The survey's questions are frozen (answers exist, or it is closed)."""

    status = 409


# --- phases ---------------------------------------------------------------------

PHASES = ("beslissen", "voorbereiden", "uitvoeren", "verwerken")


def phase(survey: Survey) -> str:
    """Return the phase the survey is in (beslissen is done once it exists)."""
    if survey.status == SurveyStatus.OPEN:
        return "uitvoeren"
    if survey.status == SurveyStatus.CLOSED:
        return "verwerken"
    return "voorbereiden"


def has_responses(survey: Survey) -> bool:
    """Tell whether anyone has started answering (a draft counts too)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.survey_id == survey.id)
        )
        > 0
    )


def lock_reason(survey: Survey) -> str | None:
    """Say why statements and subgroups can no longer change, or None."""
    if survey.status == SurveyStatus.CLOSED:
        return _(
            "De bevraging is afgesloten; de stellingen en deelgroepen liggen vast."
        )
    if has_responses(survey):
        return _(
            "Er zijn al antwoorden gegeven. Om de resultaten zuiver te houden "
            "liggen de stellingen, deelgroepen en antwoordschalen nu vast."
        )
    return None


def ensure_editable(survey: Survey) -> None:
    reason = lock_reason(survey)
    if reason:
        raise LockedError(reason)


def ensure_not_closed(survey: Survey) -> None:
    if survey.status == SurveyStatus.CLOSED:
        raise LockedError(_("De bevraging is afgesloten; dit kan niet meer."))


# --- beslissen --------------------------------------------------------------------

#: Sensible role options per level: (key, label); beleidsteam always comes first.
ROLE_OPTIONS: dict[str, list[tuple[str, str]]] = {
    "bao": [
        ("kleuter", "Kleuteronderwijs"),
        ("lager", "Lager onderwijs"),
        ("zorg", "Zorg en ondersteuning"),
        ("ondersteunend", "Ondersteunend personeel"),
    ],
    "bubao": [
        ("klas", "Klasleraar"),
        ("paramedisch", "Paramedisch team"),
        ("zorg", "Zorg en begeleiding"),
        ("ondersteunend", "Ondersteunend personeel"),
    ],
    "so": [
        ("graad1", "Leraar eerste graad"),
        ("graad2", "Leraar tweede graad"),
        ("graad3", "Leraar derde graad"),
        ("begeleiding", "Leerlingenbegeleiding"),
        ("ondersteunend", "Ondersteunend personeel"),
    ],
    "buso": [
        ("algemeen", "Leraar algemene vorming"),
        ("praktijk", "Praktijkleraar"),
        ("paramedisch", "Paramedisch team"),
        ("begeleiding", "Leerlingenbegeleiding"),
        ("ondersteunend", "Ondersteunend personeel"),
    ],
    "dko": [("leraar", "Leraar"), ("ondersteunend", "Administratief en ondersteunend")],
}


def default_intro(school_name: str) -> str:
    """Return the default intro text that explains the OK-kader and anonymity."""
    return _(
        "Beste collega\n\n"
        "Met deze bevraging willen we samen kijken naar de kwaliteit van onze "
        "school. We volgen daarvoor het Referentiekader voor Onderwijskwaliteit "
        "(OK-kader): de verwachtingen die de Vlaamse overheid stelt aan goed "
        "onderwijs. Het kader zegt wat belangrijk is, maar laat de school zelf "
        "kiezen hoe ze dat aanpakt.\n\n"
        "Je krijgt korte stellingen. Geef bij elke stelling aan in welke mate je "
        "het ermee eens bent, en of je er zelf mee aan de slag wilt. Heb je geen "
        "zicht op iets, kies dan 'geen zicht / weet ik niet'. Het duurt ongeveer "
        "een kwartier; je kunt onderbreken en later verdergaan.\n\n"
        "Je antwoorden zijn anoniem: niemand, ook de directie niet, kan zien wat "
        "jij hebt geantwoord. We tonen alleen resultaten van groepen die groot "
        "genoeg zijn. De resultaten bespreken we samen in het team; zo kiezen we "
        "waar we de komende tijd aan werken.\n\n"
        "Dank je wel voor je tijd en je eerlijke blik!\n"
        "Het beleidsteam van %(school)s",
        school=school_name,
    )


def check_window(start: date | None, end: date | None) -> None:
    if start and end:
        if end < start:
            raise SurveyError(_("De einddatum ligt voor de startdatum."))
        if (end - start).days > MAX_WINDOW_DAYS:
            raise SurveyError(_("Een bevraging loopt hoogstens een jaar."))


def create_survey(
    school: School,
    *,
    title: str,
    level: str,
    rubrieken: Iterable[str],
    planned_start: date | None = None,
    planned_end: date | None = None,
    version: BankVersion | None = None,
) -> Survey:
    """Create a survey with the level's default selection of the latest bank."""
    version = version or bank.latest_version()
    if version is None:
        raise SurveyError(
            _(
                "De stellingenbank is nog niet geladen. Vraag de "
                "platformbeheerder om 'flask rok bank load' uit te voeren."
            )
        )
    if level not in school.levels:
        raise SurveyError(_("Kies een onderwijsniveau van jullie school."))
    if level not in version.level_codes:
        raise SurveyError(
            _("De stellingenbank heeft (nog) geen stellingen voor dit onderwijsniveau.")
        )
    known = [r.code for r in version.framework.rubrieken]
    chosen = [code for code in known if code in set(rubrieken)]
    if not chosen:
        raise SurveyError(_("Kies minstens één rubriek."))
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise SurveyError(_("Geef de bevraging een titel van hoogstens 200 tekens."))
    check_window(planned_start, planned_end)

    survey = Survey(
        school_id=school.id,
        title=title,
        level=level,
        bank_version_id=version.id,
        scales=dict(version.scales),
        rubrieken=chosen,
        status=SurveyStatus.PREPARING,
        planned_start=planned_start,
        planned_end=planned_end,
        intro_text=default_intro(school.name),
    )
    position = 0
    for statement in bank.browse(version, level, default_only=True):
        if statement.expectation.area.rubriek.code in chosen:
            survey.statements.append(_copy_bank_statement(statement, position))
            position += 1
    role = SubgroupDimension(
        key="functie", label=_("Functie"), position=0, is_role=True
    )
    role.options.append(
        SubgroupOption(
            key="beleidsteam", label=_("Beleidsteam"), position=0, is_leadership=True
        )
    )
    for index, (key, label) in enumerate(ROLE_OPTIONS.get(level, []), 1):
        role.options.append(SubgroupOption(key=key, label=label, position=index))
    survey.dimensions.append(role)
    db.session.add(survey)
    db.session.flush()
    return survey


def update_settings(
    survey: Survey, *, title: str, planned_start: date | None, planned_end: date | None
) -> None:
    ensure_not_closed(survey)
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise SurveyError(_("Geef de bevraging een titel van hoogstens 200 tekens."))
    check_window(planned_start, planned_end)
    survey.title = title
    survey.planned_start = planned_start
    survey.planned_end = planned_end
    db.session.flush()


def _copy_bank_statement(statement: BankStatement, position: int) -> SurveyStatement:
    expectation = statement.expectation
    return SurveyStatement(
        position=position,
        text=statement.text,
        original_text=statement.text,
        origin_key=statement.key,
        expectation_code=expectation.code,
        area_code=expectation.area.code,
        rubriek_code=expectation.area.rubriek.code,
    )


# --- voorbereiden: statements -------------------------------------------------------


def bank_version_of(survey: Survey) -> BankVersion | None:
    """Return the bank version the survey was built from (or the latest one)."""
    if survey.bank_version_id is not None:
        version = db.session.get(BankVersion, survey.bank_version_id)
        if version is not None:
            return version
    return bank.latest_version()


def _renumber(survey: Survey) -> None:
    for index, statement in enumerate(survey.statements):
        statement.position = index


def add_bank_statements(survey: Survey, keys: Iterable[str]) -> int:
    """Add bank statements (by key) of the survey's level; return how many were new."""
    ensure_editable(survey)
    version = bank_version_of(survey)
    if version is None:
        raise SurveyError(_("De stellingenbank is nog niet geladen."))
    wanted = set(keys)
    present = {s.origin_key for s in survey.statements}
    available = {s.key: s for s in bank.browse(version, survey.level)}
    unknown = wanted - set(available)
    if unknown:
        raise SurveyError(
            _("Deze stelling hoort niet bij de stellingenbank van dit onderwijsniveau.")
        )
    added = 0
    for key in sorted(wanted - present, key=lambda k: available[k].position):
        survey.statements.append(
            _copy_bank_statement(available[key], len(survey.statements))
        )
        added += 1
    _renumber(survey)
    db.session.flush()
    return added


def remove_statement(survey: Survey, statement: SurveyStatement) -> None:
    ensure_editable(survey)
    survey.statements.remove(statement)
    _renumber(survey)
    db.session.flush()


def move_statement(survey: Survey, statement: SurveyStatement, direction: str) -> None:
    """Move a statement one place up or down."""
    ensure_editable(survey)
    items = list(survey.statements)
    index = items.index(statement)
    target = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"} or not 0 <= target < len(items):
        raise SurveyError(_("Deze stelling kan niet verder verplaatst worden."))
    items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items):
        item.position = position
    db.session.flush()
    db.session.expire(survey, ["statements"])


def _clean_statement_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise SurveyError(_("Een stelling mag niet leeg zijn."))
    if len(text) > MAX_STATEMENT:
        raise SurveyError(
            _("Een stelling telt hoogstens 300 tekens. Houd het kort en concreet.")
        )
    return text


def reword_statement(survey: Survey, statement: SurveyStatement, text: str) -> None:
    """Change the wording; the link to the expectation (and the bank) stays."""
    ensure_editable(survey)
    statement.text = _clean_statement_text(text)
    db.session.flush()


def add_own_statement(
    survey: Survey, text: str, expectation_code: str
) -> SurveyStatement:
    """Add the school's own statement, linked to one OK expectation."""
    ensure_editable(survey)
    version = bank_version_of(survey)
    expectation = None
    if version is not None:
        expectation = db.session.scalar(
            select(Expectation).where(
                Expectation.framework_id == version.framework_id,
                Expectation.code == expectation_code,
                Expectation.is_retired.is_(False),
            )
        )
    if expectation is None:
        raise SurveyError(_("Kies een kwaliteitsverwachting uit de lijst."))
    statement = SurveyStatement(
        position=len(survey.statements),
        text=_clean_statement_text(text),
        original_text=None,
        origin_key=None,
        expectation_code=expectation.code,
        area_code=expectation.area.code,
        rubriek_code=expectation.area.rubriek.code,
    )
    survey.statements.append(statement)
    db.session.flush()
    return statement


# --- voorbereiden: subgroups ---------------------------------------------------------


def slug(label: str) -> str:
    """Return a machine key for a label ("Lager onderwijs" -> "lager_onderwijs")."""
    folded = unicodedata.normalize("NFKD", label.casefold())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    key = re.sub(r"[^a-z0-9]+", "_", ascii_only).strip("_")
    return key[:40] or "groep"


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise SurveyError(_("Geef een naam op."))
    if len(label) > MAX_LABEL:
        raise SurveyError(_("Een naam telt hoogstens 80 tekens."))
    return label


def _unique_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        suffix = f"_{n}"
        key = base[: 40 - len(suffix)] + suffix
        n += 1
    return key


def add_dimension(survey: Survey, label: str) -> SubgroupDimension:
    ensure_editable(survey)
    label = _clean_label(label)
    if any(d.label.casefold() == label.casefold() for d in survey.dimensions):
        raise SurveyError(_("Er is al een deelgroep met deze naam."))
    if len(survey.dimensions) >= 5:
        raise SurveyError(
            _(
                "Een bevraging heeft hoogstens vijf indelingen in "
                "deelgroepen; meer maakt de groepen te klein."
            )
        )
    key = _unique_key(slug(label), {d.key for d in survey.dimensions})
    dimension = SubgroupDimension(key=key, label=label, position=len(survey.dimensions))
    survey.dimensions.append(dimension)
    db.session.flush()
    return dimension


def rename_dimension(survey: Survey, dimension: SubgroupDimension, label: str) -> None:
    ensure_editable(survey)
    label = _clean_label(label)
    if any(
        d.label.casefold() == label.casefold()
        for d in survey.dimensions
        if d is not dimension
    ):
        raise SurveyError(_("Er is al een deelgroep met deze naam."))
    dimension.label = label
    db.session.flush()


def remove_dimension(survey: Survey, dimension: SubgroupDimension) -> None:
    ensure_editable(survey)
    if dimension.is_role:
        raise SurveyError(
            _(
                "De indeling naar functie blijft altijd: het dashboard "
                "vergelijkt het beleidsteam met de rest van het team."
            )
        )
    for participant in survey.participants:
        if dimension.key in (participant.subgroups or {}):
            participant.subgroups = {
                k: v for k, v in participant.subgroups.items() if k != dimension.key
            }
    survey.dimensions.remove(dimension)
    for index, item in enumerate(survey.dimensions):
        item.position = index
    db.session.flush()


def add_option(
    survey: Survey, dimension: SubgroupDimension, label: str
) -> SubgroupOption:
    ensure_editable(survey)
    label = _clean_label(label)
    if any(o.label.casefold() == label.casefold() for o in dimension.options):
        raise SurveyError(_("Deze deelgroep heeft al een keuze met deze naam."))
    if len(dimension.options) >= 20:
        raise SurveyError(_("Een deelgroep heeft hoogstens twintig keuzes."))
    key = _unique_key(slug(label), {o.key for o in dimension.options})
    option = SubgroupOption(key=key, label=label, position=len(dimension.options))
    dimension.options.append(option)
    db.session.flush()
    return option


def rename_option(survey: Survey, option: SubgroupOption, label: str) -> None:
    ensure_editable(survey)
    label = _clean_label(label)
    if any(
        o.label.casefold() == label.casefold()
        for o in option.dimension.options
        if o is not option
    ):
        raise SurveyError(_("Deze deelgroep heeft al een keuze met deze naam."))
    option.label = label
    db.session.flush()


def remove_option(survey: Survey, option: SubgroupOption) -> None:
    ensure_editable(survey)
    if option.is_leadership:
        raise SurveyError(
            _(
                "De keuze 'beleidsteam' blijft altijd: het dashboard "
                "zoekt blinde vlekken door het beleidsteam te vergelijken "
                "met de rest van het team."
            )
        )
    dimension = option.dimension
    for participant in survey.participants:
        if (participant.subgroups or {}).get(dimension.key) == option.key:
            participant.subgroups = {
                k: v for k, v in participant.subgroups.items() if k != dimension.key
            }
    dimension.options.remove(option)
    for index, item in enumerate(dimension.options):
        item.position = index
    db.session.flush()


# --- voorbereiden: participants, team link, intro -------------------------------------


def remove_participant(survey: Survey, participant: Participant) -> None:
    ensure_not_closed(survey)
    survey.participants.remove(participant)
    db.session.flush()


def set_team_link(
    survey: Survey, *, enabled: bool, expected_team_size: int | None
) -> None:
    """Enable or disable the open team link; a key is made the first time."""
    if expected_team_size is not None and not 1 <= expected_team_size <= MAX_TEAM_SIZE:
        raise SurveyError(_("De verwachte teamgrootte ligt tussen 1 en 2000."))
    if enabled:
        ensure_not_closed(survey)
        if expected_team_size is None or not 1 <= expected_team_size <= MAX_TEAM_SIZE:
            raise SurveyError(
                _(
                    "Geef de verwachte teamgrootte op (1 tot 2000): zo "
                    "kan rOK een responsgraad berekenen."
                )
            )
        if not survey.team_key:
            survey.team_key = secrets.token_urlsafe(16)
    survey.team_link_enabled = enabled
    if expected_team_size is not None:
        survey.expected_team_size = expected_team_size
    db.session.flush()


def set_intro(survey: Survey, text: str) -> None:
    ensure_not_closed(survey)
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise SurveyError(_("Schrijf een korte inleiding voor het team."))
    if len(text) > MAX_INTRO:
        raise SurveyError(_("De inleiding telt hoogstens 5000 tekens."))
    survey.intro_text = text
    db.session.flush()
