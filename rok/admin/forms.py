"""Forms of the platform administration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from rok.accounts.forms import EMAIL
from rok.forms import no_control_characters, strip_filter

LEVEL_CHOICES = [
    SelectChoice("bao", _l("Basisonderwijs")),
    SelectChoice("bubao", _l("Buitengewoon basisonderwijs")),
    SelectChoice("so", _l("Secundair onderwijs")),
    SelectChoice("buso", _l("Buitengewoon secundair onderwijs")),
    SelectChoice("dko", _l("Deeltijds kunstonderwijs")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SchoolForm(FlaskForm):
    name = StringField(
        _l("Naam van de school"),
        validators=[DataRequired(_l("Vul de naam van de school in.")),
                    Length(max=200, message=_l("Deze naam is te lang.")),
                    no_control_characters],
        filters=[strip_filter],
    )
    institution_number = StringField(
        _l("Instellingsnummer"),
        validators=[Optional(), Length(max=20)],
        filters=[strip_filter],
    )
    levels = MultiCheckboxField(
        _l("Onderwijsniveaus"),
        choices=LEVEL_CHOICES,
        validators=[DataRequired(_l("Kies minstens één onderwijsniveau."))],
    )
    admin_email = EmailField(_l("E-mailadres van de directeur"), validators=EMAIL,
                             filters=[strip_filter])
    admin_name = StringField(
        _l("Naam van de directeur"),
        validators=[Optional(), Length(max=120), no_control_characters],
        filters=[strip_filter],
    )
