"""Loading the frameworks and bank into the database; versions; counts; CLI."""

import shutil
from collections import Counter

import pytest
import yaml
from sqlalchemy import func, select

from rok.extensions import db
from rok.framework import bankdata, services
from rok.framework.glossary import glossary_terms_in
from rok.framework.models import (
    BankStatement,
    BankVersion,
    Expectation,
    Framework,
    GlossaryTerm,
    QualityArea,
)

V1 = bankdata.bank_dirs()[0]


def _table_counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (
            Framework,
            Expectation,
            QualityArea,
            BankVersion,
            BankStatement,
            GlossaryTerm,
        )
    }


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the package's data folder."""
    target = tmp_path / "data"
    shutil.copytree(bankdata.DATA_DIR, target)
    return target


def _raw_statements(version_dir):
    rows = []
    for path in sorted((version_dir / "statements").glob("*.yaml")):
        rows.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return rows


def _add_version_2(data_dir, reword_key, new_text):
    v2 = data_dir / "bank" / "v2"
    shutil.copytree(data_dir / "bank" / "v1", v2)
    meta_path = v2 / "bank.yaml"
    meta_path.write_text(
        meta_path.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1),
        encoding="utf-8",
    )
    path = v2 / "statements" / "bao.yaml"
    statements = yaml.safe_load(path.read_text(encoding="utf-8"))
    for s in statements:
        if s["id"] == reword_key:
            s["text"] = new_text
    removed = statements.pop()  # the last one is dropped
    statements.append(
        {
            "id": "bao-R1-99",
            "expectation": "R1",
            "levels": ["bao"],
            "default_for": [],
            "tags": [],
            "text": "Een nieuwe stelling.",
        }
    )
    path.write_text(yaml.safe_dump(statements, allow_unicode=True), encoding="utf-8")
    return removed["id"]


def test_load_bank_loads_both_frameworks_and_the_bank(app):
    report = services.load_bank()
    db.session.commit()
    assert report.changed
    codes = db.session.scalars(select(Framework.code).order_by(Framework.code)).all()
    assert codes == ["CLB", "OK"]
    ok = db.session.scalar(select(Framework).where(Framework.code == "OK"))
    assert len(ok.expectations) == 37
    assert ok.expectations[0].code == "R1" and ok.expectations[-1].code == "K3"
    assert [r.code for r in ok.rubrieken] == ["RE", "OL", "BE", "KO"]
    assert len(db.session.scalars(select(BankStatement)).all()) == len(
        _raw_statements(V1)
    )
    version = services.latest_version()
    assert version.scales["agreement"]["points"][0]["label"] == "Helemaal oneens"
    assert version.released.isoformat() == "2026-11-22"


def test_clb_framework_loads_with_its_own_structure(app):
    services.load_bank()
    clb = db.session.scalar(select(Framework).where(Framework.code == "CLB"))
    assert [r.code for r in clb.rubrieken] == ["KO", "VL", "VS"]
    assert [e.code for e in clb.expectations] == [
        "CK1",
        "CK2",
        "CK3",
        "CV1",
        "CV2",
        "CV3",
        "CV4",
        "CS1",
        "CS2",
        "CS3",
    ]
    area = next(q for q in clb.quality_areas if q.code == "vraaggestuurd-werken")
    assert [e.code for e in area.expectations] == ["CV1", "CV2", "CV3", "CV4"]
    # Codes are unique per framework, not globally: both frameworks have a "KO" rubriek.
    assert clb.expectations[0].rubriek.code == "KO"


def test_load_bank_twice_changes_nothing(app):
    services.load_bank()
    db.session.commit()
    before = _table_counts()
    report = services.load_bank()
    assert not report.changed
    assert str(report).startswith("No changes")
    assert not db.session.dirty and not db.session.new
    db.session.commit()
    assert _table_counts() == before


def test_counts_match_the_yaml_exactly(app):
    services.load_bank()
    raw = _raw_statements(V1)
    counts = services.counts()
    assert set(counts) == {"bao", "bubao", "so", "buso", "dko"}
    for level, c in counts.items():
        mine = [s for s in raw if level in s["levels"]]
        assert c.total == len(mine)
        assert c.default == sum(level in s.get("default_for", []) for s in mine)
        expected = Counter(s["expectation"] for s in mine)
        assert {k: v for k, v in c.by_expectation.items() if v} == dict(expected)
        assert sum(c.by_rubriek.values()) == c.total
        assert len(c.by_expectation) == 37


def test_every_expectation_has_two_statements_per_level_in_the_database(app):
    services.load_bank()
    for level, c in services.counts().items():
        if c.total:
            assert min(c.by_expectation.values()) >= 2, (level, c.by_expectation)


