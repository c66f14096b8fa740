"""The people, bodies and figures around a college from the command line (issue 16):
councils and their members, the region's membership of the national association, a
programme's students per year, the interest forms of companies and providers with their
outcome, and a provider's status per college. Each command stores what it says, and
every bad input is one clear line with a documented exit code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege._cli_partners import _by_gender
from teknikcollege.cli import build_cli
from teknikcollege.models._validation import MAX_INT

CLI = build_cli("en")
CLI_SV = build_cli("sv")
LEADER = "p-leader:process_leader"


def invoke(*args: str, cli: Any = CLI, env: dict[str, str] | None = None) -> Result:
    environ = {"TEKNIKCOLLEGE_LANG": None, "TEKNIKCOLLEGE_STORAGE": None,
               "TEKNIKCOLLEGE_TODAY": "2024-03-01", "TEKNIKCOLLEGE_ACTOR": "admin",
               **(env or {})}
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=environ)


def ok(*args: str, **kwargs: Any) -> Result:
    done = invoke(*args, **kwargs)
    assert done.exit_code == 0, (args, done.stderr)
    return done


@pytest.fixture
def db(tmp_path: Path) -> str:
    """Two colleges (Gävleborg with a local college, Uppsala), a provider working in both,
    a company, the national association, people, and a programme in Gävleborg."""
    path = str(tmp_path / "tc.db")
    steps = [
        ("init", "--admin", "admin", "--name", "Ada Admin"),
        ("organisation", "add", "vux", "--name", "Vux", "--kind", "education_provider",
         "--provider-kind", "municipal_adult_education"),
        ("organisation", "add", "acme", "--name", "Acme AB", "--kind", "company"),
        ("organisation", "add", "region-x", "--name", "Region Gävleborg", "--kind", "region",
         "--county-code", "21"),
        ("organisation", "add", "rts", "--name", "Riksföreningen Teknikcollege Sverige",
         "--kind", "national_body"),
        ("person", "add", "p-leader", "--name", "Kim", "--role", "process_leader"),
        ("person", "add", "p-upp", "--name", "Uma", "--role", "process_leader"),
        ("person", "add", "p-chair", "--name", "Alex", "--role", "chair"),
        ("person", "add", "p-office", "--name", "Riks", "--role", "national_office"),
        ("college", "add", "gbg", "--name", "Teknikcollege Gävleborg", "--county", "21",
         "--municipality", "2180", "--municipality", "2181", "--municipality", "2104",
         "--process-leader", "p-leader"),
        ("college", "local", "gbg", "gs", "--name", "Gävle-Sandviken", "--municipality", "2180",
         "--municipality", "2181", "--provider", "vux"),
        ("college", "add", "upp", "--name", "Teknikcollege Uppsala", "--county", "03",
         "--municipality", "0380", "--process-leader", "p-upp"),
        ("programme", "add", "svets", "--title", "Svetsare", "--form", "vocational_adult",
         "--weeks", "40", "--provider", "vux", "--college", "gbg", "--local-college", "gs"),
        ("programme", "add", "el", "--title", "Elektriker", "--form", "vocational_adult",
         "--weeks", "40", "--provider", "vux", "--college", "upp"),
        ("record", "interest", "ir-gbg", "--college", "gbg", "--registrant", "region-x",
         "--unit", "college:gbg", "--contact", "p-leader", "--approved", "--date",
         "2024-01-15"),
    ]
    for step in steps:
        ok("--db", path, *step)
    return path


def stored(db: str, cls: type[Any], id: str) -> Any:
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        return registry.get(cls, id)


# -- councils ------------------------------------------------------------------------------


def test_councils_and_their_members(db: str) -> None:
    ok("--db", db, "council", "add", "gbg", "branschrad", "--name", "Branschråd teknik",
       "--kind", "branch_council")
    added = json.loads(ok("--db", db, "council", "add", "gbg", "yrkesrad-svets", "--name",
                          "Yrkesråd svets", "--kind", "vocational_council", "--local", "gs",
                          "--programme", "svets", "--json").stdout)
    assert added == {"id": "yrkesrad-svets", "name": "Yrkesråd svets",
                     "kind": "vocational_council", "members": [], "local_college_id": "gs",
                     "programme_ids": ["svets"]}
    joined = ok("--db", db, "council", "member", "gbg", "yrkesrad-svets", "p-chair",
                "--sector", "company", "--organisation", "acme")
    assert joined.stdout == "'p-chair' joined 'yrkesrad-svets'\n"
    ok("--db", db, "council", "member", "gbg", "yrkesrad-svets", "p-leader", "--sector", "region")
    college = stored(db, tc.College, "gbg")
    assert [c.id for c in college.councils] == ["branschrad", "yrkesrad-svets"]
    assert college.councils[1].members == (
        tc.Member("p-chair", tc.Sector.COMPANY, "acme"), tc.Member("p-leader", tc.Sector.REGION))
    assert college.councils[0].kind is tc.CouncilKind.BRANCH_COUNCIL
    shown = ok("--db", db, "college", "show", "gbg").stdout
    assert "  yrkesrad-svets vocational_council (gs): p-chair, p-leader\n" in shown


@pytest.mark.parametrize(("args", "code", "message"), [
    (("council", "member", "gbg", "nope", "p-chair", "--sector", "company"), 3,
     "the college 'gbg' has no council 'nope' (known: c)"),
    (("council", "add", "gbg", "x", "--name", "X", "--kind", "branch_council", "--local",
      "nowhere"), 3, "the college 'gbg' has no local college 'nowhere'"),
    (("council", "add", "nocollege", "x", "--name", "X", "--kind", "branch_council"), 3,
     "college 'nocollege' does not exist"),
    (("council", "add", "gbg", "c", "--name", "X", "--kind", "branch_council"), 1,
     "councils: the college already has a council 'c'"),
    (("council", "add", "gbg", "x", "--name", "X", "--kind", "council_of_elders"), 2,
     "'council_of_elders' is not one of 'branch_council'"),
    (("council", "add", "gbg", "x", "--name", "X", "--kind", "branch_council", "--programme",
      "el"), 1, "programme_ids[0]: programme 'el' belongs to college 'upp'"),
    (("council", "add", "gbg", "x", "--name", "X", "--kind", "branch_council", "--programme",
      "ghost"), 1, "programme_ids[0]: programme 'ghost' does not exist"),
    (("council", "add", "gbg", "x", "--name", "X", "--kind", "branch_council", "--programme",
      "svets,el"), 2, "'svets,el' holds more than one value: repeat --programme for each"),
    (("council", "add", "gbg", "x", "--name", "Råd\nfalsk rad", "--kind", "branch_council"),
     1, "name: "),
    (("council", "add", "gbg", "x\x1b[31m", "--name", "X", "--kind", "branch_council"), 1,
     "id: "),
    (("council", "add", "gbg", "x", "--name", " \u200b ", "--kind", "branch_council"), 1,
     "name: "),
    (("council", "member", "gbg", "c", "ghost", "--sector", "company"), 3,
     "person 'ghost' does not exist"),
    (("council", "member", "gbg", "c", "p-chair", "--sector", "company", "--organisation",
      "ghost"), 1, "organisation_id: organisation 'ghost' does not exist"),
    (("council", "member", "gbg", "c", "p-leader", "--sector", "region"), 1,
     "'p-leader' is already a member of 'c'"),
    (("council", "member", "gbg", "c", "p-chair", "--sector", "wizards"), 2,
     "'wizards' is not one of"),
])
def test_council_errors(db: str, args: tuple[str, ...], code: int, message: str) -> None:
    ok("--db", db, "council", "add", "gbg", "c", "--name", "C", "--kind", "branch_council")
    ok("--db", db, "council", "member", "gbg", "c", "p-leader", "--sector", "region")
    before = stored(db, tc.College, "gbg")
    done = invoke("--db", db, *args)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in lines[0]
    assert stored(db, tc.College, "gbg") == before  # nothing changed
    as_json = json.loads(invoke("--db", db, *args, "--json").stderr)
    assert as_json["code"] == code


# -- the national association --------------------------------------------------------------


def test_membership_of_the_national_association(db: str) -> None:
    # The national office approves the interest registration and records the membership.
    done = ok("--db", db, "college", "membership", "gbg", "rts", "--from", "2024-02-15",
              "--interest", "ir-gbg", "--actor", "p-office")
    assert done.stdout == "member of 'rts' from 2024-02-15\n"
    college = stored(db, tc.College, "gbg")
    assert college.memberships == (tc.Membership("rts", tc.Period(date(2024, 2, 15)), "ir-gbg"),)
    assert college.member_of("rts", date(2024, 2, 15))
    assert not college.member_of("rts", date(2024, 2, 14))
    ended = json.loads(ok("--db", db, "college", "membership", "gbg", "rts", "--end",
                          "2029-12-31", "--json").stdout)
    assert ended["period"] == {"start": "2024-02-15", "end": "2029-12-31"}
    college = stored(db, tc.College, "gbg")
    assert college.member_of("rts", date(2029, 12, 31))
    assert not college.member_of("rts", date(2030, 1, 1))
    # Rejoining after the end is a second membership.
    ok("--db", db, "college", "membership", "gbg", "rts", "--from", "2031-01-01")
    assert len(stored(db, tc.College, "gbg").memberships) == 2
    shown = ok("--db", db, "college", "show", "gbg").stdout
    assert "  rts 2024-02-15 – 2029-12-31\n  rts 2031-01-01 – \n" in shown


def test_the_membership_is_the_national_offices_to_record(db: str) -> None:
    # (#16): the process leader may change their college, but not claim the membership.
    refused = invoke("--db", db, "college", "membership", "gbg", "rts", "--from", "2024-02-15",
                     "--actor", "p-leader")
    assert refused.exit_code == 4
    assert "only the national office or an administrator records a college's membership" in (
        refused.stderr)
    assert stored(db, tc.College, "gbg").memberships == ()
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        college = registry.get(tc.College, "gbg")
        joined = tc.Membership("rts", tc.Period(date(2024, 2, 15)))
        office = tc.Actor.of("p-office")
        # Nor may the office change anything else of the college with it.
        with pytest.raises(tc.PermissionDenied, match="only the national office"):
            registry.save(attrs.evolve(college, name="Renamed", memberships=(joined,)),
                          actor=office)
        registry.save(attrs.evolve(college, memberships=(joined,)), actor=office)
        with pytest.raises(tc.PermissionDenied):
            registry.save(attrs.evolve(registry.get(tc.College, "gbg"), name="Renamed"),
                          actor=office)
        # The process leader still changes the rest of the college.
        registry.save(attrs.evolve(registry.get(tc.College, "gbg"), name="Teknikcollege G"),
                      actor=tc.Actor.of("p-leader"))
        assert registry.get(tc.College, "gbg").memberships == (joined,)


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--from", "2025-01-01"), 1, "memberships[1]: overlaps the membership of 'rts' from "
     "2024-02-15"),
    (("--from", "2023-01-01", "--until", "2024-02-15"), 1, "overlaps the membership"),
    (("--from", "2025-01-01", "--until", "2024-01-01"), 1,
     "ends (2024-01-01) before it starts (2025-01-01)"),
    (("--from", "2025-02-30"), 2, "is not a date"),
    (("--from", "0000-01-01"), 2, ""),
    (("--from", "20250101"), 2, ""),
    (("--from", "2025-01-01T00:30"), 2, ""),
    (("--end", "2025-01-01", "--from", "2025-01-01"), 2,
     "--end ends a membership: give it without --from, --until or --interest"),
    (("--end", "2023-01-01"), 1, "ends (2023-01-01) before it starts (2024-02-15)"),
    (("--interest", "ghost"), 1,
     "interest_registration_id: interest registration 'ghost' does not exist"),
    (("--interest", "ir-acme"), 1, "is a partner's wish to take part"),
    (("--interest", "ir-declined"), 1, "interest registration 'ir-declined' was not approved "
     "(declined)"),
])
def test_membership_errors(db: str, args: tuple[str, ...], code: int, message: str) -> None:
    ok("--db", db, "college", "membership", "gbg", "rts", "--from", "2024-02-15")
    ok("--db", db, "record", "interest", "ir-acme", "--kind", "participation", "--college",
       "gbg", "--registrant", "acme")
    ok("--db", db, "record", "interest", "ir-declined", "--college", "gbg", "--registrant",
       "region-x", "--unit", "college:gbg", "--contact", "p-leader", "--outcome", "declined")
    if "--interest" in args:  # a membership of its own, after the first ended
        ok("--db", db, "college", "membership", "gbg", "rts", "--end", "2024-02-20")
        args = ("--from", "2024-03-01", *args)
    before = stored(db, tc.College, "gbg")
    done = invoke("--db", db, "college", "membership", "gbg", "rts", *args)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert stored(db, tc.College, "gbg") == before


@pytest.mark.parametrize(("args", "code", "message"), [
    (("gbg", "acme"), 1, "association_id: organisation 'acme' is not a national body (it is "
     "company)"),
    (("gbg", "ghost"), 1, "association_id: organisation 'ghost' does not exist"),
    (("nowhere", "rts"), 3, "college 'nowhere' does not exist"),
    (("gbg", "rts", "--end", "2025-01-01"), 1,
     "the college 'gbg' has no open membership of 'rts'"),
    (("gbg", "rts", "--interest", "ir-gbg", "--from", "2024-01-14"), 1,
     "the membership begins before its interest registration (2024-01-15)"),
])
def test_membership_errors_of_a_new_member(
    db: str, args: tuple[str, ...], code: int, message: str
) -> None:
    done = invoke("--db", db, "college", "membership", *args)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


# -- students per programme and year -------------------------------------------------------


def test_a_programmes_figures_per_year(db: str) -> None:
    done = ok("--db", db, "programme", "figures", "svets", "--year", "2025", "--places", "24",
              "--intake", "4:20", "--enrolled", "4:19", "--completed", "3:15",
              "--certificates", "14")
    assert done.stdout == "figures of 'svets' for 2025 recorded\n"
    ok("--db", db, "programme", "figures", "svets", "--year", "2024", "--places", "20",
       "--enrolled", "2:17:1", "--completed", "2:15:1", "--diplomas", "3", "--certificates", "12")
    programme = stored(db, tc.Programme, "svets")
    assert [f.year for f in programme.figures] == [2024, 2025]
    latest = programme.figures_for(2025)
    assert latest == tc.YearFigures(2025, 24, tc.ByGender(4, 20), tc.ByGender(4, 19),
                                    tc.ByGender(3, 15), 0, 14)
    assert latest.enrolled.share_of_women() == pytest.approx(4 / 23)
    assert programme.figures_for(2024).enrolled == tc.ByGender(2, 17, 1)
    again = invoke("--db", db, "programme", "figures", "svets", "--year", "2025")
    assert again.exit_code == 1 and (
        "programme 'svets' has figures for 2025 already: give --replace to correct them"
        in again.stderr)
    ok("--db", db, "programme", "figures", "svets", "--year", "2025", "--places", "25",
       "--replace")
    assert stored(db, tc.Programme, "svets").figures_for(2025) == tc.YearFigures(2025, 25)
    # The criteria read them: the dimensioning criterion names the year's figures.
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        assert registry.get(tc.Programme, "svets").figures_for(2024) is not None


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--places", "-1"), 2, "-1 is not in the range 0<=x<=9007199254740991"),
    (("--places", str(MAX_INT + 1)), 2, "is not in the range"),
    (("--places", "1e3"), 2, "'1e3' is not a valid integer"),
    (("--diplomas", "-5"), 2, "is not in the range"),
    (("--intake", "4"), 2, "'4': write WOMEN:MEN or WOMEN:MEN:UNSPECIFIED"),
    (("--intake", "4:5:6:7"), 2, "write WOMEN:MEN"),
    (("--intake", "-1:2"), 2, "write WOMEN:MEN"),
    (("--intake", " 4:2"), 2, "write WOMEN:MEN"),
    (("--intake", "4:2\n"), 2, "write WOMEN:MEN"),
    (("--intake", "1_0:2"), 2, "write WOMEN:MEN"),
    (("--intake", "\u0664:2"), 2, "write WOMEN:MEN"),  # an Arabic-Indic four
    (("--intake", "4,2"), 2, "write WOMEN:MEN"),
    (("--intake", f"{MAX_INT + 1}:0"), 2, "at most 9007199254740991 each"),
    (("--year", "1989"), 2, "1989 is not in the range 1990<=x<=2200"),
    (("--year", "2201"), 2, "is not in the range"),
    (("--year", "twenty"), 2, "is not a valid integer"),
    (("--enrolled", "1:1", "--completed", "2:1"), 1, "completed: 3 completed, but 2 enrolled"),
    (("--enrolled", "1:1", "--completed", "1:1", "--diplomas", "2", "--certificates", "1"), 1,
     "diplomas: 3 diplomas and certificates, but 2 completed"),
])
def test_figures_errors(db: str, args: tuple[str, ...], code: int, message: str) -> None:
    done = invoke("--db", db, "programme", "figures", "svets", "--year", "2025", *args)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    assert stored(db, tc.Programme, "svets").figures == ()


def test_figures_of_a_programme_that_does_not_exist(db: str) -> None:
    done = invoke("--db", db, "programme", "figures", "ghost", "--year", "2025")
    assert done.exit_code == 3 and "programme 'ghost' does not exist" in done.stderr


@given(st.integers(0, MAX_INT), st.integers(0, MAX_INT), st.none() | st.integers(0, MAX_INT))
def test_a_gender_split_reads_back_what_was_written(women: int, men: int, rest: int | None
                                                     ) -> None:
    spec = f"{women}:{men}" + ("" if rest is None else f":{rest}")
    assert _by_gender(spec, "--intake", "en") == tc.ByGender(women, men, rest or 0)


@given(st.text(st.sampled_from("0123456789:-+_ \n\u0664"), max_size=12) | st.text(max_size=8))
def test_a_gender_split_is_counts_or_a_clear_refusal(spec: str) -> None:
    parts = spec.split(":")
    digits = len(parts) in (2, 3) and all(
        p and len(p) <= 16 and all(c in "0123456789" for c in p) for p in parts)
    try:
        found = _by_gender(spec, "--intake", "en")
    except click.BadParameter as refused:
        assert not digits or any(int(p) > MAX_INT for p in parts)
        assert refused.message.startswith(repr(spec))
    else:
        assert digits
        counts = [int(p) for p in parts] + [0] * (3 - len(parts))
        assert [found.women, found.men, found.unspecified] == counts


# -- the interest forms of companies and providers -----------------------------------------


def test_a_companys_interest_form_and_its_outcome(db: str) -> None:
    day = {"TEKNIKCOLLEGE_TODAY": "2024-01-20"}
    ok("--db", db, "record", "interest", "ir-acme", "--kind", "participation", "--college",
       "gbg", "--registrant", "acme", "--branch-area", "industry", "--contribution",
       "apl_places", "--contribution", "summer_jobs", "--programme", "svets", env=day)
    form = stored(db, tc.InterestRegistration, "ir-acme")
    assert (form.kind, form.registered, form.branch_areas, form.contributions,
            form.programme_ids, form.outcome) == (
        tc.InterestKind.PARTICIPATION, date(2024, 1, 20), ("industry",),
        (tc.ContributionKind.APL_PLACES, tc.ContributionKind.SUMMER_JOBS), ("svets",), None)
    early = invoke("--db", db, "record", "interest-outcome", "ir-acme", "--outcome", "approved",
                   "--date", "2024-01-19")
    assert early.exit_code == 1 and "decided: the decision lies before the registration" in (
        early.stderr)
    done = ok("--db", db, "record", "interest-outcome", "ir-acme", "--outcome", "approved",
              "--date", "2024-01-30")
    assert done.stdout == "interest registration 'ir-acme': approved on 2024-01-30\n"
    decided = stored(db, tc.InterestRegistration, "ir-acme")
    assert (decided.outcome, decided.decided) == (tc.InterestOutcome.APPROVED, date(2024, 1, 30))
    twice = invoke("--db", db, "record", "interest-outcome", "ir-acme", "--outcome", "declined")
    assert twice.exit_code == 1 and (
        "interest registration 'ir-acme' was decided already: approved on 2024-01-30"
        in twice.stderr)
    # A form decided at once: the decision defaults to the record's day.
    ok("--db", db, "record", "interest", "ir-vux", "--kind", "participation", "--college", "gbg",
       "--registrant", "vux", "--contribution", "supervisors", "--outcome", "withdrawn",
       "--date", "2024-02-01")
    withdrawn = stored(db, tc.InterestRegistration, "ir-vux")
    assert (withdrawn.outcome, withdrawn.decided) == (tc.InterestOutcome.WITHDRAWN,
                                                      date(2024, 2, 1))
    sv = ok("--db", db, "--lang", "sv", "record", "interest-outcome", "ir-gbg", "--outcome",
            "approved", cli=CLI_SV)
    assert "ir-gbg" in sv.stdout and "approved on" not in sv.stdout


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--registrant", "ghost"), 1, "registrant_id: organisation 'ghost' does not exist"),
    (("--registrant", "acme", "--programme", "ghost"), 1,
     "programme_ids[0]: programme 'ghost' does not exist"),
    (("--registrant", "acme", "--contact", "ghost"), 1,
     "contact_person_id: person 'ghost' does not exist"),
    (("--registrant", "acme", "--contribution", "gifts"), 2, "'gifts' is not one of"),
    (("--registrant", "acme", "--contribution", "apl_places", "--contribution", "apl_places"),
     1, "contribution 'apl_places' is listed twice"),
    (("--registrant", "acme", "--branch-area", "Industry Now"), 1, "branch_areas[0]: "),
    (("--registrant", "acme", "--decided", "2024-03-01"), 2, "a decision day needs --outcome"),
    (("--registrant", "acme", "--outcome", "maybe"), 2, "'maybe' is not one of"),
    (("--registrant", "acme", "--outcome", "approved", "--decided", "2024-02-29",
      "--date", "2024-03-01"), 1, "the decision lies before the registration"),
    (("--registrant", "acme", "--unit", "college:gbg"), 1,
     "a participation interest registration names no units"),
    (("--registrant", "acme", "--college", "nowhere"), 3, "college 'nowhere' does not exist"),
])
def test_interest_form_errors(db: str, args: tuple[str, ...], code: int, message: str) -> None:
    college = () if "--college" in args else ("--college", "gbg")
    done = invoke("--db", db, "record", "interest", "ir-x", "--kind", "participation",
                  *college, *args)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        assert not registry.find(tc.InterestRegistration, kind=tc.InterestKind.PARTICIPATION)


def test_the_outcome_of_a_registration_that_does_not_exist(db: str) -> None:
    done = invoke("--db", db, "record", "interest-outcome", "ghost", "--outcome", "approved")
    assert done.exit_code == 3 and "interest registration 'ghost' does not exist" in done.stderr


# -- a provider's status per college --------------------------------------------------------


def test_a_providers_status_names_its_college(db: str) -> None:
    # vux has a case in Gävleborg and one in Uppsala: "is it certified?" needs a region.
    ok("--db", db, "case", "open", "certification", "provider:vux", "--college", "gbg",
       "--actor", LEADER, "--id", "vux-gbg")
    alone = json.loads(ok("--db", db, "status", "provider:vux", "--json").stdout)
    assert [o["case_id"] for o in alone["open_cases"]] == ["vux-gbg"]
    ok("--db", db, "case", "open", "certification", "provider:vux", "--college", "upp",
       "--actor", "p-upp:process_leader", "--id", "vux-upp")
    mixed = invoke("--db", db, "status", "provider:vux")
    assert mixed.exit_code == 2
    assert mixed.stderr == ("error: provider:vux has cases in more than one college (gbg, upp): "
                            "give --college (see 'teknikcollege status --help')\n")
    as_json = json.loads(invoke("--db", db, "status", "provider:vux", "--json").stderr)
    assert (as_json["code"], as_json["error"]) == (2, "UsageError")
    in_upp = json.loads(ok("--db", db, "status", "provider:vux", "--college", "upp",
                           "--json").stdout)
    assert [o["case_id"] for o in in_upp["open_cases"]] == ["vux-upp"]
    assert in_upp["certified"] is False
    shown = ok("--db", db, "status", "provider:vux", "--college", "gbg").stdout
    assert "open: vux-gbg (certification) in interest_registered" in shown
    assert "vux-upp" not in shown
    # On a day before either case there is nothing to mix.
    before = json.loads(ok("--db", db, "status", "provider:vux", "--on", "2024-01-01",
                           "--json").stdout)
    assert before["open_cases"] == [] and before["certified"] is False
    sv = invoke("--db", db, "--lang", "sv", "status", "provider:vux", cli=CLI_SV)
    assert sv.exit_code == 2 and sv.stderr.startswith("fel: provider:vux har ärenden i fler")
    # Its assessment too is per college: its judgements count where they were made.
    mixed = invoke("--db", db, "assess", "provider:vux")
    assert mixed.exit_code == 2
    assert "provider:vux has cases in more than one college (gbg, upp): give --college" in (
        mixed.stderr
    )
    for college in ("gbg", "upp"):
        done = invoke("--db", db, "assess", "provider:vux", "--college", college, "--json")
        assert done.exit_code in (0, 6), done.stderr
        found = json.loads(done.stdout)
        assert found["subject"] == "provider vux"
        assert "provider-quality-work" in {f["rule_id"] for f in found["findings"]}


@pytest.mark.parametrize(("args", "code", "message"), [
    (("college:gbg", "--college", "gbg"), 2, "only a provider is asked about per college"),
    (("provider:vux", "--college", "nowhere"), 3, "college 'nowhere' does not exist"),
])
def test_assess_errors(db: str, args: tuple[str, ...], code: int, message: str) -> None:
    done = invoke("--db", db, "assess", *args)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


@pytest.mark.parametrize(("args", "code", "message"), [
    (("college:gbg", "--college", "gbg"), 2, "only a provider is asked about per college"),
    (("provider:vux", "--college", "nowhere"), 3, "college 'nowhere' does not exist"),
    (("provider:vux", "--college", "gbg", "--on", "2024-02-30"), 2, "is not a date"),
])
def test_status_errors(db: str, args: tuple[str, ...], code: int, message: str) -> None:
    done = invoke("--db", db, "status", *args)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr
