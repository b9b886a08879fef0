"""Log-in, log-out, passwords, language, and a school's team and advisor access."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from rok.accounts import services
from rok.accounts.access import Permission, school_required
from rok.accounts.forms import (
    AcceptInvitationForm,
    AdvisorForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    MemberForm,
    ResetPasswordForm,
)
from rok.accounts.models import Membership, Role, User
from rok.extensions import db, limiter, login_manager
from rok.forms import ConfirmForm

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = None
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("main.index")


@bp.route("/aanmelden", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Dit e-mailadres en wachtwoord horen niet bij elkaar."), "error")
        return render_template("accounts/login.html", form=form), 400
    status = 400 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/afmelden", methods=["POST"])
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    flash(_("Je bent afgemeld."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("Als er een account bestaat voor dit adres, ontvang je zo meteen een "
              "mail met een link om een nieuw wachtwoord te kiezen."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = services.reset_password(token, form.password.data)
        if user is None:
            return _invalid_link()
        db.session.commit()
        flash(_("Je wachtwoord is gewijzigd. Je kunt je nu aanmelden."), "info")
        return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form), status


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    user = services.invitation_user(token)
    if user is None:
        return _invalid_link()
    form = AcceptInvitationForm(name=user.name)
    if form.validate_on_submit():
        services.accept_invitation(token, form.name.data, form.password.data)
        db.session.commit()
        session.clear()
        login_user(user)
        flash(_("Welkom in rOK!"), "info")
        return redirect(url_for("main.index"))
    status = 400 if form.errors else 200
    return (
        render_template("accounts/accept_invitation.html", form=form, user=user),
        status,
    )


def _invalid_link():
    return render_template("accounts/invalid_link.html"), 400


@bp.route("/taal", methods=["POST"])
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    language = form.language.data
    session["language"] = language
    if current_user.is_authenticated:
        current_user.language = language
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/profiel", methods=["GET"])
@login_required
def profile():
    form = LanguageForm(language=current_user.language or "nl")
    return render_template("accounts/profile.html", form=form)


# --- a school's team and advisor access ----------------------------------------


@bp.route("/scholen/<int:school_id>/team", methods=["GET"])
@school_required(Permission.MANAGE)
def team(school):
    return _render_team(
        school, MemberForm(prefix="member"), AdvisorForm(prefix="advisor")
    )


def _render_team(school, member_form, advisor_form, status=200):
    memberships = db.session.scalars(
        db.select(Membership)
        .where(Membership.school_id == school.id)
        .join(User, Membership.user_id == User.id)
        .order_by(User.name, User.email)
    ).all()
    return render_template(
        "accounts/team.html",
        school=school,
        admins=[m for m in memberships if m.role == Role.SCHOOL_ADMIN],
        advisors=[m for m in memberships if m.role == Role.ADVISOR],
        member_form=member_form,
        advisor_form=advisor_form,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/scholen/<int:school_id>/team/leden", methods=["POST"])
@school_required(Permission.MANAGE)
def invite_member(school):
    form = MemberForm(prefix="member")
    if form.validate_on_submit():
        try:
            services.add_member(school, form.email.data, form.name.data,
                                Role.SCHOOL_ADMIN, position=form.position.data,
                                granted_by=current_user)
        except services.AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De uitnodiging staat klaar in de uitgaande mail."), "info")
            return redirect(url_for("accounts.team", school_id=school.id))
    return _render_team(school, form, AdvisorForm(prefix="advisor"), 400)


@bp.route("/scholen/<int:school_id>/team/begeleiders", methods=["POST"])
@school_required(Permission.MANAGE)
def grant_advisor(school):
    form = AdvisorForm(prefix="advisor")
    if form.validate_on_submit():
        try:
            services.add_member(school, form.email.data, form.name.data, Role.ADVISOR,
                                granted_by=current_user)
        except services.AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _("De begeleider heeft nu leestoegang tot jullie resultaten."), "info"
            )
            return redirect(url_for("accounts.team", school_id=school.id))
    return _render_team(school, MemberForm(prefix="member"), form, 400)


@bp.route(
    "/scholen/<int:school_id>/team/<int:membership_id>/intrekken", methods=["POST"]
)
@school_required(Permission.MANAGE)
def remove_member(school, membership_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        membership = services.remove_member(school, membership_id, current_user)
    except LookupError:
        abort(404)
    except services.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("accounts.team", school_id=school.id))
    db.session.commit()
    if membership.role == Role.ADVISOR:
        flash(_("De toegang van de begeleider is ingetrokken."), "info")
    else:
        flash(_("Deze persoon heeft geen toegang meer tot de school."), "info")
    return redirect(url_for("accounts.team", school_id=school.id))
