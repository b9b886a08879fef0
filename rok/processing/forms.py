"""Forms of the processing pages; choices that come from data are set by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from rok.forms import (
    no_control_characters,
    no_control_characters_in_text,
    strip_filter,
)
from rok.processing import labels
from rok.processing.services import (
    MAX_ACTION_WHAT,
    MAX_GOAL_TEXT,
    MAX_GOAL_TITLE,
    MAX_MOTIVATION,
    MAX_NOTE,
    MAX_OWNER,
    MAX_TIMING,
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _too_long(limit: int):
    return Length(max=limit, message=_l("Hoogstens %(max)d tekens."))


class NoteForm(FlaskForm):
    unit = SelectField(_l("Over"), validate_choice=True)
    text = TextAreaField(
        _l("Notitie"),
        validators=[DataRequired(_l("Schrijf eerst een notitie.")),
                    _too_long(MAX_NOTE), no_control_characters_in_text],
        filters=[strip_filter], render_kw={"rows": 4})


class NoteEditForm(FlaskForm):
    text = TextAreaField(
        _l("Notitie"),
        validators=[DataRequired(_l("Een notitie kan niet leeg zijn.")),
                    _too_long(MAX_NOTE), no_control_characters_in_text],
        filters=[strip_filter], render_kw={"rows": 6})


class PlacementForm(FlaskForm):
    """One area's placement; built with ``prefix=placement_prefix(unit key)``."""

    level = SelectField(
        _l("Waar staan we volgens ons team?"),
        choices=[SelectChoice("", _l("(nog) niet ingevuld"))]
        + [SelectChoice(k.value, v) for k, v in labels.DEVELOPMENT_LEVEL.items()],
        validators=[Optional()])
    motivation = TextAreaField(
        _l("Korte motivering"),
        validators=[_too_long(MAX_MOTIVATION), no_control_characters_in_text],
        filters=[strip_filter], render_kw={"rows": 2})


class GoalForm(FlaskForm):
    title = StringField(
        _l("Doel"),
        validators=[DataRequired(_l("Geef het doel een titel.")),
                    _too_long(MAX_GOAL_TITLE), no_control_characters],
        filters=[strip_filter])
    units = MultiCheckboxField(_l("Kwaliteitsgebieden"), validate_choice=True)
    statements = MultiCheckboxField(_l("Stellingen"), coerce=int,
                                    validate_choice=True)
    expected_effect = TextAreaField(
        _l("Verwacht effect"),
        validators=[_too_long(MAX_GOAL_TEXT), no_control_characters_in_text],
        filters=[strip_filter], render_kw={"rows": 3})
    indicator = TextAreaField(
        _l("Indicator: waaraan zien we dat het doel bereikt is?"),
        validators=[_too_long(MAX_GOAL_TEXT), no_control_characters_in_text],
        filters=[strip_filter],
        render_kw={"rows": 2})
    review_on = DateField(_l("Evaluatiemoment"), validators=[Optional()],
                          render_kw={"autocomplete": "off"})
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(k.value, v) for k, v in labels.GOAL_STATUS.items()])


class ActionForm(FlaskForm):
    what = TextAreaField(
        _l("Actie: wat gebeurt er?"),
        validators=[DataRequired(_l("Beschrijf wat er gebeurt.")),
                    _too_long(MAX_ACTION_WHAT), no_control_characters_in_text],
        filters=[strip_filter], render_kw={"rows": 2})
    owner = StringField(
        _l("Wie trekt het?"),
        validators=[_too_long(MAX_OWNER), no_control_characters],
        filters=[strip_filter])
    timing = StringField(
        _l("Wanneer (in woorden)"),
        validators=[_too_long(MAX_TIMING), no_control_characters],
        filters=[strip_filter])
    starts_on = DateField(_l("Van"), validators=[Optional()],
                          render_kw={"autocomplete": "off"})
    ends_on = DateField(_l("Tot"), validators=[Optional()],
                        render_kw={"autocomplete": "off"})
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(k.value, v) for k, v in labels.ACTION_STATUS.items()])


def placement_prefix(unit_key: str) -> str:
    """Return the form prefix of a unit's placement form (unique ids per page)."""
    return "p-" + "".join(c if c.isalnum() else "-" for c in unit_key)[:40]
