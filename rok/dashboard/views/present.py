"""Presentation mode for the staff meeting: one screen per rubriek or expectation.

``/presentatie?niveau=rubriek&dia=3``. Slide 1 tells how to read the figures,
then one slide per unit (large type, the reading, the distribution per child
unit and questions for the conversation), and a last slide with the priorities.
Plain links go back and forth; dashboard.js adds the arrow keys.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from rok.accounts.access import Permission, school_required
from rok.dashboard import analysis, presenting
from rok.dashboard.views import bp
from rok.dashboard.views.context import FilterError, load_dashboard, records, render
from rok.dashboard.views.pages import bars_block, only

CHILD = {"rubriek": "expectation", "expectation": "statement"}


@bp.get("/presentatie")
@school_required(Permission.VIEW)
def present(school, survey_id: int):
    dash = load_dashboard(school, survey_id)
    if dash.responses == 0:
        return render(dash, "dashboard/present.html")
    level = dash.level_from_request("rubriek", ("rubriek", "expectation"))
    units = records(dash.summary(level))
    total = len(units) + 2
    raw = request.args.get("dia", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= total:
        raise FilterError(_("Dia %(d)s bestaat niet; kies een dia van 1 tot %(n)d.",
                            d=raw[:10], n=total))
    number = int(raw)
    slide: dict = {"kind": "intro"}
    if 1 < number < total:
        unit = units[number - 2]
        child = CHILD[level]
        children = only(dash.summary(child), level, unit["unit"])
        slide = {
            "kind": "unit",
            "row": unit,
            "explanation": dash.names.explanation(level, str(unit["unit"])),
            "chart": bars_block(
                dash, f"chart-slide-{number}", children,
                _("Verdeling van de antwoorden per %(level)s",
                  level=presenting.LEVEL_NAMES[child]),
                presenting.LEVEL_NAMES[child], large=True),
            "questions": presenting.questions(unit["labels"] or ()),
        }
    elif number == total:
        statements = dash.summary("statement")
        picks = {}
        for label in ("prioriteit", "werkpunt", "sterkte", "gespreksthema"):
            rows = statements.loc[statements[f"is_{label}"].astype(bool)]
            picks[label] = records(rows.head(5))
        slide = {"kind": "closing", "picks": picks}

    def link(n: int) -> str:
        return dash.url("dashboard.present", niveau=level, dia=n)

    return render(
        dash, "dashboard/present.html", slide=slide, number=number, total=total,
        level=level, prev_url=link(number - 1) if number > 1 else None,
        next_url=link(number + 1) if number < total else None,
        labels=analysis.LABELS,
    )
