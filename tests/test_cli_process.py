"""The whole process from the command line (issue 17): a new college walked with nothing but
``teknikcollege`` commands, and each process command's options, clock, output and errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import teknikcollege as tc
from teknikcollege.cli import build_cli

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "walk-a-new-college.sh"
CLI = build_cli("en")
CLI_SV = build_cli("sv")


def command_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a shell in which ``teknikcollege`` is the tree under test."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "teknikcollege"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m teknikcollege "$@"\n')
    shim.chmod(0o755)
    source = str(Path(tc.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEKNIKCOLLEGE_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    env["TMPDIR"] = str(tmp_path)
    return env


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_the_example_walks_a_new_college_to_ordinary_operation(tmp_path: Path) -> None:
    env = command_env(tmp_path)
    db = tmp_path / "walk.db"
    done = subprocess.run(["sh", str(SCRIPT), str(db)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert done.stderr == ""
    assert "life-gavleborg: certified → ordinary_operation" in done.stdout
    assert "Assessment of college gavleborg (2025-09-15): 10 of 10 criteria passed" in done.stdout \
        or "criteria passed" in done.stdout

    with tc.Registry.open(f"sqlite:///{db}") as registry:
        states = {c.id: c.state for c in registry.cases()}
        assert states == {"life-gavleborg": "ordinary_operation", "cert-gavleborg": "certified",
                          "cert-vux": "certified", "cert-svetsare": "certified"}
        # The postponement is recorded once, by the decision that granted it.
        assert [p.new_due for p in registry.find(tc.Postponement)] == [date(2025, 8, 29)]
        # Who did what: the history names the people, as the store knew their roles.
        actors = {(r.trigger, r.actor_id) for c in ("cert-vux", "cert-svetsare")
                  for r in registry.history(c)}
        assert ("approve", "p-office") in actors and ("submit_application", "p-leader") in actors
        college = registry.case("cert-gavleborg")
        # Three years from the decision day the script set with TEKNIKCOLLEGE_TODAY.
        assert [(str(c.valid_from), str(c.valid_until)) for c in college.certifications] == [
            ("2025-09-15", "2028-09-14")]
        history = registry.history("cert-gavleborg")
        assert [r.trigger for r in history] == [
            "open", "approve_interest", "submit_application", "start_review", "hold_visit",
            "request_supplements", "grant_postponement", "submit_supplements", "approve"]
        assert history[6].note == "board meeting in August"
        assert registry.get(tc.College, "gavleborg").steering_group is not None
        assert registry.outbox("pending") == []

    # Run again: a new file each time; an existing one is refused, untouched.
    again = subprocess.run(["sh", str(SCRIPT), str(db)], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "exists" in again.stderr


# -- the commands one by one, in process ---------------------------------------------------


def invoke(*args: str, cli: Any = CLI, env: dict[str, str] | None = None) -> Result:
    # The store's administrator acts unless a command names its own --actor.
    environ = {"TEKNIKCOLLEGE_LANG": None, "TEKNIKCOLLEGE_STORAGE": None,
               "TEKNIKCOLLEGE_TODAY": None, "TEKNIKCOLLEGE_ACTOR": "admin", **(env or {})}
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=environ)


def ok(*args: str, **kwargs: Any) -> Result:
    done = invoke(*args, **kwargs)
    assert done.exit_code == 0, (args, done.stderr)
    return done


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store with a small college: three municipalities, a provider, a company, people."""
    path = str(tmp_path / "tc.db")
    steps = [
        ("init", "--admin", "admin", "--name", "Ada Admin"),
        ("organisation", "add", "vux", "--name", "Vux", "--kind", "education_provider",
         "--provider-kind", "municipal_adult_education"),
        ("organisation", "add", "acme", "--name", "Acme AB", "--kind", "company",
         "--org-number", "556084-0976"),
        ("person", "add", "p-leader", "--name", "Kim", "--role", "process_leader"),
        ("person", "add", "p-chair", "--name", "Alex", "--role", "chair", "--role", "member"),
        ("person", "add", "p-rev1", "--name", "Gran", "--role", "reviewer"),
        ("person", "add", "p-rev2", "--name", "Ulla", "--role", "reviewer"),
        ("person", "add", "p-office", "--name", "Riks", "--role", "national_office"),
        ("person", "pool", "review-committee", "--name", "Kommittén", "--member", "p-rev1",
         "--member", "p-rev2", "--from", "2024-01-01"),
        ("college", "add", "gbg", "--name", "Teknikcollege G", "--county", "21",
         "--municipality", "2180", "--municipality", "2181", "--municipality", "2104",
         "--process-leader", "p-leader"),
    ]
    for step in steps:
        ok("--db", path, *step)
    return path


