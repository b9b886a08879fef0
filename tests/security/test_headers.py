"""Security headers on every response: every GET route, error pages, static files.

The test walks the app's URL map like tests/test_fuzz_forms.py, logged in as a school
admin of the school whose objects fill the URL, and checks the headers of every
answer, whatever its status (pages, redirects, 4xx pages, JSON, downloads).
"""

from __future__ import annotations

import pytest

from tests.conftest import add_participants
from tests.test_authorization import two_schools  # noqa: F401 (fixture)
from tests.test_fuzz_forms import _fill

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def _problems(label: str, response, *, production: bool = False) -> list[str]:
    status = response.status_code
    problems = [f"{label} [{status}]: {name}={response.headers.get(name)!r}"
                for name, value in EXPECTED.items()
                if response.headers.get(name) != value]
    csp = response.headers.get("Content-Security-Policy", "")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{label}: CSP allows inline or eval'd code: {csp}")
    if response.headers.get("Strict-Transport-Security") != (HSTS if production
                                                              else None):
        problems.append(f"{label}: Strict-Transport-Security="
                        f"{response.headers.get('Strict-Transport-Security')!r}")
    return problems


@pytest.fixture
def admin_of_b(app, two_schools, create_user, add_membership, login):  # noqa: F811
    user = create_user("kopteksten@b.example")
    add_membership(user, two_schools["school_b"])
    client = app.test_client()
    login(user, c=client)
    return client, two_schools


def _get_routes(app, ctx) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if rule.endpoint == "static":
            routes.append(("static", "/static/css/rok.css"))
            continue
        routes.append((rule.endpoint, _fill(app, rule, ctx)))
    return routes


@pytest.mark.parametrize("production", [False, True], ids=["development", "production"])
def test_security_headers_on_every_get_route(app, admin_of_b, production):
    app.config["ROK_ENV"] = "production" if production else "testing"
    client, ctx = admin_of_b
    routes = _get_routes(app, ctx)
    assert len(routes) > 50
    problems, statuses = [], {}
    for endpoint, url in routes:
        if endpoint == "accounts.logout":
            continue  # a GET would not log out, but keep the session regardless
        response = client.get(url)
        response.close()
        statuses[endpoint] = response.status_code
        problems += _problems(f"GET {url} ({endpoint})", response,
                              production=production)
        assert response.status_code < 500, (url, response.status_code)
    # The walk reached real pages, not only refusals.
    assert sum(200 <= code < 300 for code in statuses.values()) > 30, statuses
    assert problems == []


def test_security_headers_on_error_pages_static_files_and_anonymous_pages(
        app, admin_of_b):
    client, ctx = admin_of_b
    survey_id = _fill(app, app.url_map._rules_by_endpoint["respond.intro"][0], ctx)
    anonymous = app.test_client()
    requests = {
        "404 unknown page": (client, "GET", "/bestaat-niet", 404),
        "404 missing static file": (client, "GET", "/static/css/nope.css", 404),
        "static css": (anonymous, "GET", "/static/css/rok.css", 200),
        "static js": (anonymous, "GET", "/static/js/respond.js", 200),
        "405 GET on a POST-only route": (client, "GET", "/afmelden", 405),
        "403 platform page for a school admin": (client, "GET", "/beheer/scholen",
                                                 403),
        "400 answering page without link": (anonymous, "GET", survey_id, 400),
        "404 unknown personal link": (anonymous, "GET", "/b/" + "x" * 43, 404),
        "302 log-in redirect": (anonymous, "GET", "/start", 302),
        "200 log-in page": (anonymous, "GET", "/aanmelden", 200),
        "400 refused form": (anonymous, "POST", "/aanmelden", 400),
        "HEAD of a page": (anonymous, "HEAD", "/aanmelden", 200),
    }
    problems = []
    for label, (who, method, url, status) in requests.items():
        response = who.open(url, method=method)
        response.close()
        assert response.status_code == status, (label, url, response.status_code)
        problems += _problems(label, response)
    # A conditional request answered with 304 carries the headers too.
    first = anonymous.get("/static/css/rok.css")
    first.close()
    again = anonymous.get("/static/css/rok.css",
                          headers={"If-None-Match": first.headers["ETag"]})
    again.close()
    assert again.status_code == 304
    problems += _problems("304 static file", again)
    assert problems == []


def test_security_headers_on_a_respondents_pages(app, school, create_survey):
    survey = create_survey(school, statements=2)
    token, = add_participants(survey, 1)
    client = app.test_client()
    base = f"/b/s/{survey.id}"
    problems = []
    steps = [("GET", f"/b/{token}", 302), ("GET", f"{base}/", 200),
             ("POST", f"{base}/start", 302), ("GET", f"{base}/stelling/1", 200),
             ("GET", f"{base}/opmerking/RE", 200), ("GET", f"{base}/overzicht", 200),
             ("POST", f"{base}/indienen", 302), ("GET", f"{base}/bedankt", 200)]
    for method, url, status in steps:
        response = client.open(url, method=method)
        assert response.status_code == status, (url, response.status_code)
        problems += _problems(f"{method} {url}", response)
    save = client.post(f"{base}/opslaan", json={"statement": 1, "agreement": "2"})
    assert save.is_json
    problems += _problems("JSON save after submission", save)
    assert problems == []
