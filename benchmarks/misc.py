"""The earlier workloads: assessing a college, JSON of many programmes, import time, and
the Hypothesis strategies, each against its plain counterpart in the same rounds."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import date
from typing import Any

import attrs
import cattrs
from harness import Result, compare

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.models.process import FIRST_CERTIFICATION_DOCUMENTS
from teknikcollege.rules import Context, national_criteria


def _plain_checks(college: tc.College, lookup: Any, today: date, unit: tc.UnitRef) -> list[bool]:
    """The same eight checks, hand-written with no framework: same data, same look-ups
    (the college's cases and their applications too, as the quality criterion reads
    them), judgements honoured, but no messages, no findings, no isolation of failing
    rules."""
    programmes = lookup.find(tc.Programme, college_id=college.id)
    reports = lookup.find(tc.AnnualReport, college_id=college.id)
    surveys = lookup.find(tc.SatisfactionSurvey, college_id=college.id)
    orgs = {p: lookup.get(tc.Organisation, p) for a in college.agreements for p in a.parties}
    valid = [a for a in college.agreements if a.period.contains(today)]
    covered = {m for a in valid if a.kind.value in ("collaboration", "attached")
               for m in a.municipalities}
    letters = [a for a in valid if a.kind.value == "letter_of_intent" and {
        o.kind.value for p in a.parties if (o := orgs[p]) is not None} >= {
            "company", "education_provider"}]
    collab = (len(college.municipalities) >= 3 and covered >= set(college.municipalities)
              and bool(letters))
    groups = college.steering_groups()
    gov = bool(college.steering_group) and all(lc.steering_group for lc in
                                               college.local_colleges)
    for g in groups:
        companies = sum(1 for m in g.members if m.sector.value == "company")
        chair = next((m for m in g.members if m.person_id == g.chair), None)
        gov = gov and companies > len(g.members) // 2 and chair is not None and \
            chair.sector.value == "company"
    gov = gov and bool(college.process_leaders)
    forms = {"upper_secondary", "vocational_adult", "higher_vocational"}
    dims = bool(programmes) and all(p.form.value in forms and p.weeks >= 40 for p in programmes)
    work = bool(programmes) and all(
        sum(c.count for c in p.contributions if c.kind.value == "apl_places") > 0
        and sum(c.count for c in p.contributions if c.kind.value == "supervisors") > 0
        for p in programmes)
    # The quality process: a college with no certification period (none here) shows its
    # first application's documents, else the regional report and survey of last year.
    cases = lookup.find(tc.Case, subject=unit)  # `unit`: the college's, made once
    if any(c.valid_from <= today for case in cases for c in case.certifications):
        raise NotImplementedError("a recertification's yearly follow-up is not written here")
    applications = [a for case in cases for a in lookup.find(tc.Application, case_id=case.id)]
    documents = (max(applications, key=lambda a: (a.prepared, a.id)).document_kinds()
                 if applications else frozenset())
    year = today.year - 1
    regional = tc.ReportLevel.REGIONAL
    quality = not (FIRST_CERTIFICATION_DOCUMENTS - documents) or (
        any(r.year == year and r.level is regional for r in reports)
        and any(s.year == year and s.level is regional for s in surveys))
    judged = [
        any(j.is_valid_on(today) and j.outcome.value == "passed"
            for j in lookup.find(tc.Judgement, rule_id=rule_id, subject_id=college.id))
        for rule_id in ("industry-skills-needs", "learning-environment", "education-within-tc")
    ]
    return [collab, gov, judged[0], dims, judged[1], judged[2], work, quality]


class ListLookup:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def get(self, cls: type[Any], id: str) -> Any:
        return next((i for i in self.items if isinstance(i, cls) and i.id == id), None)

    def find(self, cls: type[Any], **where: object) -> list[Any]:
        return [i for i in self.items if isinstance(i, cls)
                and all(getattr(i, k) == v for k, v in where.items())]


def assess(number: int, rounds: int) -> Result:
    bundle = stockholm_pilot()
    today = date(2023, 6, 1)
    reports = [tc.AnnualReport("ar", "stockholm", 2022, tc.ReportLevel.REGIONAL, today)]
    surveys = [tc.SatisfactionSurvey("s", "stockholm", 2022, 1, 1, 1)]
    lookup = ListLookup([*bundle.entities(), *reports, *surveys])
    rules = national_criteria()
    context = Context(tc.clock.as_datetime(today), lookup, rules)
    college = bundle.colleges[0]
    unit = tc.UnitRef(tc.UnitKind.COLLEGE, college.id)
    return compare(
        "assessing a college against the eight criteria",
        lambda: tc.rules.assess(college, rules, context),
        lambda: _plain_checks(college, lookup, today, unit),
        baseline_name="a plain function, same look-ups",
        goal="≤ 2", number=number, rounds=rounds, section="other",
    )


def json_roundtrip(n_programmes: int, rounds: int) -> Result:
    base = stockholm_pilot().programmes[0]
    programmes = tuple(attrs.evolve(base, id=f"p{i}") for i in range(n_programmes))
    bundle = tc.Bundle(programmes=programmes)
    plain_converter = cattrs.Converter()
    plain_converter.register_unstructure_hook(date, date.isoformat)
    plain_converter.register_structure_hook(date, lambda v, _: date.fromisoformat(v))

    def plain() -> None:
        text = json.dumps(plain_converter.unstructure(programmes), ensure_ascii=False, indent=2,
                          sort_keys=True)
        plain_converter.structure(json.loads(text), tuple[tc.Programme, ...])

    return compare(
        f"JSON export and import of {n_programmes:,} programmes (`dumps`, `loads`)",
        lambda: tc.loads(tc.dumps(bundle)),
        plain,
        baseline_name="plain cattrs + json",
        goal="≤ 1.3", number=1, rounds=rounds, section="other",
    )


def import_time(rounds: int) -> list[Result]:
    """Each round starts a fresh interpreter for nothing, for ``import teknikcollege``,
    for the four dependencies, and for everything; start-up is subtracted from each.
    CPU is the children's user + system time."""

    def run(code: str) -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return cpu, wall

    ours = Result("`import teknikcollege` (interpreter start-up subtracted)",
                  "importing attrs, cattrs, transitions and pluggy", "≤ 1.2", section="other")
    full = Result("`import teknikcollege` and first use of `Registry`, models and hooks",
                  "the same four", "—", section="other",
                  note="no goal: what a full load costs")
    codes = ["pass", "import teknikcollege", "import attrs, cattrs, transitions, pluggy",
             "import teknikcollege as tc; tc.Registry; tc.College; tc.hookimpl"]
    run(codes[1])  # warm the file cache
    for r in range(rounds):
        order = codes if r % 2 == 0 else codes[::-1]
        got = {code: run(code) for code in order}
        empty = got["pass"]
        for result, code in ((ours, codes[1]), (full, codes[3])):
            result.ours_cpu.append(max(got[code][0] - empty[0], 1e-4))
            result.ours_wall.append(max(got[code][1] - empty[1], 1e-4))
            result.base_cpu.append(max(got[codes[2]][0] - empty[0], 1e-4))
            result.base_wall.append(max(got[codes[2]][1] - empty[1], 1e-4))
    return [ours, full]


