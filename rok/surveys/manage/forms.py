"""Forms of the school's survey pages; choices that come from data are set by views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from rok.forms import (
    no_control_characters,
    no_control_characters_in_text,
    strip_filter,
)
from rok.surveys.manage.services import (
    MAX_INTRO,
    MAX_LABEL,
    MAX_STATEMENT,
    MAX_TEAM_SIZE,
    MAX_TITLE,
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _title_field(label=None):
    return StringField(
        label or _l("Titel"),
        validators=[
            DataRequired(_l("Geef de bevraging een titel.")),
            Length(max=MAX_TITLE, message=_l("Een titel telt hoogstens 200 tekens.")),
            no_control_characters,
        ],
        filters=[strip_filter],
    )


def _date_field(label):
    return DateField(label, validators=[Optional()], render_kw={"autocomplete": "off"})


class WindowMixin:
    def validate_planned_end(self, field) -> None:
        start = self.planned_start.data
        if start and field.data and field.data < start:
            raise ValidationError(_l("De einddatum ligt voor de startdatum."))


def _date_error(form) -> None:
    for name in ("planned_start", "planned_end"):
        f = getattr(form, name)
        if f.raw_data and f.raw_data[0] and f.data is None:
            f.errors[:] = [_l("Vul een geldige datum in.")]


class NewSurveyForm(WindowMixin, FlaskForm):
    title = _title_field()
    level = SelectField(
        _l("Onderwijsniveau"),
        validators=[InputRequired(_l("Kies een onderwijsniveau."))],
    )
    rubrieken = MultiCheckboxField(
        _l("Rubrieken van het OK-kader in deze bevraging"),
        validators=[DataRequired(_l("Kies minstens één rubriek."))],
    )
    planned_start = _date_field(_l("Start (gepland)"))
    planned_end = _date_field(_l("Einde (gepland, die dag inbegrepen)"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        _date_error(self)
        return ok


class SettingsForm(WindowMixin, FlaskForm):
    title = _title_field()
    planned_start = _date_field(_l("Start (gepland)"))
    planned_end = _date_field(_l("Einde (gepland, die dag inbegrepen)"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        _date_error(self)
        return ok


class MoveForm(FlaskForm):
    direction = SelectField(
        choices=[SelectChoice("up", _l("Omhoog")), SelectChoice("down", _l("Omlaag"))]
    )


class StatementTextForm(FlaskForm):
    text = TextAreaField(
        _l("Stelling"),
        validators=[
            DataRequired(_l("Een stelling mag niet leeg zijn.")),
            Length(
                max=MAX_STATEMENT, message=_l("Een stelling telt hoogstens 300 tekens.")
            ),
            no_control_characters_in_text,
        ],
        filters=[strip_filter],
    )


class OwnStatementForm(StatementTextForm):
    expectation = SelectField(
        _l("Hoort bij de kwaliteitsverwachting"),
        validators=[InputRequired(_l("Kies een kwaliteitsverwachting."))],
    )


class BankFilterForm(FlaskForm):
    """GET filters of the bank picker (no CSRF: nothing changes)."""

    class Meta:
        csrf = False

    rubriek = SelectField(_l("Rubriek"), validators=[Optional()])
    verwachting = SelectField(_l("Kwaliteitsverwachting"), validators=[Optional()])


class AddFromBankForm(FlaskForm):
    keys = MultiCheckboxField(
        _l("Stellingen"),
        validate_choice=False,
        validators=[DataRequired(_l("Vink minstens één stelling aan."))],
    )


class LabelForm(FlaskForm):
    label = StringField(
        _l("Naam"),
        validators=[
            DataRequired(_l("Geef een naam op.")),
            Length(max=MAX_LABEL, message=_l("Een naam telt hoogstens 80 tekens.")),
            no_control_characters,
        ],
        filters=[strip_filter],
    )


class ImportForm(FlaskForm):
    file = FileField(_l("CSV-bestand"))
    pasted = TextAreaField(
        _l("Of plak de lijst"),
        validators=[
            Length(max=1024 * 1024, message=_l("De geplakte lijst is groter dan 1 MB."))
        ],
    )
    #: The list as it was read, carried along when the school confirms valid rows.
    carried = HiddenField(validators=[Length(max=1024 * 1024)])
    only_valid = BooleanField(_l("Alleen de geldige rijen importeren"))


class TeamLinkForm(FlaskForm):
    enabled = BooleanField(_l("Teamlink aanzetten"))
    expected_team_size = IntegerField(
        _l("Verwachte teamgrootte"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_TEAM_SIZE,
                message=_l("Geef een teamgrootte van 1 tot 2000."),
            ),
        ],
    )

    def validate_expected_team_size(self, field) -> None:
        if self.enabled.data and field.data is None:
            raise ValidationError(_l("Geef de verwachte teamgrootte op (1 tot 2000)."))


class IntroForm(FlaskForm):
    intro_text = TextAreaField(
        _l("Inleiding voor het team"),
        validators=[
            DataRequired(_l("Schrijf een korte inleiding voor het team.")),
            Length(
                max=MAX_INTRO, message=_l("De inleiding telt hoogstens 5000 tekens.")
            ),
            no_control_characters_in_text,
        ],
        render_kw={"rows": 14},
    )


class ReminderForm(FlaskForm):
    send_on = DateField(
        _l("Datum van de herinnering"),
        validators=[InputRequired(_l("Kies een datum."))],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if (
            self.send_on.raw_data
            and self.send_on.raw_data[0]
            and self.send_on.data is None
        ):
            self.send_on.errors[:] = [_l("Vul een geldige datum in.")]
        return ok


class DeleteForm(FlaskForm):
    confirmation = StringField(
        _l("Typ de titel van de bevraging om te bevestigen"),
        validators=[
            DataRequired(_l("Typ de titel van de bevraging.")),
            Length(max=MAX_TITLE + 50),
        ],
        filters=[strip_filter],
    )


class NextRoundForm(FlaskForm):
    title = _title_field(_l("Titel van de volgende ronde"))
    copy_participants = BooleanField(
        _l("De e-mailadressen van de deelnemers overnemen")
    )