def test_a_new_version_keeps_the_old_text_and_reports_the_rewording(app, data_copy):
    services.load_bank()
    db.session.commit()
    old = db.session.scalar(
        select(BankStatement).where(BankStatement.key == "bao-R2-01")
    )
    old_text, old_id = old.text, old.id
    removed = _add_version_2(
        data_copy, "bao-R2-01", "Onze leerlingen gaan graag naar school."
    )

    report = services.load_bank(data_copy)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(BankStatement, old_id).text == old_text
    rows = db.session.scalars(
        select(BankStatement)
        .where(BankStatement.key == "bao-R2-01")
        .order_by(BankStatement.id)
    ).all()
    assert [r.text for r in rows] == [
        old_text,
        "Onze leerlingen gaan graag naar school.",
    ]
    assert [r.bank_version.version for r in rows] == [1, 2]

    v2 = next(v for v in report.versions if v.version == 2)
    assert v2.created and v2.previous == 1
    assert [c.key for c in v2.diff.reworded] == ["bao-R2-01"]
    assert v2.diff.added == ("bao-R1-99",)
    assert v2.diff.removed == (removed,)
    text = str(report)
    assert "Bank OK v1: already loaded, unchanged." in text
    assert "~ bao-R2-01" in text and "1 reworded" in text
    assert services.latest_version().version == 2
    assert not services.load_bank(data_copy).changed


def test_changing_a_loaded_version_is_refused(app, data_copy):
    services.load_bank(data_copy)
    db.session.commit()
    path = data_copy / "bank" / "v1" / "statements" / "bao.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Onze leerlingen komen graag naar school.",
            "Leerlingen zijn graag op school.",
        ),
        encoding="utf-8",
    )
    with pytest.raises(services.BankConflictError) as info:
        services.load_bank(data_copy)
    message = str(info.value)
    assert "already loaded" in message and "bao-R2-01" in message and "v2" in message
    db.session.rollback()
    row = db.session.scalar(
        select(BankStatement).where(BankStatement.key == "bao-R2-01")
    )
    assert row.text == "Onze leerlingen komen graag naar school."


def test_invalid_data_writes_nothing(app, data_copy):
    path = data_copy / "bank" / "v1" / "statements" / "bao.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "expectation: R1", "expectation: R9", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(bankdata.BankDataError, match="unknown expectation code 'R9'"):
        services.load_bank(data_copy)
    assert _table_counts()["Framework"] == 0


def test_framework_upgrade_updates_titles_in_place(app, data_copy):
    services.load_bank(data_copy)
    db.session.commit()
    path = data_copy / "frameworks" / "ok.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: Welbevinden en betrokkenheid", "title: Welbevinden", 1
        ),
        encoding="utf-8",
    )
    report = services.load_bank(data_copy)
    db.session.commit()
    assert report.changed
    assert "expectation R2: title changed" in str(report)
    r2 = db.session.scalar(select(Expectation).where(Expectation.code == "R2"))
    assert r2.title == "Welbevinden"
    assert db.session.scalar(select(func.count()).select_from(BankVersion)) == 1


def test_glossary_terms_in_finds_terms_and_inflections(app):
    services.load_bank()
    glossary = services.glossary_of(services.latest_version())
    found = glossary_terms_in(
        "Met het CLB en de zorgcoördinator plannen we redelijke aanpassingen in "
        "onze vakgroepen.",
        glossary,
    )
    assert [g.term for g in found] == [
        "CLB",
        "Zorgcoördinator",
        "Redelijke aanpassingen",
        "Vakgroep",
    ]
    assert found[0].explanation
    assert glossary_terms_in("Onze leerlingen komen graag naar school.", glossary) == []
    # Acronyms match as written and only as whole words.
    assert glossary_terms_in("De clb-regio en de okapi.", glossary) == []


def test_cli_load_and_counts(app, runner):
    result = runner.invoke(args=["rok", "bank", "load"])
    assert result.exit_code == 0, result.output
    assert "Bank OK v1: loaded" in result.output
    result = runner.invoke(args=["rok", "bank", "load"])
    assert "No changes" in result.output
    result = runner.invoke(args=["rok", "bank", "counts", "--level", "bao"])
    assert result.exit_code == 0, result.output
    total = sum("bao" in s["levels"] for s in _raw_statements(V1))
    assert f"bao - Basisonderwijs: {total} statements" in result.output
    assert "bubao" not in result.output
    assert "R1:" in result.output and "K3:" in result.output
    result = runner.invoke(args=["rok", "bank", "counts", "--level", "xx"])
    assert result.exit_code != 0 and "Unknown level 'xx'" in result.output


def test_cli_counts_without_a_bank_says_so(app, runner):
    result = runner.invoke(args=["rok", "bank", "counts"])
    assert result.exit_code != 0 and "bank load" in result.output
