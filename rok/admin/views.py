"""Platform administration: create schools, see the (global) outbox status."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from rok.accounts import services
from rok.accounts.access import platform_admin_required
from rok.accounts.models import Membership, Role, School
from rok.admin.forms import SchoolForm
from rok.extensions import db
from rok.mail import OutboxMessage

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.route("/scholen", methods=["GET", "POST"])
@platform_admin_required
def schools():
    form = SchoolForm()
    status = 200
    if form.validate_on_submit():
        try:
            school = services.create_school(
                form.name.data, form.institution_number.data, form.levels.data
            )
            services.add_member(
                school, form.admin_email.data, form.admin_name.data or "",
                Role.SCHOOL_ADMIN, position="directeur", granted_by=current_user,
            )
        except services.AccountError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
            status = 400
        else:
            db.session.commit()
            flash(
                _("De school is aangemaakt; de directeur krijgt een uitnodiging."),
                "info",
            )
            return redirect(url_for("admin.schools"))
    elif form.errors:
        status = 400
    rows = db.session.execute(
        select(School, func.count(Membership.id))
        .outerjoin(Membership, Membership.school_id == School.id)
        .group_by(School.id)
        .order_by(School.name)
    ).all()
    return render_template("admin/schools.html", form=form, rows=rows), status


@bp.route("/uitgaande-mail")
@platform_admin_required
def outbox():
    """Delivery status only: bodies may hold personal links and are not shown here."""
    pending = db.session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
    )
    failing = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.last_error.is_not(None))
        .order_by(OutboxMessage.id.desc()).limit(100)
    ).all()
    return render_template("admin/outbox.html", pending=pending, failing=failing)
