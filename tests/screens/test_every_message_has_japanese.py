"""Every string marked for translation has its Japanese (issue 15: Japanese everywhere).

A msgid missing from the catalogues is shown to the clerk in English, whatever
the browser asks. ``makemessages`` extracts every marked string from a copy of
the tree (the project's own catalogues untouched); each must be translated, not
fuzzy, in the catalogues Django reads at run time: ``locale/`` first, then an
app's own ``locale/`` directory, then Django's own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import django
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [ROOT / "locale", ROOT / "identity_docs" / "locale"]
# Django's own Japanese (the admin's frame, for one) counts too, after ours.
DJANGO_CATALOGUES = sorted(
    Path(django.__file__).parent.glob("**/locale/ja/LC_MESSAGES/django.po")
)

pytestmark = pytest.mark.skipif(
    shutil.which("msgmerge") is None, reason="needs GNU gettext (apt: gettext)"
)


def _tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    # The working tree as it is: a message added but not yet committed counts.
    return [name for name in out.split("\0") if name and (ROOT / name).exists()]


def _untranslated(tmp_path: Path) -> list[str]:
    tree = tmp_path / "tree"
    for name in _tracked_files():
        if name.startswith(("tests/", "bench/", "locale/", ".ci/")):
            continue
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    for catalogue in CATALOGUES:  # empty catalogues: extraction only
        (tree / catalogue.relative_to(ROOT) / "ja" / "LC_MESSAGES").mkdir(
            parents=True, exist_ok=True
        )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--keep-pot"]
        + ["--no-location", "-v", "0"],
        cwd=tree,
        env=env,
        check=True,
    )
    known = tmp_path / "known.po"
    subprocess.run(
        ["msgcat", "--use-first", "-o", str(known)]
        + [str(c / "ja" / "LC_MESSAGES" / "django.po") for c in CATALOGUES]
        + [str(c) for c in DJANGO_CATALOGUES],
        check=True,
    )
    missing: list[str] = []
    for pot in tree.rglob("django.pot"):
        merged = tmp_path / f"merged-{len(missing)}-{pot.parent.parent.name}.po"
        subprocess.run(
            ["msgmerge", "-q", "--no-fuzzy-matching", "-o", str(merged)]
            + [str(known), str(pot)],
            check=True,
        )
        for flag in ("--untranslated", "--only-fuzzy"):
            listed = subprocess.run(
                ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(merged)],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
            missing += [
                line[len("msgid ") :]
                for line in listed.splitlines()
                if line.startswith("msgid ") and line != 'msgid ""'
            ]
    return sorted(set(missing))


def test_every_marked_string_has_a_japanese_translation(tmp_path: Path) -> None:
    missing = _untranslated(tmp_path)
    assert not missing, "no Japanese for:\n" + "\n".join(missing)
