"""Demo surveys for ``make run``: a finished survey with realistic synthetic answers
and an open survey with a team link to try the respondent side.

Deterministic (seeded), so every demo database looks the same. The answers follow
patterns a school would recognise: clear strengths, work points the team wants to
tackle, divided statements, blind spots where the beleidsteam is much more positive
than the rest, and statements many people have no view on.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime

from sqlalchemy import select

from rok.accounts.models import utcnow
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
    SurveyStatus,
)

#: The demo team: (functie, label, head count).
TEAM = [("beleidsteam", "Beleidsteam", 5), ("kleuter", "Kleuteronderwijs", 10),
        ("lager", "Lager onderwijs", 16), ("zorg", "Zorgteam", 5),
        ("ondersteunend", "Ondersteunend personeel", 5)]
EXPERIENCE = [("kort", "Minder dan 5 jaar"), ("midden", "5 tot 15 jaar"),
              ("lang", "Meer dan 15 jaar")]
#: Team members who did not answer (one kleuter, one lager, one ondersteunend).
NOT_ANSWERED = {"kleuter": 1, "lager": 1, "ondersteunend": 1}
TEAM_KEY = "demo-regenboog-team"

#: Scales as in the bank (used when no bank is loaded).
SCALES = {
    "agreement": {
        "title": "Instemming",
        "question": "In welke mate ben je het eens met deze stelling?",
        "points": [{"value": 1, "label": "Helemaal oneens"},
                   {"value": 2, "label": "Eerder oneens"},
                   {"value": 3, "label": "Eerder eens"},
                   {"value": 4, "label": "Helemaal eens"}],
        "no_view": {"label": "Geen zicht / weet ik niet"},
    },
    "action": {
        "title": "Actiebereidheid",
        "question": "Wil je hier (mee) aan werken?",
        "optional": True,
        "points": [{"value": 1, "label": "Nu niet nodig"},
                   {"value": 2, "label": "Misschien later"},
                   {"value": 3, "label": "Hier wil ik mee aan de slag"},
                   {"value": 4, "label": "Hier wil ik mee trekken"}],
    },
}

#: Used when no statement bank is loaded: (expectation, area, rubriek, text).
FALLBACK_STATEMENTS = [
    ("R2", "RE", "RE", "Onze leerlingen komen graag naar school."),
    ("R3", "RE", "RE",
     "Onze leerlingen stromen vlot door naar het secundair onderwijs."),
    ("D1", "D", "OL", "We stemmen de doelen af tussen de leerjaren."),
    ("D3", "D", "OL", "We maken de doelen van een les duidelijk aan de leerlingen."),
    ("V2", "V", "OL", "We differentiëren in de klas voor sterke en zwakke leerlingen."),
    ("V3", "V", "OL", "Leerlingen krijgen feedback waarmee ze verder kunnen."),
    ("B1", "B", "OL", "Onze zorgwerking is voor iedereen duidelijk."),
    ("B2", "B", "OL", "Leerlingen met extra noden krijgen tijdig ondersteuning."),
    ("O2", "O", "OL", "We evalueren breed, niet alleen met toetsen."),
    ("O4", "O", "OL", "We rapporteren zo dat ouders begrijpen hoe hun kind evolueert."),
    ("BL1", "BV", "BE",
     "Het beleidsteam betrekt het team bij belangrijke beslissingen."),
    ("BL4", "BV", "BE", "We werken samen met ouders als partners."),
    ("BL9", "PB", "BE", "Nieuwe collega's worden goed opgevangen."),
    ("BL10", "PB", "BE", "Ik krijg kansen om me professioneel te ontwikkelen."),
    ("K2", "KO", "KO", "We volgen onze kwaliteit op met concrete gegevens."),
    ("K3", "KO", "KO", "We sturen ons beleid bij op basis van evaluaties."),
]

#: Probability of agreement 1..4 per pattern (for everyone but the beleidsteam in
#: a blind spot), the share of "geen zicht", and the action-readiness distribution.
PATTERNS = {
    "strength": ([0.02, 0.08, 0.45, 0.45], 0.03, [0.45, 0.35, 0.15, 0.05]),
    "work": ([0.25, 0.45, 0.25, 0.05], 0.04, [0.05, 0.2, 0.5, 0.25]),
    "divided": ([0.35, 0.12, 0.13, 0.40], 0.05, [0.2, 0.35, 0.35, 0.1]),
    "blind": ([0.15, 0.45, 0.35, 0.05], 0.06, [0.15, 0.35, 0.35, 0.15]),
    "no_view": ([0.05, 0.25, 0.5, 0.2], 0.45, [0.4, 0.4, 0.15, 0.05]),
    "mixed": ([0.06, 0.26, 0.5, 0.18], 0.06, [0.25, 0.4, 0.28, 0.07]),
}
#: The order in which statements get a pattern (cycled): mostly positive schools.
PATTERN_CYCLE = ["strength", "mixed", "work", "strength", "divided", "mixed", "blind",
                 "strength", "no_view", "mixed", "work", "strength"]

COMMENTS = [
    "We doen al veel, maar het is niet altijd zichtbaar voor iedereen.",
    "Graag meer tijd om samen met de parallelcollega voor te bereiden.",
    "Het overleg tussen kleuter en lager mag structureler.",
    "Ik ben trots op hoe we nieuwe leerlingen opvangen.",
    "De afspraken rond zorg zijn niet voor iedereen even duidelijk.",
    "Meer feedback van het beleidsteam zou helpen.",
    "Fijn dat we als team eerlijk naar onszelf kijken.",
    "Soms weet ik niet wat er met onze evaluaties gebeurt.",
    "Het rapport is voor ouders nog te technisch.",
    "Ik mis een duidelijk overzicht van de nascholingen.",
    "Sterk team, maar de werkdruk is hoog.",
    "Meer co-teaching zou differentiëren haalbaarder maken.",
]


def _pick(rng: random.Random, weights: list[float]) -> int:
    return rng.choices(range(1, len(weights) + 1), weights=weights)[0]


def _bank_statements(level: str) -> tuple[int | None, dict, list[tuple]]:
    """Return (bank version id, scales, statements) of the default selection."""
    try:
        from rok.framework import services as framework_services
    except ImportError:  # pragma: no cover
        return None, SCALES, FALLBACK_STATEMENTS
    version = framework_services.latest_version()
    if version is None:
        return None, SCALES, FALLBACK_STATEMENTS
    chosen = []
    for statement in framework_services.statements_of(version):
        if level in (statement.default_for or []):
            area = statement.expectation.area
            chosen.append((statement.expectation.code, area.code, area.rubriek.code,
                           statement.text, statement.key))
    if not chosen:
        return None, SCALES, FALLBACK_STATEMENTS
    return version.id, version.scales or SCALES, chosen


def _new_survey(school, title: str, status: SurveyStatus, *, level: str = "bao"
                ) -> Survey:
    version_id, scales, statements = _bank_statements(level)
    survey = Survey(school=school, title=title, level=level, bank_version_id=version_id,
                    scales=scales, status=status, intro_text=(
                        "Met deze bevraging kijken we als team naar de kwaliteit van "
                        "onze school, langs het OK-kader (het Referentiekader voor "
                        "Onderwijskwaliteit).\n\nEr zijn geen goede of foute "
                        "antwoorden: jouw eerlijke blik helpt ons kiezen waar we "
                        "samen aan werken."))
    for position, row in enumerate(statements):
        expectation, area, rubriek, text = row[:4]
        key = row[4] if len(row) > 4 else None
        survey.statements.append(SurveyStatement(
            position=position, text=text, original_text=text if key else None,
            origin_key=key, expectation_code=expectation, area_code=area,
            rubriek_code=rubriek))
    survey.rubrieken = list(dict.fromkeys(s.rubriek_code for s in survey.statements))
    role = SubgroupDimension(key="functie", label="Functie", position=0, is_role=True)
    for index, (key, label, _count) in enumerate(TEAM):
        role.options.append(SubgroupOption(key=key, label=label, position=index,
                                           is_leadership=key == "beleidsteam"))
    experience = SubgroupDimension(key="ervaring", label="Ervaring", position=1)
    for index, (key, label) in enumerate(EXPERIENCE):
        experience.options.append(SubgroupOption(key=key, label=label, position=index))
    survey.dimensions.extend([role, experience])
    db.session.add(survey)
    db.session.flush()
    return survey


def create_demo_survey(school, *, seed: int = 2026) -> dict:
    """Add a closed survey with ~40 answering staff and an open team-link survey.

    Flushes, never commits. Returns both surveys.
    """
    rng = random.Random(seed)
    finished = _new_survey(school, "Zelfevaluatie 2025-2026", SurveyStatus.CLOSED)
    finished.planned_start = date(2026, 3, 2)
    finished.planned_end = date(2026, 3, 20)
    finished.opened_at = datetime(2026, 3, 2, 7, 30)
    finished.closed_at = datetime(2026, 3, 20, 16, 0)
    finished.expected_team_size = sum(count for _k, _l, count in TEAM)

    patterns = {s.id: PATTERN_CYCLE[i % len(PATTERN_CYCLE)]
                for i, s in enumerate(finished.statements)}
    number = 0
    comments_left = list(COMMENTS)
    area_codes = list(dict.fromkeys(s.area_code for s in finished.statements))
    for role, _label, count in TEAM:
        for member in range(count):
            number += 1
            answered = member >= NOT_ANSWERED.get(role, 0)
            experience = EXPERIENCE[rng.choices(range(3), weights=[2, 4, 4])[0]][0]
            # Invitations exist for everyone (with a token that is then forgotten).
            token = links.new_token()
            db.session.add(Participant(
                survey=finished, email=f"collega{number:02d}@demo.rok.example",
                subgroups={"functie": role, "ervaring": experience},
                token_hash=links.participant_hash(token), has_finished=answered,
                invited_at=finished.opened_at))
            if not answered:
                continue
            response = Response(survey_id=finished.id, is_submitted=True,
                                subgroups={"functie": role, "ervaring": experience})
            db.session.add(response)
            db.session.flush()
            leader = role == "beleidsteam"
            for statement in finished.statements:
                pattern = patterns[statement.id]
                weights, no_view_share, action_weights = PATTERNS[pattern]
                if pattern == "blind" and leader:
                    weights, no_view_share = [0.0, 0.0, 0.3, 0.7], 0.0
                if role == "ondersteunend" and statement.rubriek_code == "OL":
                    no_view_share = max(no_view_share, 0.5)  # far from the classroom
                if rng.random() < no_view_share:
                    agreement, no_view = None, True
                else:
                    agreement, no_view = _pick(rng, weights), False
                action = _pick(rng, action_weights) if rng.random() < 0.85 else None
                db.session.add(Answer(response_id=response.id,
                                      statement_id=statement.id, agreement=agreement,
                                      no_view=no_view, action=action))
            if comments_left and rng.random() < 0.35:
                db.session.add(Comment(response_id=response.id,
                                       area_code=rng.choice(area_codes),
                                       text=comments_left.pop(0)))
    trial = _new_survey(school, "Probeer zelf: proefbevraging", SurveyStatus.OPEN)
    trial.opened_at = utcnow()
    taken = db.session.scalar(select(Survey.id).where(Survey.team_key == TEAM_KEY))
    trial.team_key = secrets.token_urlsafe(12) if taken else TEAM_KEY
    trial.team_link_enabled = True
    trial.expected_team_size = 40
    db.session.flush()
    return {"finished_survey": finished, "open_survey": trial,
            "team_link": f"/t/{trial.team_key}"}
