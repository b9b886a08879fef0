"""Log-in, log-out, password reset, invitations and advisor access."""

import re

from rok.accounts.models import Membership, Role, User
from rok.extensions import db
from rok.mail import OutboxMessage, send_pending
from tests.conftest import PASSWORD

LINK = re.compile(r"http://localhost(/\S+)")


def _last_mail_to(address: str) -> OutboxMessage:
    return db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id.desc())
    ).first()


def test_login_with_right_password_shows_schools(client, director, login):
    login(director)
    page = client.get("/start", follow_redirects=True).get_data(as_text=True)
    assert "Basisschool De Linde" in page


def test_login_wrong_password_and_unknown_account_look_the_same(client, director):
    wrong = client.post(
        "/aanmelden", data={"email": director.email, "password": "nope-nope-nope"}
    )
    unknown = client.post(
        "/aanmelden", data={"email": "niemand@x.example", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 400
    message = "Dit e-mailadres en wachtwoord horen niet bij elkaar."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_login_malformed_input_is_400_with_message(client):
    response = client.post("/aanmelden", data={"email": "geen-adres", "password": ""})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Dit is geen geldig e-mailadres." in text
    assert "Vul je wachtwoord in." in text


def test_login_ignores_external_next_url(client, director):
    response = client.post("/aanmelden?next=https://evil.example/", data={
        "email": director.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_logout_ends_the_session(client, director, login):
    login(director)
    assert client.post("/afmelden").status_code == 302
    assert client.get("/start").status_code == 302


def test_login_is_rate_limited(app, director):
    app.config["RATELIMIT_ENABLED"] = True
    from rok.extensions import limiter

    limiter.init_app(app)
    limiter.reset()
    client = app.test_client()
    statuses = [
        client.post(
            "/aanmelden", data={"email": director.email, "password": "wrong-wrong"}
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[-1] == 429
    assert "Te veel pogingen" in client.post("/aanmelden", data={
        "email": director.email, "password": "x"}).get_data(as_text=True)
    limiter.reset()


def test_password_reset_link_works_once_and_mail_arrives(client, director, smtp_server):
    response = client.post("/wachtwoord-vergeten", data={"email": director.email})
    assert response.status_code == 302
    db.session.commit()
    assert send_pending() == (1, 0)
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == director.email
    path = LINK.search(mail.get_content()).group(1)
    new = "een-nieuw-wachtwoord"
    assert client.post(path, data={"password": new, "confirm": new}).status_code == 302
    assert client.post(
        "/aanmelden", data={"email": director.email, "password": new}
    ).status_code == 302
    client.post("/afmelden")
    again = client.post(
        path, data={"password": "nog-een-ander-1", "confirm": "nog-een-ander-1"}
    )
    assert again.status_code == 400
    assert "Deze link werkt niet" in again.get_data(as_text=True)


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post("/wachtwoord-vergeten", data={"email": "onbekend@x.example"},
                           follow_redirects=True)
    assert "Als er een account bestaat" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0


def test_password_reset_link_expires(app, client, director):
    from rok.accounts.tokens import make_token

    token = make_token(director, "reset")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.post(
        f"/wachtwoord/{token}", data={"password": "x" * 12, "confirm": "x" * 12}
    )
    assert response.status_code == 400


def test_password_reset_tampered_token_is_400(client):
    response = client.post(
        "/wachtwoord/abc.def.ghi", data={"password": "x" * 12, "confirm": "x" * 12}
    )
    assert response.status_code == 400


def test_password_reset_mismatched_passwords_is_400(client, director):
    from rok.accounts.tokens import make_token

    token = make_token(director, "reset")
    response = client.post(
        f"/wachtwoord/{token}", data={"password": "x" * 12, "confirm": "y" * 12}
    )
    assert response.status_code == 400
    assert "De twee wachtwoorden verschillen." in response.get_data(as_text=True)


def test_invite_colleague_to_leadership_team(
    client, director, login, school, smtp_server
):
    login(director)
    response = client.post(f"/scholen/{school.id}/team/leden", data={
        "member-email": "Zorg@Linde.example", "member-name": "Zorgjuf",
        "member-position": "zorgcoördinator"})
    assert response.status_code == 302
    mail = _last_mail_to("zorg@linde.example")
    assert mail is not None and mail.school_id == school.id
    assert send_pending() == (1, 0)
    path = LINK.search(smtp_server.messages[0].get_content()).group(1)
    client.post("/afmelden")
    other = client.application.test_client()
    page = other.get(path)
    assert page.status_code == 200
    response = other.post(path, data={
        "name": "Zorgjuf", "password": "zorg-wachtwoord", "confirm": "zorg-wachtwoord"})
    assert response.status_code == 302
    assert "De Linde" in other.get("/start").get_data(as_text=True)
    assert other.get(f"/scholen/{school.id}/team").status_code == 200
    assert other.get(path).status_code == 400  # single use


def test_invite_member_bad_input_stores_nothing(client, director, login, school):
    login(director)
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    response = client.post(f"/scholen/{school.id}/team/leden", data={
        "member-email": "not-an-address", "member-name": "x" * 500})
    assert response.status_code == 400
    assert "Dit is geen geldig e-mailadres." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before


def test_invite_existing_member_twice_is_refused(client, director, login, school):
    login(director)
    data = {"member-email": "zorg@linde.example"}
    assert client.post(f"/scholen/{school.id}/team/leden", data=data).status_code == 302
    again = client.post(f"/scholen/{school.id}/team/leden", data=data)
    assert again.status_code == 400
    assert "heeft al toegang" in again.get_data(as_text=True)


def test_advisor_grant_and_revoke_takes_effect_immediately(
    app, client, director, login, school, create_school, create_user, add_membership
):
    other_school = create_school("Sint-Jozef", "654321")
    advisor = create_user("begeleider@net.example", "Begeleider")
    add_membership(advisor, other_school, Role.ADVISOR)
    login(director)
    assert client.post(f"/scholen/{school.id}/team/begeleiders", data={
        "advisor-email": advisor.email}).status_code == 302
    advisor_client = app.test_client()
    login(advisor, c=advisor_client)
    start = advisor_client.get("/start").get_data(as_text=True)
    assert "De Linde" in start and "Sint-Jozef" in start
    assert advisor_client.get(f"/scholen/{school.id}").status_code == 200
    assert advisor_client.get(f"/scholen/{school.id}/team").status_code == 403
    membership = db.session.scalar(db.select(Membership).where(
        Membership.user_id == advisor.id, Membership.school_id == school.id))
    assert client.post(
        f"/scholen/{school.id}/team/{membership.id}/intrekken"
    ).status_code == 302
    assert advisor_client.get(f"/scholen/{school.id}").status_code == 404
    assert advisor_client.get(f"/scholen/{other_school.id}").status_code == 200


def test_last_school_admin_cannot_be_removed(client, director, login, school):
    login(director)
    membership = db.session.scalar(
        db.select(Membership).where(Membership.user_id == director.id)
    )
    response = client.post(f"/scholen/{school.id}/team/{membership.id}/intrekken",
                           follow_redirects=True)
    assert "minstens één beheerder" in response.get_data(as_text=True)
    assert db.session.get(Membership, membership.id) is not None


def test_remove_membership_of_other_school_is_404(
    client, director, login, school, create_school, create_user, add_membership
):
    other = create_school("Andere school")
    victim = add_membership(create_user("x@other.example"), other)
    login(director)
    response = client.post(f"/scholen/{school.id}/team/{victim.id}/intrekken")
    assert response.status_code == 404
    assert db.session.get(Membership, victim.id) is not None


def test_platform_admin_creates_school_with_director_invitation(
    client, create_user, login
):
    admin = create_user("beheer@rok.example", is_platform_admin=True)
    login(admin)
    response = client.post("/beheer/scholen", data={
        "name": "Nieuwe School", "institution_number": "112233",
        "levels": ["bao", "so"],
        "admin_email": "dir@nieuw.example", "admin_name": "Dir"})
    assert response.status_code == 302
    assert _last_mail_to("dir@nieuw.example") is not None
    bad = client.post("/beheer/scholen", data={
        "name": "", "institution_number": "12ab", "levels": ["xyz"],
        "admin_email": "x"})
    assert bad.status_code == 400
    dup = client.post("/beheer/scholen", data={
        "name": "Dubbel", "institution_number": "112233", "levels": ["bao"],
        "admin_email": "d2@nieuw.example"})
    assert dup.status_code == 400
    assert "instellingsnummer" in dup.get_data(as_text=True)


def test_platform_admin_pages_refuse_school_admins(client, director, login):
    login(director)
    assert client.get("/beheer/scholen").status_code == 403


def test_outbox_visible_to_school_admin(client, director, login, school):
    login(director)
    client.post(
        f"/scholen/{school.id}/team/leden", data={"member-email": "nieuw@linde.example"}
    )
    page = client.get(f"/scholen/{school.id}/uitgaande-mail").get_data(as_text=True)
    assert "nieuw@linde.example" in page and "wacht" in page


def test_send_mail_keeps_messages_when_server_unreachable(app, director, client):
    client.post("/wachtwoord-vergeten", data={"email": director.email})
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    import pytest

    with pytest.raises(OSError):
        send_pending()
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.sent_at is None


def test_outbox_hides_reminder_recipients_and_personal_links(client, director, login,
                                                             school, smtp_server):
    from rok.mail import queue_mail

    queue_mail("juf@linde.example", "Herinnering", "Je link: http://x/b/SECRET",
               kind="survey_reminder", school_id=school.id)
    queue_mail("meester@linde.example", "Uitnodiging", "Je link: http://x/b/OTHER",
               kind="survey_invitation", school_id=school.id)
    db.session.commit()
    login(director)
    page = client.get(f"/scholen/{school.id}/uitgaande-mail").get_data(as_text=True)
    assert "juf@linde.example" not in page
    assert "SECRET" not in page and "OTHER" not in page
    assert "meester@linde.example" in page
    assert send_pending() == (2, 0)
    bodies = [m.body for m in db.session.scalars(db.select(OutboxMessage))]
    assert all("/b/" not in body for body in bodies)
    assert "/b/SECRET" in smtp_server.messages[0].get_content()
