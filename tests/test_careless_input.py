"""Careless input the review found accepted silently, now refused with its path and a
message in both languages (review of issue 16, gap 10; /tmp/v16work/a7_careless.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

import teknikcollege as tc
from teknikcollege.models import OperationalPlan, YearFigures
from teknikcollege.workflow.core import CERTIFICATION
from teknikcollege.workflow.engine import Workflow

D = tc.Document
S = tc.SatisfactionSurvey
A = tc.AnnualReport
IR = tc.InterestRegistration
LEVEL = tc.ReportLevel
DAY = date(2024, 1, 1)


@pytest.mark.parametrize(
    ("make", "path", "english"),
    [
        (lambda: S("s", "stockholm", 2024, 1, 1, 1, 50.0, level=LEVEL.LOCAL),
         "local_college_id", "a local college's survey names its local college"),
        (lambda: S("s", "stockholm", 2024, 1, 1, 1, 50.0, provider_id="lernia"),
         "provider_id", "only a provider's survey names a provider"),
        (lambda: S("s", "stockholm", 3000), "year", "implausible year 3000"),
        (lambda: A("a", "stockholm", 2024, LEVEL.LOCAL, date(2025, 2, 1)),
         "local_college_id", "a local steering group's report names its local college"),
        (lambda: A("a", "stockholm", 2024, LEVEL.PROVIDER, date(2025, 2, 1)),
         "level", "annual reports are the steering groups' (regional, local, national)"),
        (lambda: A("a", "stockholm", 2024, LEVEL.REGIONAL, date(2023, 1, 1)),
         "submitted", "submitted 2023-01-01, before the year 2024 began"),
        (lambda: OperationalPlan("o", "stockholm", 2024, date(2030, 1, 1)),
         "adopted", "adopted 2030-01-01, after the year 2024 ended"),
        (lambda: D(tc.DocumentKind.OTHER, "T", DAY, sha256="a" * 64),
         "sha256", "a checksum of nothing: give the content or a reference"),
        (lambda: tc.Application("a", "c", DAY, (
            D.of(tc.DocumentKind.OPERATIONAL_PLAN, "P", DAY, "a"),
            D.of(tc.DocumentKind.OPERATIONAL_PLAN, "P", DAY, "b"))),
         "documents[1]",
         "document 'operational_plan v1' is listed twice (give each version its number)"),
        (lambda: tc.Application("a", "c", DAY, (), date(2020, 1, 1)),
         "steering_group_approved_on", "the application is approved before it was prepared"),
        (lambda: tc.Application("a", "c", DAY, (D(tc.DocumentKind.OTHER, "T", date(2025, 1, 1)),)),
         "documents[0].received",
         "received 2025-01-01, after the application was prepared (2024-01-01)"),
        (lambda: tc.Protocol("p", "c", date(2025, 1, 20), (), date(2025, 3, 20)),
         "supplements_due", "a deadline for supplements, but none are requested"),
        (lambda: IR("i", tc.InterestKind.PARTICIPATION, "stockholm", "scania", DAY,
                    programme_ids=("x", "x")),
         "programme_ids[1]", "programme 'x' is listed twice"),
        (lambda: IR("i", tc.InterestKind.PARTICIPATION, "stockholm", "scania", DAY,
                    units=(tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"),)),
         "units", "a participation interest registration names no units"),
        (lambda: IR("i", tc.InterestKind.PARTICIPATION, "stockholm", "scania", DAY,
                    steering_group_approved=True),
         "steering_group_approved",
         "a participation interest registration is not the steering group's"),
        (lambda: IR("i", tc.InterestKind.PARTICIPATION, "stockholm", "scania", DAY,
                    contributions=(tc.ContributionKind.APL_PLACES,
                                   tc.ContributionKind.APL_PLACES)),
         "contributions[1]", "contribution 'apl_places' is listed twice"),
        (lambda: YearFigures(2024, places=20, enrolled=tc.ByGender(5, 5),
                             completed=tc.ByGender(10, 15)),
         "completed", "25 completed, but 10 enrolled"),
    ],
)
def test_careless_input_is_refused(make: Callable[[], object], path: str, english: str) -> None:
    with pytest.raises(tc.InvalidData) as refused:
        make()
    messages = dict(refused.value.errors)
    assert path in messages, refused.value.errors
    assert messages[path].en == english
    assert messages[path].sv != english and messages[path].sv


def test_a_missing_new_due_says_it_is_needed() -> None:
    flow = Workflow(CERTIFICATION)
    case = flow.new_case("c", tc.UnitRef(tc.UnitKind.COLLEGE, "c"), "c", tc.clock.as_datetime(DAY))
    for trigger in ("approve_interest", "submit_application", "start_review", "hold_visit",
                    "request_supplements"):
        flow.apply(case, trigger, tc.clock.as_datetime(DAY))
    with pytest.raises(tc.InvalidData) as refused:
        flow.apply(case, "grant_postponement", tc.clock.as_datetime(date(2024, 2, 1)))
    assert refused.value.errors[0][0] == "params.new_due"
    assert refused.value.errors[0][1].en == "'grant_postponement' needs new_due"
    assert "None" not in refused.value.message("en")
