"""Forms for log-in, passwords, team and advisor access."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from rok.accounts.passwords import MIN_LENGTH
from rok.forms import no_control_characters, strip_filter

EMAIL = [
    DataRequired(_l("Vul een e-mailadres in.")),
    Length(max=254, message=_l("Dit e-mailadres is te lang.")),
    Email(_l("Dit is geen geldig e-mailadres."), check_deliverability=False),
]


def _password_fields():
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[
            DataRequired(_l("Kies een wachtwoord.")),
            Length(min=MIN_LENGTH, max=200,
                   message=_l("Een wachtwoord heeft minstens 10 tekens.")),
        ],
    )
    confirm = PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[EqualTo("password", _l("De twee wachtwoorden verschillen."))],
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=EMAIL, filters=[strip_filter])
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(_l("Vul je wachtwoord in.")), Length(max=200)],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=EMAIL, filters=[strip_filter])


class ResetPasswordForm(FlaskForm):
    password, confirm = _password_fields()


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("Je naam"),
        validators=[DataRequired(_l("Vul je naam in.")), Length(max=120),
                    no_control_characters],
        filters=[strip_filter],
    )
    password, confirm = _password_fields()


class MemberForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=EMAIL, filters=[strip_filter])
    name = StringField(
        _l("Naam"),
        validators=[Optional(), Length(max=120, message=_l("Deze naam is te lang.")),
                    no_control_characters],
        filters=[strip_filter],
    )
    position = StringField(
        _l("Functie (bijvoorbeeld directeur, zorgcoördinator)"),
        validators=[Optional(), Length(max=80, message=_l("Deze functie is te lang.")),
                    no_control_characters],
        filters=[strip_filter],
    )


class AdvisorForm(FlaskForm):
    email = EmailField(_l("E-mailadres van de begeleider"), validators=EMAIL,
                       filters=[strip_filter])
    name = StringField(
        _l("Naam"),
        validators=[Optional(), Length(max=120, message=_l("Deze naam is te lang.")),
                    no_control_characters],
        filters=[strip_filter],
    )


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Taal"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        validators=[DataRequired()],
    )