def test_repeatable_options_become_lists(db: str) -> None:
    done = ok("--db", db, "--json", "programme", "add", "svets", "--title", "Svetsare",
              "--form", "vocational_adult", "--weeks", "40", "--provider", "vux",
              "--college", "gbg", "--branch-area", "industry", "--branch-area", "technology",
              "--orientation", "mig:MIG-svetsning", "--orientation", "tig:TIG-svetsning",
              "--contribution", "acme:apl_places:6", "--contribution", "acme:supervisors:2")
    data = json.loads(done.stdout)
    assert data["branch_areas"] == ["industry", "technology"]
    assert [o["id"] for o in data["orientations"]] == ["mig", "tig"]
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        programme = registry.get(tc.Programme, "svets")
        assert programme.contributed(tc.ContributionKind.APL_PLACES) == 6
        assert registry.get(tc.College, "gbg").municipalities == ("2180", "2181", "2104")


def test_steering_groups_are_built_member_by_member(db: str) -> None:
    ok("--db", db, "college", "local", "gbg", "gs", "--name", "Lokal", "--municipality", "2180")
    ok("--db", db, "group", "add", "gbg", "regional", "--name", "Regional styrgrupp")
    ok("--db", db, "group", "add", "gbg", "gs-local", "--name", "Lokal styrgrupp",
       "--local", "gs")
    ok("--db", db, "group", "member", "gbg", "regional", "p-chair", "--sector", "company",
       "--organisation", "acme", "--chair")
    ok("--db", db, "group", "member", "gbg", "gs-local", "p-chair", "--sector", "company")
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        college = registry.get(tc.College, "gbg")
    assert college.steering_group is not None and college.steering_group.chair == "p-chair"
    assert college.steering_group.level is tc.GroupLevel.REGIONAL
    local = college.local_colleges[0].steering_group
    assert local is not None and local.level is tc.GroupLevel.LOCAL and local.chair is None
    shown = json.loads(ok("--db", db, "college", "show", "gbg", "--json").stdout)
    assert shown["steering_group"]["members"][0]["person_id"] == "p-chair"


@pytest.mark.parametrize(("args", "code", "message"), [
    (("group", "member", "gbg", "nope", "p-chair", "--sector", "company"), 3,
     "has no steering group 'nope'"),
    (("group", "add", "gbg", "x", "--name", "X", "--local", "nowhere"), 3,
     "has no local college 'nowhere'"),
    (("group", "member", "gbg", "g", "ghost", "--sector", "company"), 3, "does not exist"),
    (("college", "add", "x", "--name", "X", "--county", "21", "--municipality", "0180"), 1,
     "is not in county 21"),
    (("college", "add", "gbg", "--name", "X", "--county", "21", "--municipality", "2180"), 1,
     ""),
    (("college", "agreement", "gbg", "a", "--kind", "collaboration", "--from", "2024-02-30"),
     2, "is not a date"),
    (("programme", "add", "p", "--title", "T", "--form", "other", "--weeks", "4",
      "--provider", "vux", "--college", "gbg", "--contribution", "acme:gifts:2"), 2,
     "KIND is one of"),
    (("record", "application", "a", "no-case", "--all-documents"), 3, "does not exist"),
    (("record", "annual-report", "ar", "--college", "nope", "--year", "2024"), 3,
     "does not exist"),
    (("case", "open", "certification", "college:gbg", "--actor", "p-rev1:reviewer"), 4, ""),
    (("case", "open", "certification", "planet:x", "--actor", "p-leader:process_leader"), 2,
     "KIND:ID"),
    (("--today", "2024-1-5", "case", "list"), 2, "is not a date"),
])
def test_documented_exit_codes(db: str, args: tuple[str, ...], code: int, message: str) -> None:
    if args[:3] == ("group", "member", "gbg") and args[3] == "g":
        ok("--db", db, "group", "add", "gbg", "g", "--name", "G")
    done = invoke("--db", db, *args)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    as_json = invoke("--db", db, *args, "--json")
    error = json.loads(as_json.stderr)
    assert as_json.exit_code == code and error["code"] == code
    assert error["error"] in {"UnknownName", "NotFound", "InvalidData", "UsageError",
                              "ConcurrentUpdate", "PermissionDenied"}, error


