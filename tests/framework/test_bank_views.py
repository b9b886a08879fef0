"""The bank browser for schools and the version overview for platform admins."""

import pytest

from rok.accounts.models import Role
from rok.extensions import db
from rok.framework import services


@pytest.fixture
def bank(app):
    services.load_bank()
    db.session.commit()
    return services.latest_version()


def url(school, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/scholen/{school.id}/stellingenbank" + (f"?{query}" if query else "")


def test_browse_defaults_to_the_schools_first_level(
    bank, create_school, create_user, add_membership, login
):
    school = create_school("Sint-Jozefsinstituut", "654321", levels=("so", "buso"))
    user = create_user("dir@sji.example")
    add_membership(user, school)
    client = login(user)
    response = client.get(url(school))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    total = services.counts(bank)["so"].total
    assert f"{total} stellingen voor Secundair onderwijs" in html
    assert 'id="stelling-so-R1-01"' in html
    assert "bao-R1-01" not in html


def test_browse_shows_expectation_and_glossary_terms(bank, school, director, login):
    html = login(director).get(url(school, niveau="bao")).get_data(as_text=True)
    assert "Basisschool De Linde" in html
    assert "R1</span> Leerlingen bereiken de doelen" in html
    assert "<h2" in html and "<h3" in html and "<label" in html
    # A statement mentioning the CLB explains the term next to it.
    clb = [s for s in services.browse(bank, "bao") if "CLB" in s.text]
    assert clb
    assert "Centrum voor Leerlingenbegeleiding" in html


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        (
            {"niveau": "bao", "rubriek": "KO"},
            lambda s: s.expectation.area.rubriek.code == "KO",
        ),
        ({"niveau": "bao", "verwachting": "B2"}, lambda s: s.expectation.code == "B2"),
        (
            {"niveau": "dko", "label": "thema:participatie"},
            lambda s: "thema:participatie" in s.tags,
        ),
        ({"niveau": "bao", "standaard": "y"}, lambda s: "bao" in s.default_for),
    ],
)
def test_browse_filters(bank, school, director, login, params, predicate):
    client = login(director)
    html = client.get(url(school, **params)).get_data(as_text=True)
    level = params["niveau"]
    expected = [
        s for s in services.statements_of(bank) if level in s.levels and predicate(s)
    ]
    assert expected
    assert f"{len(expected)} stelling" in html
    shown = {
        s.key for s in services.statements_of(bank) if f'id="stelling-{s.key}"' in html
    }
    assert shown == {s.key for s in expected}


def test_search_ignores_case_and_accents(bank, school, director, login):
    client = login(director)
    html = client.get(url(school, niveau="bao", q="OUDERS")).get_data(as_text=True)
    expected = [s for s in services.browse(bank, "bao") if "ouders" in s.text.lower()]
    assert expected and f"{len(expected)} stelling" in html
    accented = [s for s in services.browse(bank, "bubao") if "ë" in s.text]
    if accented:
        word = next(w for w in accented[0].text.split() if "ë" in w).strip(".,")
        plain = word.replace("ë", "e")
        html = client.get(url(school, niveau="bubao", q=plain)).get_data(as_text=True)
        assert f'id="stelling-{accented[0].key}"' in html


def test_search_without_hits_says_so(bank, school, director, login):
    response = login(director).get(url(school, q="xylofoonzolder"))
    assert response.status_code == 200
    assert "Geen stellingen gevonden" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"niveau": "hoger"}, "Kies een onderwijsniveau uit de lijst."),
        ({"rubriek": "XX"}, "Deze rubriek bestaat niet in het OK-kader."),
        ({"verwachting": "R99"}, "Deze kwaliteitsverwachting bestaat niet."),
        (
            {"label": "thema:bestaat-niet"},
            "Dit thema komt niet voor in de stellingenbank.",
        ),
        ({"q": "a" * 101}, "Zoek met maximaal 100 tekens."),
        ({"q": "ouders%00"}, "Dit veld bevat ongeldige tekens."),
        ({"niveau": "%3Cscript%3Ealert(1)%3C/script%3E"}, "Kies een onderwijsniveau"),
        ({"verwachting": "CK1"}, "Deze kwaliteitsverwachting bestaat niet."),
    ],
)
def test_hostile_or_unknown_params_answer_400_with_a_message(
    bank, school, director, login, params, message
):
    response = login(director).get(url(school, **params))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "<script>alert(1)" not in html


def test_odd_but_harmless_params_do_not_fail(bank, school, director, login):
    client = login(director)
    for query in [
        "?niveau=bao&niveau=so",
        "?q=%ff%fe",
        "?q=' OR 1=1 --",
        "?standaard=nee&onbekend=1",
        "?q=%E2%80%AE",
    ]:
        response = client.get(f"/scholen/{school.id}/stellingenbank{query}")
        assert response.status_code in (200, 400), query


def test_browse_without_a_loaded_bank_explains(app, school, director, login):
    response = login(director).get(url(school))
    assert response.status_code == 200
    assert "nog niet geladen" in response.get_data(as_text=True)


def test_advisor_may_browse(bank, school, create_user, add_membership, login):
    advisor = create_user("begeleider@netwerk.example")
    add_membership(advisor, school, role=Role.ADVISOR)
    assert login(advisor).get(url(school)).status_code == 200


def test_user_of_another_school_gets_404(
    bank, school, create_school, create_user, add_membership, login
):
    other = create_school("Andere school", "999999")
    outsider = create_user("dir@andere.example")
    add_membership(outsider, other)
    assert login(outsider).get(url(school)).status_code == 404


def test_anonymous_is_sent_to_log_in(bank, school, client):
    response = client.get(url(school))
    assert response.status_code == 302
    assert "/aanmelden" in response.headers["Location"]


def test_school_home_has_a_bank_tile(bank, school, director, login):
    html = login(director).get(f"/scholen/{school.id}").get_data(as_text=True)
    assert f'href="/scholen/{school.id}/stellingenbank"' in html
    assert "Stellingenbank" in html


def test_admin_sees_versions_and_changes(app, create_user, login, tmp_path):
    import shutil

    import yaml

    from rok.framework import bankdata

    data = tmp_path / "data"
    shutil.copytree(bankdata.DATA_DIR, data)
    services.load_bank(data)
    v2 = data / "bank" / "v2"
    shutil.copytree(data / "bank" / "v1", v2)
    meta = v2 / "bank.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("version: 1", "version: 2", 1),
        encoding="utf-8",
    )
    path = v2 / "statements" / "bao.yaml"
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows[0]["text"] = "Bijna al onze leerlingen halen het getuigschrift."
    path.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    services.load_bank(data)
    db.session.commit()

    admin = create_user("admin@rok.example", is_platform_admin=True)
    response = login(admin).get("/beheer/stellingenbank")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Eerste versie" in html
    assert "herschreven: 1" in html
    assert "Bijna al onze leerlingen halen het getuigschrift." in html
    assert rows[0]["id"] in html


def test_admin_page_is_for_platform_admins_only(bank, director, login, client):
    assert client.get("/beheer/stellingenbank").status_code == 302
    assert login(director).get("/beheer/stellingenbank").status_code == 403
