"""Dutch labels (translatable) of the processing states, for pages and the report."""

from flask_babel import lazy_gettext as _l

from rok.processing.models import ActionStatus, DevelopmentLevel, GoalStatus, UnitLevel

GOAL_STATUS = {
    GoalStatus.PLANNED: _l("gepland"),
    GoalStatus.IN_PROGRESS: _l("bezig"),
    GoalStatus.DONE: _l("afgerond"),
    GoalStatus.ADJUSTED: _l("bijgestuurd"),
}
ACTION_STATUS = {
    ActionStatus.PLANNED: _l("gepland"),
    ActionStatus.IN_PROGRESS: _l("bezig"),
    ActionStatus.DONE: _l("afgerond"),
}
DEVELOPMENT_LEVEL = {
    DevelopmentLevel.BELOW: _l("beneden de verwachting"),
    DevelopmentLevel.APPROACHING: _l("benadert de verwachting"),
    DevelopmentLevel.MEETS: _l("volgens de verwachting"),
    DevelopmentLevel.EXCEEDS: _l("overstijgt de verwachting"),
}
UNIT_LEVEL = {
    UnitLevel.RUBRIEK: _l("rubriek"),
    UnitLevel.AREA: _l("onderdeel"),
    UnitLevel.EXPECTATION: _l("verwachting"),
}
#: The marking of an advisor's note wherever the school sees it.
ADVISOR_NOTE = _l("notitie van de begeleider")
#: The caption of every self-placement.
OWN_JUDGEMENT = _l("het eigen oordeel van het team, geen inspectieoordeel")
