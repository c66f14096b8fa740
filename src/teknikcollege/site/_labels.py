"""Every word the site shows that is not data, in Swedish and English (gettext ids)."""

from __future__ import annotations

from .._text import Language, Text, _, _n


def labels(lang: Language) -> dict[str, str]:
    """The site's fixed texts in `lang`, by the name the templates use."""
    texts: dict[str, Text] = {
        "site_title": _("Teknikcollege: status and history"),
        "overview": _("Overview"),
        "overview_intro": _("Every college and unit in the store, and its status on {today}."),
        "status_on": _("Status on {today}"),
        "unit": _("Unit"),
        "kind": _("Kind"),
        "certified": _("Certified"),
        "valid_until": _("Valid until"),
        "open_cases": _("Open cases"),
        "yes": _("yes"),
        "no": _("no"),
        "none": _("none"),
        "college": _("college"),
        "programme": _("programme"),
        "provider": _("education provider"),
        "orientation": _("orientation"),
        "units_of_college": _("Units of the college"),
        "timeline": _("Timeline"),
        "timeline_intro": _(
            "Certification periods as bars, each case as a thin line from the day it was "
            "opened, its deadlines as diamonds; the red line is today."
        ),
        "period": _("Period {number}"),
        "today": _("today"),
        "cases": _("Cases"),
        "no_cases": _("No cases have been opened for this unit."),
        "workflow": _("Workflow"),
        "current_state": _("Current state"),
        "diagram": _("Workflow diagram (the current state is marked)"),
        "deadlines": _("Deadlines"),
        "deadline": _("Deadline"),
        "due": _("Due"),
        "history": _("History"),
        "step": _("No."),
        "date": _("Date"),
        "event": _("Event"),
        "from_state": _("From"),
        "to_state": _("To"),
        "actor": _("Actor"),
        "note": _("Note"),
        "opened": _("opened"),
        "gap_report": _("Gap report"),
        "criterion": _("Criterion"),
        "status": _("Status"),
        "finding": _("Finding"),
        "no_criteria": _("No criteria apply to this unit."),
        "passed": _("passed"),
        "failed": _("failed"),
        "needs_judgement": _("needs judgement"),
        "flagged": _("flagged"),
        "error": _("rule error"),
        "language": _("Language"),
        "generated": _("Generated on {today} by teknikcollege {version}."),
        "back": _("Back to the overview"),
        "college_of": _("Part of {college}"),
    }
    return {name: text.get(lang) for name, text in texts.items()}


def criteria_passed(passed: int, total: int) -> Text:
    """The gap report's summary line."""
    return _n(
        "{passed} of {n} criterion passed", "{passed} of {n} criteria passed", total, passed=passed
    )
