"""Run mypy and fail only on errors that are not in .ci/mypy-baseline.txt.

Baseline lines are ``path: error: message [code]`` without line numbers, so moving
code does not break CI; fixing an error lets the baseline shrink
(``python .ci/mypy_baseline.py --update``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

BASELINE = Path(__file__).with_name("mypy-baseline.txt")
TARGETS = ["config", "counter", "identity_docs", "jpki_ops"]
LINE = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<rest>.*)$")


def run_mypy() -> Counter[str]:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", *TARGETS],
        capture_output=True,
        text=True,
        check=False,
    )
    errors: Counter[str] = Counter()
    for line in result.stdout.splitlines():
        match = LINE.match(line)
        if match:
            errors[f"{match['path']}: error: {match['rest']}"] += 1
    if result.returncode not in (0, 1) or (result.returncode == 1 and not errors):
        sys.stdout.write(result.stdout + result.stderr)
        raise SystemExit("mypy did not run")
    return errors


def main() -> int:
    errors = run_mypy()
    if "--update" in sys.argv:
        BASELINE.write_text(
            "".join(f"{line}\n" for line in sorted(errors.elements())), encoding="utf-8"
        )
        print(f"baseline: {sum(errors.values())} errors")
        return 0
    allowed: Counter[str] = Counter(
        line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line
    )
    new = errors - allowed
    if new:
        print("mypy: errors not in the baseline:")
        for line in sorted(new.elements()):
            print("  " + line)
        return 1
    print(f"mypy: {sum(errors.values())} known errors, none new")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
