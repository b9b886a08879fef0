"""Fill a survey with seeded, synthetic submitted responses, straight into the DB."""

from __future__ import annotations

import random

from rok.extensions import db
from rok.surveys.models import Answer, Response, Survey


def fill_survey(survey: Survey, groups: dict[str, int] | None = None, *,
                seed: int = 7, dimension: str | None = None,
                extra: dict[str, list[str]] | None = None,
                no_view_rate: float = 0.08, action_rate: float = 0.7) -> list[Response]:
    """Add submitted responses with answers to every statement of ``survey``.

    ``groups`` maps an option of ``dimension`` (default: the survey's first
    dimension) to the number of respondents. ``extra`` maps other dimension keys
    to options that are assigned round-robin. Answers lean towards agreement with
    a per-statement tendency so that tables show a mix of labels.
    """
    rng = random.Random(seed)
    dimension = dimension or (survey.dimensions[0].key if survey.dimensions else None)
    groups = groups or {"beleidsteam": 6, "kleuter": 10, "lager": 16, "zorg": 8}
    tendency = {s.id: rng.choice([1.6, 2.3, 2.9, 3.3, 3.6]) for s in survey.statements}
    responses = []
    counter = 0
    for option, count in groups.items():
        for _ in range(count):
            subgroups = {dimension: option} if dimension and option else {}
            for key, options in (extra or {}).items():
                subgroups[key] = options[counter % len(options)]
            counter += 1
            response = Response(survey_id=survey.id, is_submitted=True,
                                subgroups=subgroups)
            for statement in survey.statements:
                if rng.random() < no_view_rate:
                    agreement, no_view = None, True
                else:
                    value = round(rng.gauss(tendency[statement.id], 0.8))
                    agreement, no_view = min(4, max(1, value)), False
                action = rng.randint(1, 4) if rng.random() < action_rate else None
                response.answers.append(Answer(
                    statement_id=statement.id, agreement=agreement, no_view=no_view,
                    action=action))
            db.session.add(response)
            responses.append(response)
    db.session.commit()
    return responses
