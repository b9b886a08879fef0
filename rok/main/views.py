"""The start page and a school's home page."""

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from rok.accounts.access import Permission, permissions_for, school_required
from rok.accounts.services import schools_of
from rok.extensions import db
from rok.mail import HIDDEN_RECIPIENT_KINDS, PERSONAL_LINK_KINDS, OutboxMessage
from rok.main.menu import MenuItem, register, school_menu

bp = Blueprint("main", __name__)


@bp.app_context_processor
def _menu() -> dict:
    return {"school_menu": school_menu}


register(MenuItem("accounts.team", _l("Team en toegang"),
                  _l("Beleidsteam uitnodigen, begeleiders toegang geven of intrekken."),
                  Permission.MANAGE, order=80))
register(MenuItem("main.outbox", _l("Uitgaande mail"),
                  _l("Welke mails rOK klaarzette en of ze verstuurd zijn."),
                  Permission.MANAGE, order=90))


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(url_for("main.start"))


@bp.route("/start")
@login_required
def start():
    """List every school the user works for (an advisor sees all granted schools)."""
    return render_template("main/start.html", schools=schools_of(current_user))


@bp.route("/scholen/<int:school_id>")
@school_required(Permission.VIEW)
def school_home(school):
    return render_template(
        "main/school.html",
        school=school,
        permissions=permissions_for(current_user, school.id),
        Permission=Permission,
    )


@bp.route("/scholen/<int:school_id>/uitgaande-mail")
@school_required(Permission.MANAGE)
def outbox(school):
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.school_id == school.id)
        .order_by(OutboxMessage.id.desc())
        .limit(500)
    ).all()
    return render_template("main/outbox.html", school=school, messages=messages,
                           personal_link_kinds=PERSONAL_LINK_KINDS,
                           hidden_recipient_kinds=HIDDEN_RECIPIENT_KINDS)