def strategies(n: int, rounds: int) -> Result:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from teknikcollege.testing import strategies as tst

    def draw(strategy: st.SearchStrategy[Any]) -> Any:
        @settings(max_examples=n, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def run(value: object) -> None:
            pass

        return run

    plain = st.builds(
        tc.College, id=st.just("c"), name=st.just("College"), county_code=st.just("01"),
        municipalities=st.lists(st.sampled_from(["0126", "0181", "0123", "0136", "0180"]),
                                min_size=3, max_size=4, unique=True).map(tuple),
        steering_group=st.builds(tc.SteeringGroup, id=st.just("g"), name=st.just("G"),
                                 level=st.just(tc.GroupLevel.REGIONAL),
                                 members=st.lists(st.builds(
                                     tc.Member, person_id=st.text("abc", min_size=1),
                                     sector=st.sampled_from(list(tc.Sector))), max_size=6,
                                     unique_by=lambda m: m.person_id).map(tuple)),
    )
    return compare(
        f"examples per second of `colleges()` ({n} examples a run)",
        draw(tst.colleges()),
        draw(plain),
        baseline_name="`st.builds` without constraints",
        goal="≥ 0.5", number=1, rounds=rounds, speed=True, section="other",
    )


def all_misc(quick: bool) -> list[Result]:
    r = 5 if quick else 9
    return [
        assess(100 if quick else 500, r),
        json_roundtrip(1000 if quick else 10_000, 3 if quick else 5),
        *import_time(3 if quick else 9),
        strategies(30 if quick else 200, 3 if quick else 5),
    ]