def test_the_clock_setting_dates_records_and_transitions(db: str) -> None:
    day = {"TEKNIKCOLLEGE_TODAY": "2024-09-02"}
    ok("--db", db, "record", "interest", "i-1", "--college", "gbg", "--registrant", "vux",
       "--unit", "college:gbg", "--contact", "p-leader", "--approved", env=day)
    opened = json.loads(ok("--db", db, "case", "open", "certification", "college:gbg",
                           "--actor", "p-leader:process_leader", "--id", "c-1", "--json",
                           env=day).stdout)
    assert opened["id"] == "c-1" and opened["opened"].startswith("2024-09-02")
    # --today wins over the environment.
    ok("--db", db, "--today", "2024-09-20", "case", "fire", "c-1", "approve_interest",
       "--actor", "p-office:national_office", env=day)
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        assert registry.get(tc.InterestRegistration, "i-1").registered.isoformat() == "2024-09-02"
        assert [r.at.date().isoformat() for r in registry.history("c-1")] == [
            "2024-09-02", "2024-09-20"]


def test_two_reviewers_guard_the_visit_from_the_command_line(db: str) -> None:
    env = {"TEKNIKCOLLEGE_TODAY": "2025-01-20"}
    office, leader = "p-office:national_office", "p-leader:process_leader"
    ok("--db", db, "record", "interest", "i-1", "--college", "gbg", "--registrant", "vux",
       "--unit", "college:gbg", "--contact", "p-leader", "--approved", env=env)
    ok("--db", db, "case", "open", "certification", "college:gbg", "--actor", leader,
       "--id", "c-1", env=env)
    ok("--db", db, "case", "fire", "c-1", "approve_interest", "--actor", office, env=env)
    ok("--db", db, "record", "application", "a-1", "c-1", "--all-documents",
       "--approved-on", "2025-01-14", env=env)
    triggers = json.loads(ok("--db", db, "case", "triggers", "c-1", "--actor", leader,
                             "--json", env=env).stdout)
    assert {t["trigger"]: t["possible"] for t in triggers}["submit_application"] is True
    ok("--db", db, "case", "fire", "c-1", "submit_application", "--actor", leader, env=env)
    ok("--db", db, "case", "fire", "c-1", "start_review", "--actor", office, env=env)
    ok("--db", db, "record", "visit", "v-1", "c-1", "--reviewer", "p-rev1",
       "--pool", "review-committee", "--office", "p-office", env=env)
    refused = invoke("--db", db, "case", "fire", "c-1", "hold_visit", "--actor",
                     "p-rev1:reviewer", env=env)
    assert refused.exit_code == 1 and "2 are needed" in refused.stderr
    ok("--db", db, "record", "visit", "v-2", "c-1", "--reviewer", "p-rev1", "--reviewer",
       "p-rev2", "--pool", "review-committee", "--office", "p-office", env=env)
    ok("--db", db, "case", "fire", "c-1", "hold_visit", "--actor", "p-rev1:reviewer", env=env)
    listed = json.loads(ok("--db", db, "case", "list", "--state", "visited", "--json").stdout)
    assert [c["id"] for c in listed] == ["c-1"]


def test_a_claimed_reviewer_role_grants_nothing(db: str) -> None:
    # The process leader is not in the reviewer pool: naming the role does not make it so
    # (a pool reviewer with a conflict of interest: tests/test_authority.py).
    done = invoke("--db", db, "record", "judgement", "j-1", "--rule", "learning-environment",
                  "--subject", "gbg", "--outcome", "passed", "--evidence", "seen",
                  "--actor", "p-leader:reviewer")
    assert done.exit_code == 4 and "holds no role that allows this" in done.stderr


PROCESS_COMMANDS = [
    "organisation add", "person add", "person pool", "college add", "college show",
    "college agreement",
    "college funding", "college local", "group add", "group member", "programme add",
    "record interest", "record application", "record visit", "record protocol",
    "record supplement", "record judgement", "record annual-report",
    "record survey", "case open", "case fire", "case show", "case history", "case list",
    "case triggers", "council add", "council member", "college membership",
    "programme figures", "record interest-outcome",
]


@pytest.mark.parametrize("name", PROCESS_COMMANDS)
def test_every_process_command_has_examples_in_both_languages(name: str) -> None:
    words = name.split()
    en = ok(*words, "--help")
    assert "Examples:\n    $ teknikcollege " in en.stdout and "--today" in en.stdout
    sv = ok(*words, "--help", cli=CLI_SV)
    assert "Exempel:\n    $ teknikcollege " in sv.stdout
    # Swedish help is Swedish: the command's own line differs from the English one.
    assert en.stdout.split("\n\n")[1] != sv.stdout.split("\n\n")[1]


def test_swedish_messages_for_what_was_stored(db: str) -> None:
    done = ok("--db", db, "--lang", "sv", "person", "add", "p-x", "--name", "X", cli=CLI_SV)
    assert done.stdout.strip() == "personen 'p-x' har lagts till"


def test_every_change_names_its_actor_and_the_store_decides(db: str) -> None:
    no_one = invoke("--db", db, "organisation", "add", "x", "--name", "X", "--kind", "company",
                    env={"TEKNIKCOLLEGE_ACTOR": ""})
    assert no_one.exit_code == 2 and "who acts?" in no_one.stderr
    # The process leader may not make someone a reviewer; the refusal is exit 4.
    leader = invoke("--db", db, "person", "add", "p-x", "--name", "X", "--role", "reviewer",
                    "--actor", "p-leader")
    assert leader.exit_code == 4 and "national role" in leader.stderr
    ok("--db", db, "person", "add", "p-x", "--name", "X", "--role", "reviewer")  # admin
    again = invoke("--db", db, "init", "--admin", "mallory", "--name", "Mallory")
    assert again.exit_code == 4 and "already has an administrator" in again.stderr


def test_the_new_records_from_the_command_line(db: str, tmp_path: Path) -> None:
    # (review of issue 16, gap 11): rounds, the protocol's own deadline, a visit's and a
    # judgement's round, a pool's end, operational plans, surveys of every level, and a
    # document kept in a file with its checksum.
    env = {"TEKNIKCOLLEGE_TODAY": "2025-01-20"}
    leader = "p-leader:process_leader"
    ok("--db", db, "person", "pool", "old-committee", "--name", "Förra kommittén",
       "--member", "p-rev1", "--from", "2020-01-01", "--until", "2023-12-31")
    ok("--db", db, "record", "plan", "plan-2025", "--college", "gbg", "--year", "2025",
       "--date", "2025-01-15", env=env)
    ok("--db", db, "record", "survey", "s-vux", "--college", "gbg", "--year", "2024",
       "--companies", "4", "--teachers", "2", "--students", "30", "--index", "71",
       "--level", "provider", "--provider", "vux", "--company-index", "80", env=env)
    plan_file = tmp_path / "självskattning.txt"
    plan_file.write_text("Självskattning 2025", encoding="utf-8")
    ok("--db", db, "record", "interest", "i-1", "--college", "gbg", "--registrant", "vux",
       "--unit", "college:gbg", "--contact", "p-leader", "--approved", env=env)
    ok("--db", db, "case", "open", "certification", "college:gbg", "--actor", leader,
       "--id", "c-1", env=env)
    ok("--db", db, "record", "application", "a-1", "c-1", "--all-documents",
       "--file", f"self_assessment_regional:{plan_file}", "--approved-on", "2025-01-20",
       env=env)
    ok("--db", db, "record", "visit", "v-1", "c-1", "--reviewer", "p-rev1", "--reviewer",
       "p-rev2", "--pool", "review-committee", "--office", "p-office", "--round", "1",
       env=env)
    ok("--db", db, "record", "protocol", "pr-1", "c-1", "--supplement", "plan",
       "--supplements-due", "2025-03-20", "--round", "1", env=env)
    early = invoke("--db", db, "record", "supplement", "s-1", "c-1", "--description", "plan",
                   "--round", "2", env=env)  # no supplements were asked for yet
    assert early.exit_code != 0 and "round 2 of supplements lies beyond case" in early.stderr
    ok("--db", db, "record", "judgement", "j-1", "--rule", "learning-environment",
       "--subject", "gbg", "--outcome", "passed", "--evidence", "seen", "--visit", "v-1",
       "--actor", "p-rev1:reviewer", env=env)
    refused = invoke("--db", db, "record", "judgement", "j-2", "--rule",
                     "learning-environment", "--subject", "gbg", "--outcome", "passed",
                     "--evidence", "seen", "--visit", "v-1", "--round", "2",
                     "--actor", "p-rev1:reviewer", env=env)
    assert refused.exit_code != 0 and "belongs to review round 1" in refused.stderr
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        assert registry.get(tc.ReviewerPool, "old-committee").period.end == date(2023, 12, 31)
        assert registry.get(tc.models.OperationalPlan, "plan-2025").adopted == date(2025, 1, 15)
        survey = registry.get(tc.SatisfactionSurvey, "s-vux")
        assert (survey.level, survey.provider_id, survey.company_index) == (
            tc.ReportLevel.PROVIDER, "vux", 80.0)
        kept = next(d for d in registry.get(tc.Application, "a-1").documents
                    if d.reference is not None)
        assert kept.reference == str(plan_file) and kept.verifies(plan_file.read_bytes())
        protocol = registry.get(tc.Protocol, "pr-1")
        assert (protocol.supplements_due, protocol.round) == (date(2025, 3, 20), 1)
        assert registry.get(tc.ReviewVisit, "v-1").round == 1
        judgement = registry.get(tc.Judgement, "j-1")
        assert (judgement.visit_id, judgement.round) == ("v-1", 1)


