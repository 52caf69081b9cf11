"""The fault harness (issue 12): ``python bench/faults.py [--small]``.

On a stack of its own (bench/fault_stack.py: its own PostgreSQL cluster and Redis
on free ports, gunicorn with 2 workers, a Celery worker with 2 processes):

(a) races through real HTTP: two clerks complete the same case, two clerks send
    the same inquiry, the same clerk double-submits "complete", a view during a
    completion;
(b) letters requested while the worker's main process and children are
    SIGKILLed at random, PostgreSQL is restarted, Redis is restarted and a
    tablespace on a small tmpfs runs full; then 10 minutes of simulated sweep
    time (the outbox relay) and a count of what is still queued or rendered twice;
(c) the audit chain verified, and appends per second measured.

Prints one ``name: value`` line per figure and the faults injected. ``--small``
is the CI subset: a few trials of each race, a couple of kills, each fault once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_stack import HOST, Stack  # noqa: E402

faults: list[str] = []


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- setup
def django_setup(stack: Stack) -> None:
    os.environ.update(stack.env)
    import django

    django.setup()


def world(cases: dict[str, int], letters: int) -> dict[str, Any]:
    """The city, three clerks with API tokens, and the cases each race needs."""
    from rest_framework.authtoken.models import Token

    from counter.models import OpeningHours
    from tests import factories as f

    city = f.MunicipalityFactory(code="142123", name="厚木市")
    office = f.main_office(city)
    # The harness runs at any hour: its counter is open around the clock.
    OpeningHours.objects.filter(profile__municipality=city).delete()
    for weekday in range(7):
        OpeningHours.objects.create(
            profile=city.profile,
            weekday=weekday,
            opens=dt.time(0, 0),
            closes=dt.time(23, 59, 59),
            open_on_holidays=True,
        )
    desk = f.DeskFactory(office=office, code="desk1", name="1番窓口")
    clerks = [f.clerk(city, office) for _ in range(2)]
    tokens = [Token.objects.create(user=c).key for c in clerks]
    agent = {
        "applicant_role": "voluntary_agent",
        "applicant_name": "代理 花子",
        "applicant_address": "神奈川県厚木市旭町1-1",
        "applicant_relation": "知人",
    }

    def revocation() -> str:
        resident = f.ResidentFactory(municipality=city)
        card = f.CardFactory(resident=resident, suspended=True)
        f.CertificateFactory(card=card, suspended=True)
        return f.CaseFactory(
            resident=resident,
            card=card,
            clerk=clerks[0],
            desk=desk,
            procedure="cert_revoke",
            revocation_kind="notification",
            certificate_kinds=["signing"],
            shown=[
                {"code": "my_number_card", "owner": "holder"},
                {"code": "passport", "owner": "holder"},
            ],
        ).reference

    def inquiry() -> Any:
        resident = f.ResidentFactory(municipality=city)
        return f.CaseFactory(
            resident=resident,
            card=f.CardFactory(resident=resident),
            clerk=clerks[0],
            desk=desk,
            procedure="cert_issue",
            certificate_kinds=["signing"],
            documents_checked=True,
            **agent,
        )

    made: dict[str, Any] = {"tokens": tokens, "clerks": clerks, "desk": desk}
    for race, n in cases.items():
        make = inquiry if race == "inquiry" else revocation
        made[race] = [make() for _ in range(n)]
        if race == "inquiry":
            made[race] = [c.reference for c in made[race]]
    made["letter_cases"] = [inquiry() for _ in range(letters)]
    return made


# ---------------------------------------------------------------------- races
def http(stack: Stack, method: str, path: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.web_port}{path}",
        data=b"{}" if method == "POST" else None,
        method=method,
        headers={
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    try:
        return status, json.loads(body or b"null")
    except ValueError:
        return 599, None  # not JSON: a clerk would see a raw page


def race_trial(
    stack: Stack, kind: str, reference: str, tokens: list[str]
) -> tuple[str, list[tuple[int, Any]]]:
    """One trial: "ok", "server_error", "nobody_won" or "both_won", and the answers."""
    answers: list[tuple[int, Any]] = []
    return _judge(stack, kind, reference, tokens, answers), answers


def _judge(
    stack: Stack,
    kind: str,
    reference: str,
    tokens: list[str],
    answers: list[tuple[int, Any]],
) -> str:
    from counter.letters.models import InquiryLetter
    from counter.models import Case

    action = "inquiry" if kind == "inquiry" else "complete"
    change = f"/api/v1/cases/{reference}/{action}/"
    calls = {
        "complete": [("POST", change, tokens[0]), ("POST", change, tokens[1])],
        "inquiry": [("POST", change, tokens[0]), ("POST", change, tokens[1])],
        "double_submit": [("POST", change, tokens[0]), ("POST", change, tokens[0])],
        "view": [
            ("POST", change, tokens[0]),
            ("GET", f"/api/v1/cases/{reference}/", tokens[1]),
        ],
    }[kind]
    barrier = threading.Barrier(len(calls))
    answers.extend([(0, None)] * len(calls))

    def run(i: int) -> None:
        barrier.wait(30)
        answers[i] = http(stack, *calls[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [s for s, _ in answers]
    if any(s >= 500 for s in statuses):
        return "server_error"
    for status, body in answers:
        if status == 409 and (body or {}).get("code") not in (
            "case-busy",
            "case-state-conflict",
        ):
            return "server_error"  # a conflict a clerk is not told how to read
    case = Case.objects.get(reference=reference)
    changes = case.history.filter(
        transition="send_inquiry" if kind == "inquiry" else "complete"
    ).count()
    if kind == "inquiry" and InquiryLetter.objects.filter(case=case).count() > 1:
        return "both_won"
    if kind in ("complete", "inquiry") and statuses.count(200) > 1:
        return "both_won"  # two different clerks were both told it worked
    if changes > 1:
        return "both_won"
    if changes == 0 or (kind == "view" and statuses != [200, 200]):
        return "nobody_won"
    return "ok"


def races(stack: Stack, made: dict[str, Any], trials: int) -> dict[str, int]:
    counts = {"race_trials": 0, "race_server_errors": 0, "race_nobody_won": 0}
    counts["race_both_won"] = 0
    for kind in ("complete", "inquiry", "double_submit", "view"):
        for reference in made[kind][:trials]:
            outcome, answers = race_trial(stack, kind, reference, made["tokens"])
            counts["race_trials"] += 1
            if outcome != "ok":
                counts[
                    f"race_{outcome}s"
                    if outcome == "server_error"
                    else f"race_{outcome}"
                ] += 1
                log(f"race {kind} {reference}: {outcome} {answers}")
    return counts


# -------------------------------------------------------------------- letters
def request_letter(case: Any, deadline: dt.date) -> bool:
    """The letter of one case, as visit 1 asks; False if the database was away."""
    from django.db import DatabaseError, InterfaceError, connection

    from counter.letters.models import InquiryLetter
    from counter.letters.services import letter_request

    try:
        if InquiryLetter.objects.filter(case_id=case.pk).exists():
            return True
        letter_request(case=case, deadline=deadline)
        return True
    except (DatabaseError, InterfaceError):
        connection.close()
        return False


def killer(stack: Stack, kills: int, stop: threading.Event, rng: random.Random) -> None:
    """SIGKILL the worker's main process or one of its children, at random."""
    for _ in range(kills):
        if stop.wait(rng.uniform(1.0, 3.0)):
            return
        with stack.worker_lock:
            stack.worker_ensure()
            main, children = stack.worker_pids()
            if main is None:
                continue
            if children and rng.random() < 0.6:
                os.kill(rng.choice(children), signal.SIGKILL)
                faults.append("sigkill worker child")
            else:
                for pid in [main, *children]:
                    os.kill(pid, signal.SIGKILL)
                stack.procs["worker"].wait(10)
                faults.append("sigkill worker main process")
                stack.worker_ensure()


