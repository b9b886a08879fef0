"""Surveys: the four phases, participants, invitations, reminders and answering."""
