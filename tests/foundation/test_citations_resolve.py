"""Every citation in the source tree resolves to a file of this repository.

Comments, docstrings, documents and help texts cite the domain rules and the reference
documents by section (§). A citation must name a path of the repository
(``docs/rules/06-agents.md §6.2``, ``docs/reference/card-protocol.md §5.3``); a bare
``§6.2`` means docs/rules (docs/rules/README.md, "How citations work"), except inside a
document of docs/reference, where it means that document. This test fails on:

- a citation of a document outside the repository (the shared rules, card-protocol,
  style, pcsc-testing, letters, dependencies, architecture or glossary documents by
  their bare names, or a path into ``../shared``);
- a ``docs/...`` path, or a relative link in a document, that does not exist;
- a ``§N`` that is not a heading of the cited file (for a bare ``§N``: of docs/rules);
- a ``seed-…`` section name or a ``seed table "<row>"`` that docs/rules/seed.md lacks.

Migrations are checked in their comments and module docstring only: their operations
keep the texts they were generated with.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED_DIRS = (
    "counter",
    "identity_docs",
    "jpki_ops",
    "config",
    "tests",
    "deploy",
    "bench",
    "templates",
    "docs",
    "locale",
)
SCANNED_ROOT_FILES = ("README.md", "pyproject.toml")
SUFFIXES = {".py", ".html", ".sh", ".toml", ".md", ".po", ".txt"}
RULES_DIR = "docs/rules"
SEED_DOC = "docs/rules/seed.md"

NUM = r"\d+(?:\.\d+)*"
#: What may stand between two sections of one chain: "§5.2, §6.1", "§2–§5",
#: "§3 (which EF…), §5.3", "§8.9 / §9", across a line break too.
CHAIN_GAP = r"(?:\s*\([^()]*\))?\s*(?:,|/|–|-|and|or|&)?\s*"
SECTION = re.compile(rf"§\s?({NUM})")
DOC_PATH = re.compile(r"(?<![\w/.-])(docs/[\w./-]*[\w/])")
AFTER_PATH = re.compile(rf"(?:`|\]\[\w+\]|\]\([^)]*\))?\s*§\s?({NUM})")
CHAIN_NEXT = re.compile(rf"{CHAIN_GAP}§\s?({NUM})")
MD_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)|^\[[\w-]+\]:\s*(\S+)", re.MULTILINE)
NOT_A_RULE = re.compile(
    rf"(?:issue\s+\d+\s*|RFC\s*\d+\s*)§\s?{NUM}|Path\(\s*[\"'][^\"']*[\"']\s*\)"
)
OUTSIDE = re.compile(
    r"(?<![\w/.-])(?:rules\.md|card-protocol(?:\.md)?|pcsc-testing(?:\.md)?|style\.md"
    r"|letters\.md\s*§|dependencies\.md|architecture\.md|glossary\.md)"
    r"|(?:\.\./|/work/|(?<![\w/.-]))shared/(?:domain|jpki|design|seeds)/"
)
SEED_NAME = re.compile(r"\bseed-(?:cert|change|reset|revoke)(?:-\d+)?\b")
SEED_ROW = re.compile(r"seed table \"([^\"]+)\"")
HEADING = re.compile(rf"^#{{1,6}}\s+({NUM})\.?(?:\s|$)", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text!r}"


@cache
def headings(path: str) -> frozenset[str]:
    target = ROOT / path
    files = sorted(target.glob("*.md")) if target.is_dir() else [target]
    found: set[str] = set()
    for file in files:
        if file.is_file() and file.suffix == ".md":
            found.update(HEADING.findall(file.read_text(encoding="utf-8")))
    return frozenset(found)


@cache
def seed_text() -> str:
    return (ROOT / SEED_DOC).read_text(encoding="utf-8")


def source_files() -> list[Path]:
    files = [ROOT / name for name in SCANNED_ROOT_FILES if (ROOT / name).is_file()]
    for directory in SCANNED_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            if not path.is_file() or path.suffix not in SUFFIXES:
                continue
            if any(
                part in {"__pycache__", "fonts", "node_modules"} for part in path.parts
            ):
                continue
            if path == Path(__file__).resolve():
                continue
            files.append(path)
    return files


def checked_regions(path: Path, text: str) -> list[tuple[int, str]]:
    """(offset, text) pieces to check: a migration's comments and docstring only."""
    if path.suffix != ".py" or "migrations" not in path.parts:
        return [(0, text)]
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    pieces: list[tuple[int, str]] = []
    first = True
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT or (token.type == tokenize.STRING and first):
            offset = starts[token.start[0] - 1] + token.start[1]
            pieces.append((offset, token.string))
        if token.type not in {
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.ENCODING,
        }:
            first = False
    return pieces


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _section_ok(target: str, number: str, first: bool) -> bool:
    if target.startswith(RULES_DIR) and not first:
        target = RULES_DIR  # a chain after a rules file may go on in another file
    return number in headings(target)