def disk_full(stack: Stack, seconds: float) -> None:
    """The letter history lives on a tiny tmpfs tablespace, filled for a while."""
    from django.db import DatabaseError, connection

    reason = stack.tablespace_on_tmpfs()
    if reason is not None:
        log(f"disk full skipped: {reason}")
        faults.append(f"disk full skipped ({reason})")
        return
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLESPACE faults_small LOCATION '{stack.tmpfs}'")
        cursor.execute(
            "ALTER TABLE counter_letterstatuschange SET TABLESPACE faults_small"
        )
        cursor.execute("CREATE TABLE faults_filler (x text) TABLESPACE faults_small")
        try:
            while True:
                cursor.execute(
                    "INSERT INTO faults_filler SELECT repeat(md5(random()::text), 30)"
                    " FROM generate_series(1, 2000)"
                )
        except DatabaseError:
            pass
    faults.append(f"disk full for {seconds:.0f} s (tmpfs tablespace)")
    time.sleep(seconds)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE faults_filler")


def letters(
    stack: Stack, made: dict[str, Any], kills: int, seed: int
) -> dict[str, int]:
    from django.db import connection

    from counter.letters.models import InquiryLetter, LetterState, LetterStatusChange
    from counter.letters.services import letters_relay

    rng = random.Random(seed)
    deadline = dt.date.today() + dt.timedelta(days=30)
    cases = list(made["letter_cases"])
    stop = threading.Event()
    kill_thread = threading.Thread(target=killer, args=(stack, kills, stop, rng))
    kill_thread.start()
    quarter = max(1, len(cases) // 4)
    pending = list(cases)
    step = 0
    while pending:
        batch, pending = pending[:quarter], pending[quarter:]
        missed = [c for c in batch if not request_letter(c, deadline)]
        pending.extend(missed)
        step += 1
        if step == 1:
            stack.pg_restart()
            faults.append("postgresql restarted (immediate stop)")
            connection.close()
        elif step == 2:
            stack.redis_restart()
            faults.append("redis restarted (no persistence: its messages lost)")
        elif step == 3:
            disk_full(stack, 5.0)
        if missed:
            time.sleep(1.0)
    kill_thread.join()
    stop.set()
    log(f"letters requested: {len(cases)}; waiting for the worker")

    def queued() -> int:
        if stack.worker_ensure():
            log("worker had exited: started again")
        connection.close()
        return InquiryLetter.objects.filter(state=LetterState.QUEUED).count()

    def drained(seconds: float, idle: float = 75.0) -> None:
        """Until nothing is queued, or nothing moved for ``idle`` seconds (longer
        than the first two retry countdowns, 30 s and 60 s)."""
        still, moved = queued(), time.monotonic()
        deadline = time.monotonic() + seconds
        while still and time.monotonic() < deadline:
            time.sleep(2.0)
            now = queued()
            if now != still:
                still, moved = now, time.monotonic()
            elif time.monotonic() - moved > idle:
                return

    drained(300)
    # 10 minutes of simulated sweep time: the relay every 2 minutes.
    start = dt.datetime.now(dt.UTC)
    for minute in range(2, 12, 2):
        sent = letters_relay(now=start + dt.timedelta(minutes=minute))
        if sent:
            log(f"relay at +{minute} min: {sent} letters published again")
            drained(300)
    ids = [c.pk for c in cases]
    from django.db.models import Count

    rendered_twice = (
        LetterStatusChange.objects.filter(letter__case_id__in=ids, to_state="rendered")
        .values("letter_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    two_letters = (
        InquiryLetter.objects.filter(case_id__in=ids)
        .values("case_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    states = dict(
        InquiryLetter.objects.filter(case_id__in=ids)
        .values_list("state")
        .annotate(n=Count("id"))
    )
    log(f"letter states: {states}")
    return {
        "letters_total": InquiryLetter.objects.filter(case_id__in=ids).count(),
        "letters_stranded": states.get(LetterState.QUEUED, 0),
        "letters_failed": states.get(LetterState.FAILED, 0),
        "letters_duplicated": rendered_twice + two_letters,
    }


# ---------------------------------------------------------------------- audit
def audit(seconds: float) -> dict[str, float]:
    """Appends per second (bench/audit_append.py, 16 writers over 4 cities), then
    every chain verified: everything the races, the letters and the faults wrote."""
    from counter.audit import verify_chain

    figures: dict[str, float] = {}
    try:
        import audit_append  # the audit design's own benchmark
    except ImportError:
        log("bench/audit_append.py not found: audit_appends_per_s not measured")
        forks = 0
    else:
        measured = audit_append.measure(writers=16, municipalities=4, seconds=seconds)
        figures["audit_appends_per_s"] = measured["audit_appends_per_s"]
        figures["audit_other_municipality_delay_ms"] = measured[
            "other_municipality_delay_ms"
        ]
        forks = measured["audit_forks"]
    figures["audit_gaps"] = sum(1 for _ in verify_chain()) + forks
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the CI subset")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    trials = 3 if args.small else 100  # per race: 4 races
    n_letters = 40 if args.small else 1000
    kills = 2 if args.small else 12
    # A SIGTERM (CI's timeout, an operator) still stops everything started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stack = Stack()
    figures: dict[str, float] = {}
    try:
        log(f"stack in {stack.tmp}")
        stack.pg_init()
        stack.redis_start()
        stack.manage("migrate", "--noinput", "-v", "0")
        django_setup(stack)
        races_cases = {
            k: trials for k in ("complete", "inquiry", "double_submit", "view")
        }
        made = world(races_cases, n_letters)
        log("world ready")
        stack.web_start()
        stack.worker_start()
        figures.update(races(stack, made, trials))
        figures.update(letters(stack, made, kills, args.seed))
        figures.update(audit(2.0 if args.small else 5.0))
    finally:
        stack.close()
    for name, value in figures.items():
        print(f"{name}: {value:g}" if isinstance(value, float) else f"{name}: {value}")
    print(f"worker_restarts: {stack.worker_restarts}")
    print(f"faults_injected: {len(faults)}")
    for fault in faults:
        print(f"fault: {fault}")
    bad = [
        figures.get(k, 1)
        for k in (
            "race_server_errors",
            "race_nobody_won",
            "race_both_won",
            "letters_stranded",
            "letters_duplicated",
            "audit_gaps",
        )
    ]
    return 1 if any(bad) else 0


if __name__ == "__main__":
    sys.exit(main())
