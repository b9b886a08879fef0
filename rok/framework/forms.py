"""The statement-bank filter form (a GET form: no CSRF token, nothing is changed)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, SearchField, SelectField, ValidationError
from wtforms.validators import Length

from rok.forms import no_control_characters, strip_filter

MAX_QUERY_LENGTH = 100


def known_choice(message):
    """Refuse a value that is not one of the field's choices (with a Dutch message)."""

    def _check(_form, field) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(message)

    return _check


class BrowseForm(Form):
    """Filters of the bank browser; the choices are set by the view from the bank."""

    niveau = SelectField(
        _l("Onderwijsniveau"),
        validate_choice=False,
        validators=[known_choice(_l("Kies een onderwijsniveau uit de lijst."))],
    )
    rubriek = SelectField(
        _l("Rubriek"),
        validate_choice=False,
        validators=[known_choice(_l("Deze rubriek bestaat niet in het OK-kader."))],
    )
    verwachting = SelectField(
        _l("Kwaliteitsverwachting"),
        validate_choice=False,
        validators=[known_choice(_l("Deze kwaliteitsverwachting bestaat niet."))],
    )
    label = SelectField(
        _l("Thema"),
        validate_choice=False,
        validators=[known_choice(_l("Dit thema komt niet voor in de stellingenbank."))],
    )
    q = SearchField(
        _l("Zoek een woord"),
        validators=[
            Length(
                max=MAX_QUERY_LENGTH, message=_l("Zoek met maximaal %(max)d tekens.")
            ),
            no_control_characters,
        ],
        filters=[strip_filter],
    )
    standaard = BooleanField(_l("Alleen de standaardselectie"))