def _chain(text: str, end: int) -> tuple[list[str], int]:
    numbers: list[str] = []
    while match := CHAIN_NEXT.match(text, end):
        numbers.append(match.group(1))
        end = match.end()
    return numbers, end


def problems_in(path: Path) -> list[Problem]:
    rel = path.relative_to(ROOT).as_posix()
    whole = path.read_text(encoding="utf-8", errors="replace")
    found: list[Problem] = []
    for offset, piece in checked_regions(path, whole):
        found.extend(_problems_in_piece(rel, path, whole, offset, piece))
    return found


def _problems_in_piece(  # noqa: C901 - one pass per citation form reads best in order
    rel: str, path: Path, whole: str, offset: int, text: str
) -> list[Problem]:
    found: list[Problem] = []

    def report(pos: int, length: int, why: str) -> None:
        line = whole.count("\n", 0, offset + pos) + 1
        found.append(Problem(rel, line, text[pos : pos + length].strip(), why))

    def resolve(target: str, pos: int, start_chain: int, length: int) -> int:
        """Check the § chain after a path; return where the citation ends."""
        end = start_chain
        after = AFTER_PATH.match(text, end)
        if not after:
            return end
        if target.endswith(".md") or (ROOT / target).is_dir():
            numbers = [after.group(1)]
            more, end = _chain(text, after.end())
            numbers += more
            for index, number in enumerate(numbers):
                if not _section_ok(target, number, first=index == 0):
                    report(pos, end - pos, f"no heading §{number} in {target}")
            return end
        report(pos, length, f"§ after a file that is not a document: {target}")
        return after.end()

    # Links in documents, relative to the document.
    if path.suffix == ".md":
        for match in list(MD_LINK.finditer(text)):
            target = match.group(1) or match.group(2)
            if re.match(r"[a-z]+:|#|<", target) or target.startswith("docs/"):
                continue
            resolved = (path.parent / target.split("#")[0]).resolve()
            try:
                rel_target = resolved.relative_to(ROOT).as_posix()
            except ValueError:
                report(match.start(), len(match.group(0)), "link leaves the repository")
                continue
            if not resolved.exists():
                report(match.start(), len(match.group(0)), "link to a missing file")
                continue
            end = resolve(rel_target, match.start(), match.end(), len(match.group(0)))
            text = _mask(text, match.start(), end)

    # Paths into docs/.
    for match in list(DOC_PATH.finditer(text)):
        target = match.group(1).rstrip("/.")
        if not (ROOT / target).exists():
            report(match.start(), len(match.group(0)), "no such file in the repository")
            text = _mask(text, match.start(), match.end())
            continue
        end = resolve(target, match.start(), match.end(), len(match.group(0)))
        text = _mask(text, match.start(), end)

    for match in list(NOT_A_RULE.finditer(text)):
        text = _mask(text, match.start(), match.end())

    for match in OUTSIDE.finditer(text):
        report(match.start(), 40, "cites a document outside the repository")

    # Bare § numbers: docs/rules; in a reference document, that document.
    own = rel if rel.startswith("docs/reference/") else RULES_DIR
    pos = 0
    while match := SECTION.search(text, pos):
        numbers = [match.group(1)]
        more, end = _chain(text, match.end())
        numbers += more
        for number in numbers:
            if number not in headings(own):
                report(
                    match.start(), end - match.start(), f"no heading §{number} in {own}"
                )
        pos = end

    for match in SEED_NAME.finditer(text):
        name = match.group(0)
        if not re.search(rf"^#+ {re.escape(name)}", seed_text(), re.MULTILINE):
            report(match.start(), len(name), f"no section {name} in {SEED_DOC}")
    for match in SEED_ROW.finditer(text):
        if f"| {match.group(1)} |" not in seed_text():
            report(
                match.start(), len(match.group(0)), f"no seed table row in {SEED_DOC}"
            )
    return found


def all_problems() -> list[Problem]:
    return [problem for path in source_files() for problem in problems_in(path)]


def test_every_citation_names_a_section_of_a_repository_document():
    problems = all_problems()
    assert not problems, "\n".join(map(str, problems[:200])) + (
        f"\n… {len(problems)} in all" if len(problems) > 200 else ""
    )


def test_every_rules_section_file_starts_with_its_number():
    for file in sorted((ROOT / RULES_DIR).glob("[0-9][0-9]-*.md")):
        number = str(int(file.name[:2]))
        first = file.read_text(encoding="utf-8").splitlines()[0]
        assert re.match(rf"# {number} ", first), f"{file.name} starts with {first!r}"
