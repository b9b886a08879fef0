"""The one authorisation mechanism for school-scoped pages.

Every view under ``/scholen/<school_id>/…`` is wrapped by :func:`school_required`,
which loads the school, checks the current user's permission and passes the school
to the view. A user without any membership of the school gets a 404 (the school's
existence is not revealed); a member lacking the permission gets a 403.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from rok.accounts.models import Membership, Role, School
from rok.extensions import db


class Permission(enum.Enum):
    #: See surveys, their phase and the dashboards (read-only).
    VIEW = "view"
    #: Change anything of the school: team, surveys, participants, action plan.
    MANAGE = "manage"
    #: Write the advisor's own preparation notes.
    ADVISE = "advise"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SCHOOL_ADMIN: frozenset({Permission.VIEW, Permission.MANAGE}),
    Role.ADVISOR: frozenset({Permission.VIEW, Permission.ADVISE}),
}


def membership_for(user, school_id: int) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        db.select(Membership).where(
            Membership.user_id == user.id, Membership.school_id == school_id
        )
    )


def permissions_for(user, school_id: int) -> frozenset[Permission]:
    membership = membership_for(user, school_id)
    if membership is None:
        return frozenset()
    return ROLE_PERMISSIONS[membership.role]


def school_required(permission: Permission) -> Callable:
    """Guard a view that takes ``school_id``; the view receives ``school`` instead."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, school_id: int, **kwargs):
            granted = permissions_for(current_user, school_id)
            if not granted:
                abort(404)
            if permission not in granted:
                abort(403)
            school = db.session.get(School, school_id)
            if school is None:
                abort(404)
            return view(*args, school=school, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def platform_admin_required(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