def test_the_records_drive_the_steps_from_the_command_line(db: str) -> None:
    # Issue 16's scenarios by hand: a visit held 2024-12-31 and recorded 2025-01-10; a
    # protocol with a two-month supplement deadline; a postponement; a second round.
    office, leader, reviewer = "p-office:national_office", "p-leader:process_leader", "p-rev1"

    def on(day: str, *args: str) -> Result:
        return ok("--db", db, "--today", day, *args)

    on("2024-09-02", "record", "interest", "i-1", "--college", "gbg", "--registrant", "vux",
       "--unit", "college:gbg", "--contact", "p-leader", "--approved")
    on("2024-09-02", "case", "open", "certification", "college:gbg", "--actor", leader,
       "--id", "c-1")
    on("2024-09-02", "case", "fire", "c-1", "approve_interest", "--actor", office)
    on("2024-09-02", "record", "application", "a-1", "c-1", "--all-documents",
       "--approved-on", "2024-09-02")
    on("2024-09-02", "case", "fire", "c-1", "submit_application", "--actor", leader)
    on("2024-09-02", "case", "fire", "c-1", "start_review", "--actor", office)
    on("2025-01-10", "record", "visit", "v-1", "c-1", "--reviewer", "p-rev1", "--reviewer",
       "p-rev2", "--pool", "review-committee", "--office", "p-office", "--date", "2024-12-31")
    on("2025-01-10", "case", "fire", "c-1", "hold_visit", "--actor", reviewer)
    shown = on("2025-01-10", "show", "c-1").stdout
    assert "  protocol_due: 2025-01-31\n" in shown  # a month from the day it was held
    assert "  review visit 'v-1': 2024-12-31, round 1\n" in shown
    on("2025-01-24", "record", "protocol", "p-1", "c-1", "--supplement", "plan", "--date",
       "2025-01-20", "--supplements-due", "2025-03-20")
    on("2025-01-24", "case", "fire", "c-1", "request_supplements", "--actor", reviewer)
    assert "  supplements_due: 2025-03-20\n" in on("2025-01-24", "show", "c-1").stdout
    on("2025-03-10", "case", "fire", "c-1", "grant_postponement", "--actor", office,
       "--param", "new_due=2025-04-30", "--note", "sick leave")
    shown = json.loads(on("2025-03-10", "show", "c-1", "--json").stdout)
    assert shown["deadlines"] == {"supplements_due": "2025-04-30"}
    (postponement,) = [r for r in shown["records"] if r["kind"] == "postponement"]
    assert (postponement["granted"], postponement["new_due"], postponement["reason"]) == (
        "2025-03-10", "2025-04-30", "sick leave")
    on("2025-04-20", "record", "supplement", "s-1", "c-1", "--description", "plan")
    on("2025-04-20", "case", "fire", "c-1", "submit_supplements", "--actor", leader)
    on("2025-05-05", "record", "protocol", "p-2", "c-1", "--supplement", "plan again",
       "--supplements-due", "2025-06-05", "--round", "2")
    on("2025-05-05", "case", "fire", "c-1", "request_supplements", "--actor", reviewer)
    shown = on("2025-05-05", "show", "c-1").stdout
    assert "  supplements_due: 2025-06-05\n" in shown
    assert "  protocol 'p-2': 2025-05-05, round 2, supplements due 2025-06-05\n" in shown
    assert ("  postponement 'c-1-postponement-7': granted 2025-03-10, new deadline 2025-04-30"
            in shown)
    history = on("2025-05-05", "history", "c-1").stdout.splitlines()
    assert history[4].endswith("(p-rev1) held_on=2024-12-31")
    assert history[5].endswith("issued_on=2025-01-20 supplements_due=2025-03-20")
    assert history[6].endswith("(p-office) new_due=2025-04-30  sick leave")
