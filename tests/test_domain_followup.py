"""The yearly follow-up as data and as due obligations with reminders; one period
compared with the one before (issue 16)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import attrs
import pytest
import walks
from hypothesis import given
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.models import (
    ByGender,
    FollowUpConfig,
    ObligationKind,
    OperationalPlan,
    ReportLevel,
    YearFigures,
    compare_periods,
    compile_surveys,
    due_obligations,
    obligations,
)
from teknikcollege.notify.messages import render
from teknikcollege.testing.strategies import EntityLookup
from teknikcollege.workflow.core import CERTIFICATION
from teknikcollege.workflow.engine import Workflow

COLLEGE = stockholm_pilot().colleges[0]


def lookup(*entities: object) -> EntityLookup:
    return EntityLookup([*stockholm_pilot().entities(), *entities])


def test_a_year_asks_a_plan_reports_per_steering_group_surveys_per_provider() -> None:
    found = obligations(COLLEGE, 2023, lookup())
    assert [(o.kind.value, o.unit, o.due) for o in found] == [
        ("operational_plan", "stockholm", date(2023, 1, 31)),
        ("regional_report", "stockholm", date(2024, 3, 31)),
        ("local_report", "sodertorn", date(2024, 3, 31)),
        ("local_report", "jarfalla", date(2024, 3, 31)),
        ("provider_survey", "lernia", date(2024, 3, 31)),
        ("provider_survey", "mtk", date(2024, 3, 31)),
        ("regional_survey", "stockholm", date(2024, 3, 31)),
        ("national_report", "stockholm", date(2024, 3, 31)),
    ]
    assert not any(o.met for o in found)
    assert found[0].text().sv == "verksamhetsplan 2023 (stockholm), senast 2023-01-31"


def test_what_is_on_record_is_met_and_the_rest_is_due() -> None:
    records = (
        OperationalPlan("plan-2023", "stockholm", 2023, date(2023, 1, 20)),
        tc.AnnualReport("ar-2023", "stockholm", 2023, ReportLevel.REGIONAL, date(2024, 2, 1)),
        tc.AnnualReport(
            "ar-2023-s",
            "stockholm",
            2023,
            ReportLevel.LOCAL,
            date(2024, 2, 1),
            local_college_id="sodertorn",
        ),
        tc.SatisfactionSurvey(
            "s-lernia",
            "stockholm",
            2023,
            8,
            4,
            60,
            80.0,
            level=ReportLevel.PROVIDER,
            provider_id="lernia",
        ),
    )
    period = tc.Period(date(2023, 2, 15), date(2026, 2, 14))
    due = due_obligations(COLLEGE, [period], date(2024, 4, 1), lookup(*records))
    assert [(o.kind, o.year, o.unit) for o in due] == [
        (ObligationKind.OPERATIONAL_PLAN, 2024, "stockholm"),
        (ObligationKind.LOCAL_REPORT, 2023, "jarfalla"),
        (ObligationKind.PROVIDER_SURVEY, 2023, "mtk"),
        (ObligationKind.REGIONAL_SURVEY, 2023, "stockholm"),
        (ObligationKind.NATIONAL_REPORT, 2023, "stockholm"),
    ]
    assert all(not o.met for o in due)


def test_surveys_are_compiled_upwards_weighted_by_respondents() -> None:
    lernia = tc.SatisfactionSurvey(
        "s-l",
        "stockholm",
        2024,
        10,
        0,
        30,
        80.0,
        level=ReportLevel.PROVIDER,
        provider_id="lernia",
        company_index=90.0,
        student_index=70.0,
    )
    mtk = tc.SatisfactionSurvey(
        "s-m",
        "stockholm",
        2024,
        30,
        0,
        10,
        60.0,
        level=ReportLevel.PROVIDER,
        provider_id="mtk",
        company_index=70.0,
        student_index=90.0,
    )
    local = compile_surveys(
        "s-sodertorn", [lernia, mtk], ReportLevel.LOCAL, local_college_id="sodertorn"
    )
    assert (local.companies, local.students, local.index) == (40, 40, 70.0)
    assert local.company_index == 75.0  # (10 × 90 + 30 × 70) / 40
    assert local.student_index == 75.0  # (30 × 70 + 10 × 90) / 40
    region = compile_surveys("s-region", [local], ReportLevel.REGIONAL)
    assert region.index == 70.0 and region.level is ReportLevel.REGIONAL


@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(1, 50), st.floats(0, 100, allow_nan=False)),
        min_size=1,
        max_size=6,
    )
)
def test_a_compiled_index_lies_between_its_parts(parts: list[tuple[int, int, float]]) -> None:
    surveys = [
        tc.SatisfactionSurvey(
            f"s{i}",
            "stockholm",
            2024,
            c,
            0,
            s,
            idx,
            level=ReportLevel.PROVIDER,
            provider_id=f"p{i}",
        )
        for i, (c, s, idx) in enumerate(parts)
    ]
    compiled = compile_surveys("all", surveys, ReportLevel.REGIONAL)
    assert compiled.index is not None
    assert min(p[2] for p in parts) - 0.05 <= compiled.index <= max(p[2] for p in parts) + 0.05
    assert compiled.respondents == sum(s.respondents for s in surveys)


def test_a_period_is_compared_with_the_one_before() -> None:
    first, second = (
        tc.Period(date(2023, 2, 15), date(2026, 2, 14)),
        tc.Period(date(2026, 2, 15), date(2031, 2, 14)),
    )
    surveys = [
        tc.SatisfactionSurvey(f"s-{y}", "stockholm", y, 10, 5, 50, idx)
        for y, idx in ((2023, 72.0), (2024, 74.0), (2025, 76.0), (2026, 79.0), (2027, 81.0))
    ]
    programme = tc.Programme(
        "cnc",
        "CNC",
        tc.ProgrammeForm.VOCATIONAL_ADULT,
        42,
        "mtk",
        "stockholm",
        figures=(
            YearFigures(2024, 20, completed=ByGender(3, 12)),
            YearFigures(2027, 24, completed=ByGender(7, 13)),
        ),
    )
    comparison = compare_periods(COLLEGE, first, second, EntityLookup([*surveys, programme]))
    assert (comparison.previous_index, comparison.current_index) == (74.0, 80.0)
    assert (comparison.previous_completed, comparison.current_completed) == (15, 20)
    assert comparison.risen is True


def test_the_yearly_follow_up_is_reminded_of_every_year_of_the_period() -> None:
    flow = Workflow(CERTIFICATION)
    case = flow.new_case(
        "c",
        tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"),
        "stockholm",
        datetime(2023, 1, 1, tzinfo=timezone.utc),
    )
    for trigger in (
        "approve_interest",
        "submit_application",
        "start_review",
        "hold_visit",
        "issue_protocol",
        "approve",
    ):
        flow.apply(case, trigger, datetime(2023, 2, 15, 12, tzinfo=timezone.utc))
    assert case.deadlines["follow_up_due"] == date(2024, 3, 31)
    sent = []
    for year in (2024, 2025, 2026):
        due = flow.due_reminders(case, datetime(year, 3, 1, 12, tzinfo=timezone.utc))
        names = [key for reminder, key in due if reminder.name == "follow_up_due"]
        sent += names
        case.reminders_sent.extend(key for _, key in due)
    # Reminded a month before 31 March 2024 and 2025; the 2026 one lies after the
    # period's end (2026-02-14), when recertification takes over.
    assert sent == ["follow_up_due:2024-03-31", "follow_up_due:2025-03-31"]


def test_figures_need_awards_within_the_completed() -> None:
    with pytest.raises(tc.InvalidData, match="diplomas"):
        YearFigures(2024, 20, completed=ByGender(2, 2), diplomas=3, certificates=2)


# --- reminders for what is due (review of issue 16, gap 6) --------------------------------


def _reminders(registry: tc.Registry) -> list[tuple[str, str, str, str]]:
    return sorted(
        (n.template, n.subject, n.data["due"], n.data.get("items", ""))
        for n, *_ in registry.outbox()
        if n.kind == "reminder" and n.template in ("follow_up_due", "operational_plan_due")
    )


def test_the_follow_up_reminders_are_the_colleges_and_name_what_is_missing() -> None:
    registry, clock = walks.stockholm(date(2024, 10, 1))
    cases = walks.certify_tree(registry, clock, date(2024, 10, 1))
    for case in cases.values():
        registry.fire(case, "approve", actor=walks.OFFICE)
    assert registry.case(cases[walks.PROGRAMMES[0]]).deadlines["follow_up_due"] == date(
        2025, 3, 31)
    clock.set(date(2025, 3, 1))
    registry.tick()
    found = _reminders(registry)
    # Only the college is reminded (no programme or provider: the review's demo outbox
    # had follow_up_due for programme:industriteknik-bas and programme:cnc-operator).
    assert [(t, s, d) for t, s, d, _items in found] == [
        ("follow_up_due", "college:stockholm", "2025-03-31"),
        ("operational_plan_due", "college:stockholm", "2025-01-31"),
    ]
    assert found[1][3] == "operational plan 2025 (stockholm), due 2025-01-31"
    assert found[0][3].split("; ") == [
        "operational plan 2025 (stockholm), due 2025-01-31",
        "annual report of the regional steering group 2024 (stockholm), due 2025-03-31",
        "annual report of the local steering group 2024 (sodertorn), due 2025-03-31",
        "annual report of the local steering group 2024 (jarfalla), due 2025-03-31",
        "satisfaction survey of the provider 2024 (lernia), due 2025-03-31",
        "satisfaction survey of the provider 2024 (mtk), due 2025-03-31",
        "compiled satisfaction survey of the region 2024 (stockholm), due 2025-03-31",
        "national reporting to the national office 2024 (stockholm), due 2025-03-31",
    ]
    assert registry.follow_up("stockholm", on=date(2025, 3, 31))[0].due == date(2025, 1, 31)
    (mail,) = [n for n, *_ in registry.outbox() if n.template == "operational_plan_due"]
    subject, body = render(mail, "sv")
    assert subject == "Verksamhetsplan ska lämnas: college:stockholm"
    assert "verksamhetsplan 2025 (stockholm), senast 2025-01-31" in body
    # Everything of 2025 on record before its reminders: none is sent.
    walks.file_follow_up(registry, 2024)
    clock.set(date(2026, 2, 1))
    walks.file_follow_up(registry, 2025)
    clock.set(date(2026, 3, 15))
    registry.tick()
    assert len(_reminders(registry)) == 2
    assert registry.follow_up("stockholm") == ()


def test_the_follow_up_dates_live_in_one_place() -> None:
    validity = CERTIFICATION.validity
    config = FollowUpConfig.of(validity)
    assert (config.plan_due, config.reports_due) == (validity.plan_due, validity.follow_up_due)
    assert config == FollowUpConfig()
    moved = FollowUpConfig.of(attrs.evolve(validity, follow_up_due=(4, 30), plan_due=(2, 28)))
    assert obligations(COLLEGE, 2024, lookup(), moved)[0].due == date(2024, 2, 28)
    assert obligations(COLLEGE, 2024, lookup(), moved)[1].due == date(2025, 4, 30)
