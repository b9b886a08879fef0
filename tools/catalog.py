"""Keep the translation catalogues complete.

    python tools/catalog.py sync            # extract + update, Dutch msgstr = msgid
    python tools/catalog.py missing         # list English entries still untranslated (JSON)
    python tools/catalog.py apply FILE.json # fill English entries from {msgid: msgstr}

Dutch is the source language, so the Dutch catalogue repeats every msgid; the English
catalogue must translate every one (tests/test_i18n.py fails otherwise).
"""

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "rok" / "translations"
POT = TRANSLATIONS / "messages.pot"


def _po(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _load(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _save(catalog, path: Path) -> None:
    catalog.fuzzy = False
    catalog.project = "rOK"
    for message in catalog:
        # "% eens" is a label, not a format: only named placeholders are formats here.
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.id and not any("%(" in part for part in ids):
            message.flags.discard("python-format")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=88, omit_header=False, sort_output=True,
                 include_previous=False, ignore_obsolete=True)


def sync() -> None:
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-o", str(POT), "--no-location",
                    "--sort-output", "--omit-header", "."],
                   cwd=ROOT, check=True, capture_output=True)
    subprocess.run([str(bin_dir / "pybabel"), "update", "-i", str(POT), "-d",
                    str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete",
                    "--omit-header"],
                   cwd=ROOT, check=True, capture_output=True)
    catalog = _load(_po("nl"))
    for message in catalog:
        if not message.id:
            continue
        message.string = message.id
        message.flags.discard("fuzzy")
    _save(catalog, _po("nl"))
    english = _load(_po("en"))
    for message in english:
        message.flags.discard("fuzzy")
    _save(english, _po("en"))


def missing() -> dict:
    catalog = _load(_po("en"))
    result = {}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            key = message.id if isinstance(message.id, str) else message.id[0]
            result[key] = ""
    return result


def apply(path: str) -> None:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    catalog = _load(_po("en"))
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in translations and translations[key]:
            value = translations[key]
            if isinstance(message.id, tuple):
                message.string = tuple(value) if isinstance(value, list) else (value, value)
            else:
                message.string = value
    _save(catalog, _po("en"))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "sync":
        sync()
    elif command == "missing":
        print(json.dumps(missing(), ensure_ascii=False, indent=1))
    elif command == "apply":
        apply(sys.argv[2])
    else:
        sys.exit(__doc__)
