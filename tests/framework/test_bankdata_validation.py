"""Structural validation of framework and bank files, with clear messages."""

import shutil
from pathlib import Path

import pytest
import yaml

from rok.framework import bankdata
from rok.framework.bankdata import BankDataError, parse_bank, parse_framework

FRAMEWORK = {
    "code": "T",
    "name": "Testkader",
    "version": "1",
    "rubrieken": [
        {
            "code": "R",
            "title": "Rubriek",
            "areas": [
                {
                    "code": "A",
                    "title": "Gebied",
                    "expectations": [
                        {"code": "E1", "title": "Een"},
                        {"code": "E2", "title": "Twee"},
                    ],
                }
            ],
        }
    ],
    "quality_areas": [{"code": "q", "title": "Q", "expectations": ["E1"]}],
}


def meta(**changes):
    data = {
        "version": 1,
        "framework": "T",
        "released": "2026-01-01",
        "title": "Test",
        "levels": [
            {"code": "bao", "title": "Basis"},
            {"code": "so", "title": "Secundair"},
        ],
        "scales": {
            "agreement": {
                "title": "Instemming",
                "question": "Eens?",
                "points": [
                    {"value": 1, "label": "Oneens"},
                    {"value": 2, "label": "Eens"},
                ],
            }
        },
        "glossary": [{"term": "Stelling", "explanation": "Een zin."}],
    }
    data.update(changes)
    return data


def stmt(key="bao-E1-01", **changes):
    data = {
        "id": key,
        "expectation": "E1",
        "levels": ["bao"],
        "default_for": ["bao"],
        "tags": ["thema:x"],
        "text": "Onze leerlingen komen graag naar school.",
    }
    data.update(changes)
    return data


def problems(files, metadata=None):
    framework = parse_framework(FRAMEWORK)
    with pytest.raises(BankDataError) as info:
        parse_bank(metadata or meta(), files, {"T": framework}, "bank/v1")
    return "\n".join(info.value.problems)


def test_valid_bank_parses():
    bank = parse_bank(
        meta(),
        {"bao": [stmt(), stmt("bao-E2-01", expectation="E2")]},
        {"T": parse_framework(FRAMEWORK)},
    )
    assert bank.released.isoformat() == "2026-01-01"
    assert [s.id for s in bank.for_level("bao")] == ["bao-E1-01", "bao-E2-01"]
    assert bank.scales["agreement"].points[1].label == "Eens"


def test_unknown_expectation_code_is_named():
    message = problems({"bao": [stmt(expectation="X9")]})
    assert "bao-E1-01: unknown expectation code 'X9'" in message


def test_duplicate_id_is_named_with_both_files():
    message = problems({"bao": [stmt()], "so": [stmt(levels=["so"], default_for=[])]})
    assert "bao-E1-01: duplicate id (also in statements/bao.yaml)" in message


def test_unknown_level_is_named():
    message = problems({"bao": [stmt(levels=["bao", "kleuter"])]})
    assert "unknown level 'kleuter'" in message


def test_default_for_must_be_one_of_the_levels():
    message = problems({"bao": [stmt(default_for=["so"])]})
    assert "default_for 'so' is not one of its levels" in message


def test_statement_in_the_wrong_file_is_named():
    message = problems({"bao": [stmt(levels=["so"], default_for=[])]})
    assert "does not list level 'bao'" in message


@pytest.mark.parametrize("values", [[1, 3], [0, 1], [2, 1], [1, 2, 2]])
def test_scale_points_must_be_1_to_n(values):
    scales = {
        "agreement": {
            "title": "I",
            "question": "?",
            "points": [{"value": v, "label": f"p{v}"} for v in values],
        }
    }
    message = problems({"bao": [stmt()]}, meta(scales=scales))
    assert "point values must be 1.." in message


def test_missing_text_and_bad_release_date_are_all_reported():
    message = problems({"bao": [stmt(text="  ")]}, meta(released="22-11-2026"))
    assert "'text' is empty" in message
    assert "'released' must be a date" in message


def test_unknown_framework_is_named():
    message = problems({"bao": [stmt()]}, meta(framework="XX"))
    assert "unknown framework 'XX'" in message


def test_framework_problems_are_named():
    broken = yaml.safe_load(yaml.safe_dump(FRAMEWORK))
    broken["rubrieken"][0]["areas"][0]["expectations"].append(
        {"code": "E1", "title": "x"}
    )
    broken["quality_areas"][0]["expectations"] = ["E7"]
    with pytest.raises(BankDataError) as info:
        parse_framework(broken, "t.yaml")
    message = "\n".join(info.value.problems)
    assert "duplicate expectation code 'E1'" in message
    assert "unknown expectation code 'E7'" in message


def test_invalid_yaml_names_the_file(tmp_path):
    (tmp_path / "x.yaml").write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(BankDataError, match="x.yaml: is not valid YAML"):
        bankdata.read_frameworks(tmp_path)


def test_folder_and_version_must_agree(tmp_path):
    target = tmp_path / "bank" / "v2"
    shutil.copytree(bankdata.bank_dirs()[0], target)
    with pytest.raises(BankDataError, match="folder says version 2"):
        bankdata.read_bank(target, bankdata.read_frameworks())


def test_bank_dirs_sort_numerically(tmp_path):
    for name in ["v10", "v2", "v1", "notes"]:
        (tmp_path / name).mkdir()
    assert [p.name for p in bankdata.bank_dirs(Path(tmp_path))] == ["v1", "v2", "v10"]
