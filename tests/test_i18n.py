"""Dutch by default, English on request; the English catalogue is complete."""

import os

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOGUE = os.path.join(
    ROOT, "rok", "translations", "{}", "LC_MESSAGES", "messages.po"
)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
            "lazy_gettext": None}


def _catalogue(language):
    with open(CATALOGUE.format(language), "rb") as handle:
        return read_po(handle)


def _source_messages():
    method_map = [("rok/**.py", "python"), ("rok/templates/**.html", "jinja2"),
                  ("rok/templates/**.txt", "jinja2")]
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map=method_map, keywords=KEYWORDS,
        options_map={"rok/templates/**.html": {}}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_user_facing_string_has_an_english_translation():
    english = _catalogue("en")
    missing = []
    for message_id in sorted(_source_messages()):
        entry = english.get(message_id)
        strings = () if entry is None else (
            entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or not all(strings) or entry.fuzzy:
            missing.append(message_id)
    assert missing == [], f"missing from the English catalogue: {missing[:20]}"


def test_dutch_catalogue_is_complete():
    dutch = _catalogue("nl")
    missing = [m for m in _source_messages() if dutch.get(m) is None]
    assert missing == []


def test_dutch_is_the_default(client):
    assert "Aanmelden" in client.get("/aanmelden").get_data(as_text=True)


def test_browser_language_english(client):
    page = client.get("/aanmelden", headers={"Accept-Language": "en-GB,en;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="en">' in text
    assert "Log in" in text


def test_language_choice_is_remembered_for_the_user(client, director, login):
    from rok.extensions import db

    login(director)
    client.post("/taal", data={"language": "en", "next": "/start"})
    db.session.refresh(director)
    assert director.language == "en"
    fresh = client.application.test_client()
    login(director, c=fresh)
    assert "My schools" in fresh.get("/start").get_data(as_text=True)


def test_language_switch_rejects_unknown_language(client):
    assert client.post("/taal", data={"language": "xx"}).status_code == 400
