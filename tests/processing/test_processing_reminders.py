"""`flask rok review-reminders`: a mail per due goal, once per review date."""

from __future__ import annotations

from datetime import date

from rok.extensions import db
from rok.mail import OutboxMessage, send_pending
from rok.processing.models import Goal


def _outbox():
    return db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.kind == "review_reminder").order_by(OutboxMessage.id)).all()


def test_review_reminders_are_queued_once_and_delivered(runner, smtp_server, director,
                                                        advisor, closed_survey,
                                                        create_user, create_school,
                                                        add_membership):
    other_school = create_school("Andere school", "654321")
    add_membership(create_user("elders@andere.example"), other_school)
    due = Goal(survey_id=closed_survey.id, title="Doelen zichtbaar maken",
               review_on=date(2026, 3, 1))
    later = Goal(survey_id=closed_survey.id, title="Later",
                 review_on=date(2026, 6, 1))
    undated = Goal(survey_id=closed_survey.id, title="Zonder datum")
    db.session.add_all([due, later, undated])
    db.session.commit()

    result = runner.invoke(args=["rok", "review-reminders", "--today", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "Queued 2 reminder mail(s) for 1 goal(s)" in result.output
    assert sorted(m.to_address for m in _outbox()) == [
        "begeleider@net.example", "directeur@linde.example"]

    again = runner.invoke(args=["rok", "review-reminders", "--today", "2026-03-05"])
    assert "Queued 0 reminder mail(s)" in again.output
    assert len(_outbox()) == 2

    assert send_pending() == (2, 0)
    assert len(smtp_server.messages) == 2
    message = smtp_server.messages[0]
    assert message["Subject"] == "Evaluatiemoment: Doelen zichtbaar maken"
    body = message.get_content()
    assert "01-03-2026" in body
    assert (f"http://localhost/scholen/{closed_survey.school_id}/bevragingen/"
            f"{closed_survey.id}/actieplan") in body

    # A new review date arms the reminder again.
    db.session.get(Goal, due.id).review_on = date(2026, 4, 1)
    db.session.commit()
    runner.invoke(args=["rok", "review-reminders", "--today", "2026-04-01"])
    assert len(_outbox()) == 4


def test_review_reminders_rejects_a_bad_date(runner, app):
    result = runner.invoke(args=["rok", "review-reminders", "--today", "morgen"])
    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output
