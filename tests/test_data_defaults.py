"""``docs/data.md`` lists every domain default with its value and its source (issue 16,
"It must show"): each field of the configuration classes and each default constant is
named in a row of the table, the row states the code's value, and every row names a
public source or says "assumption"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs
import pytest

import teknikcollege_stockholm
import teknikcollege_vo_college
from teknikcollege.models import AwardRule, FollowUpConfig, followup, process
from teknikcollege.rules.criteria.teknikcollege import CriteriaConfig
from teknikcollege.workflow import Validity, guards

DATA = Path(__file__).resolve().parents[1] / "docs" / "data.md"
SOURCES = ("handbook", "**assumption**", "pages", "domain notes", "Region Stockholm",
           "issue 16")
WORDS = {2: "two", 3: "three"}


def rows() -> list[list[str]]:
    table = DATA.read_text().split("## Domain defaults and their sources", 1)[1]
    found = [[c.strip() for c in line.strip().strip("|").split("|")]
             for line in table.splitlines() if line.startswith("| ")]
    return found[2:]  # without the heading and its rule


CONFIGURED: list[tuple[str, Any]] = [
    *((f"{cls.__name__}.{f.name}", f.default) for cls in (CriteriaConfig, Validity, AwardRule,
                                                            FollowUpConfig)
      for f in attrs.fields(cls)),
    ("JUDGEMENT_VALIDITY_MONTHS", process.JUDGEMENT_VALIDITY_MONTHS),
    ("REVIEWERS_PER_VISIT", guards.REVIEWERS_PER_VISIT),
    ("PLAN_DUE", followup.PLAN_DUE),
    ("REPORTS_DUE", followup.REPORTS_DUE),
    ("PILOT_YEARS", teknikcollege_stockholm.PILOT_YEARS),
    ("REAPPLICATION_DUE_MONTHS", teknikcollege_vo_college.REAPPLICATION_DUE_MONTHS),
    ("RECERTIFICATION_LEAD_MONTHS", teknikcollege_vo_college.RECERTIFICATION_LEAD_MONTHS),
    ("MIN_MUNICIPALITIES", teknikcollege_vo_college.MIN_MUNICIPALITIES),
]


def test_every_row_names_its_source_or_says_assumption() -> None:
    found = rows()
    assert len(found) > 40
    for row in found:
        assert len(row) == 4, row
        assert any(source in row[3] for source in SOURCES), row


@pytest.mark.parametrize(("name", "value"), CONFIGURED, ids=[n for n, _v in CONFIGURED])
def test_every_default_is_listed_with_its_value(name: str, value: Any) -> None:
    named = [row for row in rows() if re.search(rf"`[\w.]*\b{re.escape(name)}\b", row[2])]
    assert named, f"{name} is not in the table of docs/data.md"
    if isinstance(value, int) and not isinstance(value, bool):
        said = [re.sub(r"(\d) (\d)", r"\1\2", " ".join(row[:2])) for row in named]
        assert any(re.search(rf"\b({value}|{WORDS.get(value, value)})\b", text)
                   for text in said), (name, value, named)
