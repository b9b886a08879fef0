"""Fill a survey with synthetic submitted responses, directly in the database.

Random but seeded, and shaped so that a dashboard has something to say: every
statement gets its own "climate" (a strength, a work point, a divided team, many
"geen zicht"), the beleidsteam answers a little more positively, and some
respondents leave an open comment per area.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from rok.extensions import db
from rok.surveys.models import Answer, Comment, Response, Survey, random_id

#: (weights over agreement 1..4, share geen zicht) per statement, cycled.
CLIMATES: Sequence[tuple[tuple[int, int, int, int], float]] = (
    ((2, 5, 45, 48), 0.02),  # strength, united
    ((25, 45, 22, 8), 0.03),  # work point, fairly united
    ((40, 8, 8, 44), 0.02),  # divided: polarised
    ((5, 20, 50, 25), 0.35),  # many geen zicht: blind spot
    ((10, 30, 45, 15), 0.05),  # in between
    ((30, 40, 25, 5), 0.0),  # work point with a will to act
)

COMMENT_TEXTS = (
    "We overleggen te weinig over de doelen.",
    "Fijne sfeer in het team.",
    "Graag meer tijd voor co-teaching.",
    "De communicatie met ouders kan beter.",
    "Goed dat dit eens bevraagd wordt.",
)


def fill_survey(
    survey: Survey,
    respondents: int = 40,
    *,
    seed: int = 1,
    groups: Mapping[str, Sequence[tuple[str | None, int]]] | None = None,
    comment_share: float = 0.3,
    unsubmitted: int = 2,
) -> list[str]:
    """Add ``respondents`` submitted responses (and a few unsubmitted ones).

    ``groups`` maps a dimension key to ``(option, weight)`` pairs (option None =
    not given); by default every option of every dimension weighs the same. The
    first option of the role dimension (beleidsteam) answers one point higher
    where it can. Returns the ids of the submitted responses.
    """
    rng = random.Random(seed)
    if groups is None:
        groups = {
            d.key: [(o.key, 1) for o in d.options] for d in survey.dimensions
        }
    statements = list(survey.statements)
    areas = sorted({s.area_code for s in statements})
    role = next((d.key for d in survey.dimensions if d.is_role), None)
    lead = None
    if role:
        lead = next(
            (o.key for d in survey.dimensions if d.is_role for o in d.options
             if o.is_leadership),
            None,
        )
    responses, answers, comments, ids = [], [], [], []
    for index in range(respondents + unsubmitted):
        submitted = index < respondents
        subgroups = {}
        for key, choices in groups.items():
            options = [o for o, _ in choices]
            weights = [w for _, w in choices]
            value = rng.choices(options, weights)[0]
            if value is not None:
                subgroups[key] = value
        rid = random_id()
        responses.append({"id": rid, "survey_id": survey.id,
                          "is_submitted": submitted, "subgroups": subgroups,
                          "resume_key_hash": None if submitted else random_id()})
        if submitted:
            ids.append(rid)
        is_lead = role is not None and subgroups.get(role) == lead
        for number, statement in enumerate(statements):
            weights, no_view_share = CLIMATES[number % len(CLIMATES)]
            no_view = rng.random() < no_view_share
            agreement = None
            if not no_view:
                agreement = rng.choices((1, 2, 3, 4), weights)[0]
                if is_lead and agreement < 4 and rng.random() < 0.7:
                    agreement += 1
            action = None
            if rng.random() < 0.8:
                ready = number % len(CLIMATES) == 5
                weights_action = (1, 2, 4, 3) if ready else (4, 3, 2, 1)
                action = rng.choices((1, 2, 3, 4), weights_action)[0]
            answers.append({"response_id": rid, "statement_id": statement.id,
                            "agreement": agreement, "no_view": no_view,
                            "action": action})
        for area in areas:
            if submitted and rng.random() < comment_share:
                comments.append({"response_id": rid, "area_code": area,
                                 "text": rng.choice(COMMENT_TEXTS)})
    db.session.execute(sa.insert(Response), responses)
    if answers:
        db.session.execute(sa.insert(Answer), answers)
    if comments:
        db.session.execute(sa.insert(Comment), comments)
    db.session.commit()
    return ids
