"""The recommended minimum response and the small-group rule of the monitor."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from manage_support import base_url, text

from rok.extensions import db
from rok.surveys.manage.monitor import (
    OTHER,
    SINGLE_GROUP,
    TOO_SMALL,
    breakdown,
    merge_small,
    minimum_response_rate,
)
from rok.surveys.models import Participant, Response

pytest_plugins = ["manage_fixtures"]


@pytest.mark.parametrize(
    "size, expected",
    [
        (1, 80.0),
        (4, 80.0),
        (5, 80.0),
        (10, 60.0),
        (20, 50.0),
        (50, 40.0),
        (100, 30.0),
        (500, 30.0),
        (0, 80.0),
        (6, 76.0),
        (15, 55.0),
        (35, 45.0),
        (75, 35.0),
        (30, 50 - 10 * 10 / 30),
    ],
)
def test_minimum_response_rate_follows_the_table(size, expected):
    assert minimum_response_rate(size) == pytest.approx(expected)


def test_minimum_response_rate_never_rises_with_the_group():
    rates = [minimum_response_rate(n) for n in range(1, 300)]
    assert all(a >= b for a, b in zip(rates, rates[1:], strict=False))
    assert min(rates) == 30.0 and max(rates) == 80.0


def test_merge_small_merges_into_other():
    parts, reason = merge_small({"lager": 8, "kleuter": 6, "zorg": 2, "beleid": 3}, 5)
    assert reason is None
    assert parts == {
        "kleuter": ("kleuter",),
        "lager": ("lager",),
        OTHER: ("beleid", "zorg"),
    }


def test_merge_small_pulls_a_large_part_into_a_too_small_other():
    parts, reason = merge_small({"lager": 8, "kleuter": 6, "zorg": 2}, 5)
    assert parts == {"lager": ("lager",), OTHER: ("kleuter", "zorg")}


def test_merge_small_withholds_when_nothing_is_left_to_compare():
    assert merge_small({"lager": 3, "zorg": 1}, 5) == ({}, TOO_SMALL)
    assert merge_small({"lager": 9, "zorg": 1}, 5) == ({}, SINGLE_GROUP)


@given(
    st.dictionaries(st.sampled_from("abcdefg"), st.integers(0, 30), max_size=7),
    st.integers(3, 10),
)
def test_merge_small_never_reveals_a_small_group(sizes, min_group):
    parts, reason = merge_small(sizes, min_group)
    if reason:
        assert parts == {}
        return
    members = [m for group in parts.values() for m in group]
    assert sorted(members) == sorted(sizes)  # a partition of every option
    assert len(parts) >= 2
    for group in parts.values():  # every part, so every complement, is large enough
        assert sum(sizes[m] for m in group) >= min_group


def test_breakdown_counts_finished_per_option_and_names_the_merged():
    members = (
        [("lager", True)] * 3
        + [("lager", False)] * 4
        + [("kleuter", True)] * 5
        + [("zorg", True)]
        + [(None, False)]
    )
    result = breakdown(
        "Functie",
        [("kleuter", "Kleuter"), ("lager", "Lager"), ("zorg", "Zorg")],
        members,
        5,
        other_label="overige",
        missing_label="niet ingedeeld",
    )
    rows = {r.label: (r.done, r.size) for r in result.rows}
    # zorg (1) and the unassigned (1) are too small; kleuter (5), the smallest
    # large part, joins them so "overige" reaches 5.
    assert rows == {"Lager": (3, 7), "overige": (6, 7)}
    assert result.merged == ["Kleuter", "Zorg", "niet ingedeeld"]


def test_monitor_page_hides_a_small_team_breakdown(admin, school, create_survey):
    survey = create_survey(school, team_link=True, expected_team_size=10)
    for option in ["lager"] * 3 + ["zorg"]:
        db.session.add(
            Response(
                survey_id=survey.id, is_submitted=True, subgroups={"functie": option}
            )
        )
    db.session.commit()
    page = text(admin.get(f"{base_url(school)}/{survey.id}/opvolgen"))
    assert "4 van 10" in page  # team link: 4 responses of 10 expected
    assert "Te klein om te tonen" in page
    assert 'class="num">3<' not in page and 'class="num">1<' not in page


def test_monitor_counts_team_responses_apart_from_personal_links(
    admin, school, create_survey
):
    survey = create_survey(school, team_link=True, expected_team_size=20)
    for index in range(6):
        survey.participants.append(
            Participant(
                email=f"p{index}@linde.example",
                token_hash=f"{index:064d}",
                has_finished=index < 2,
                subgroups={"functie": "lager"},
            )
        )
    for _ in range(2):  # the personal links' own responses
        db.session.add(
            Response(
                survey_id=survey.id, is_submitted=True, subgroups={"functie": "lager"}
            )
        )
    for option in ["kleuter"] * 5 + ["lager"] * 5:
        db.session.add(
            Response(
                survey_id=survey.id, is_submitted=True, subgroups={"functie": option}
            )
        )
    db.session.add(Response(survey_id=survey.id, is_submitted=False))  # a draft
    db.session.commit()
    page = text(admin.get(f"{base_url(school)}/{survey.id}/opvolgen"))
    assert "2 van 6" in page  # personal links
    assert "10 van 20" in page  # team link
    assert "p0@linde.example" not in page
