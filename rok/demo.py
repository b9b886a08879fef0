"""Demo data for ``make run``: a school with an account for every role."""

from rok.accounts import services
from rok.accounts.models import EducationLevel, Membership, Role

DEMO_PASSWORD = "demo-wachtwoord"

#: (role, e-mail, password) printed by ``flask rok demo``.
DEMO_LOGINS = [
    ("directeur", "directeur@demo.rok.example", DEMO_PASSWORD),
    ("beleidsteam", "zorg@demo.rok.example", DEMO_PASSWORD),
    ("begeleider", "begeleider@demo.rok.example", DEMO_PASSWORD),
    ("platformbeheerder", "beheer@demo.rok.example", DEMO_PASSWORD),
]


def create_demo() -> dict:
    """Create the demo school and its users (flushes, never commits)."""
    school = services.create_school(
        "Vrije Basisschool De Regenboog (demo)", "999001",
        [EducationLevel.BAO.value],
    )
    director = services.create_user(
        "directeur@demo.rok.example", "An Peeters", DEMO_PASSWORD
    )
    care = services.create_user("zorg@demo.rok.example", "Bram Janssens", DEMO_PASSWORD)
    advisor = services.create_user(
        "begeleider@demo.rok.example", "Chris Maes", DEMO_PASSWORD
    )
    admin = services.create_user(
        "beheer@demo.rok.example", "Platformbeheer", DEMO_PASSWORD
    )
    admin.is_platform_admin = True
    from rok.extensions import db

    db.session.add_all([
        Membership(user=director, school=school, role=Role.SCHOOL_ADMIN,
                   position="directeur"),
        Membership(user=care, school=school, role=Role.SCHOOL_ADMIN,
                   position="zorgcoördinator"),
        Membership(user=advisor, school=school, role=Role.ADVISOR,
                   ),
    ])
    db.session.flush()
    from rok.surveys.demo_data import create_demo_survey

    surveys = create_demo_survey(school)
    return {"school": school, "director": director, "care": care, "advisor": advisor,
            "admin": admin, **surveys}
