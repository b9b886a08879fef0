"""Browse the statement bank (schools, advisors) and its versions (platform admins)."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rok.accounts.access import Permission, platform_admin_required, school_required
from rok.framework import services
from rok.framework.forms import BrowseForm
from rok.framework.glossary import glossary_terms_in
from rok.main.menu import MenuItem, register

bp = Blueprint("framework", __name__)

register(
    MenuItem(
        "framework.browse",
        _l("Stellingenbank"),
        _l(
            "Blader door de stellingen per onderwijsniveau en "
            "kwaliteitsverwachting van het OK-kader."
        ),
        Permission.VIEW,
        order=30,
    )
)


def tag_label(tag: str) -> str:
    """Return a readable label for a tag: "thema:gelijke-kansen" -> "gelijke kansen"."""
    return tag.split(":", 1)[-1].replace("-", " ")


def _filter_form(version, school) -> BrowseForm:
    form = BrowseForm(request.args)
    levels = [(level["code"], level["title"]) for level in version.levels]
    form.niveau.choices = levels
    form.rubriek.choices = [("", _("Alle rubrieken"))] + [
        (r.code, r.title) for r in version.framework.rubrieken
    ]
    form.verwachting.choices = [("", _("Alle verwachtingen"))] + [
        (e.code, f"{e.code} · {e.title}")
        for e in version.framework.expectations
        if not e.is_retired
    ]
    form.label.choices = [("", _("Alle thema's"))] + [
        (tag, f"{tag_label(tag)} ({tag.split(':', 1)[0]})" if ":" in tag else tag)
        for tag in services.tags_of(version)
    ]
    if not form.niveau.data:
        # The school's first level the bank serves, else the bank's first level.
        served = [code for code in school.levels if code in version.level_codes]
        form.niveau.data = (served or version.level_codes)[0]
    return form


@bp.route("/scholen/<int:school_id>/stellingenbank")
@school_required(Permission.VIEW)
def browse(school):
    """List the bank's statements for one level, filtered and searched by GET params."""
    version = services.latest_version()
    if version is None:
        return render_template("framework/browse.html", school=school, version=None)
    form = _filter_form(version, school)
    if not form.validate():
        return render_template(
            "framework/browse.html",
            school=school,
            version=version,
            form=form,
            groups=[],
            count=0,
        ), 400
    # Offer only the themes used at this level (the current one stays selectable).
    used = {
        tag
        for s in version.statements
        if form.niveau.data in s.levels
        for tag in s.tags
    } | {form.label.data}
    form.label.choices = [c for c in form.label.choices if not c[0] or c[0] in used]
    statements = services.browse(
        version,
        form.niveau.data,
        rubriek=form.rubriek.data or None,
        expectation=form.verwachting.data or None,
        tag=form.label.data or None,
        query=form.q.data or None,
        default_only=form.standaard.data,
    )
    glossary = services.glossary_of(version)
    items = [
        {
            "statement": s,
            "terms": glossary_terms_in(s.text, glossary),
            "is_default": form.niveau.data in s.default_for,
        }
        for s in statements
    ]
    groups = [
        (
            rubriek,
            [
                (expectation, list(rows))
                for expectation, rows in groupby(
                    group, key=lambda i: i["statement"].expectation
                )
            ],
        )
        for rubriek, group in groupby(
            sorted(
                items,
                key=lambda i: (
                    i["statement"].expectation.area.rubriek.position,
                    i["statement"].expectation.position,
                    i["statement"].position,
                ),
            ),
            key=lambda i: i["statement"].expectation.area.rubriek,
        )
    ]
    return render_template(
        "framework/browse.html",
        school=school,
        version=version,
        form=form,
        groups=groups,
        count=len(items),
        level_title=version.level_title(form.niveau.data),
        tag_label=tag_label,
    )


@bp.route("/beheer/stellingenbank")
@platform_admin_required
def versions():
    """List the loaded bank versions and what each changed since the previous."""
    rows = [
        {"version": v, "diff": services.version_diff(v), "counts": services.counts(v)}
        for v in services.versions()
    ]
    return render_template("framework/versions.html", rows=rows)
