"""The two core workflows: the college lifecycle and the certification case."""

from __future__ import annotations

from .._text import N_
from ..models import Role
from .case import Case
from .definition import (
    Reminder,
    SetDeadline,
    State,
    TimeRule,
    Transition,
    Validity,
    WorkflowDefinition,
    deferred,
)

PL, CHAIR, OFFICE, REVIEWER, ADMIN, SYSTEM = (
    Role.PROCESS_LEADER,
    Role.CHAIR,
    Role.NATIONAL_OFFICE,
    Role.REVIEWER,
    Role.ADMIN,
    Role.SYSTEM,
)

COLLEGE_LIFECYCLE = WorkflowDefinition(
    name="college-lifecycle",
    version="1",
    title=deferred(N_("College lifecycle")),
    subject_kinds=frozenset({"college"}),
    opened_by=frozenset({PL, OFFICE, ADMIN}),
    states=(
        State("pilot", deferred(N_("Pilot"))),
        # Translators: "college state|" is a context, dropped when shown: a college's
        # state (neuter in Swedish), unlike a certification case's "Certified".
        State("certified", deferred(N_("college state|Certified"))),
        State("ordinary_operation", deferred(N_("Ordinary operation"))),
        State(
            "certification_ended",
            deferred(N_("Certification ended")),
        ),
        # Translators: "college state|" is a context, as above.
        State("decertified", deferred(N_("college state|Decertified")), final=True),
        State("discontinued", deferred(N_("Discontinued")), final=True),
    ),
    initial="pilot",
    transitions=(
        Transition(
            "certify",
            ("pilot",),
            "certified",
            frozenset({OFFICE, ADMIN}),
            deferred(N_("Mark the college certified")),
            guards=("college-certified",),
            notify=(PL, CHAIR),
        ),
        Transition(
            "enter_ordinary_operation",
            ("certified",),
            "ordinary_operation",
            frozenset({PL, OFFICE, ADMIN}),
            deferred(N_("Enter ordinary operation")),
            guards=("college-certified", "pilot-programmes-certified"),
            notify=(PL, CHAIR, OFFICE),
        ),
        Transition(
            "decertify",
            ("certified", "ordinary_operation"),
            "decertified",
            frozenset({OFFICE, ADMIN}),
            deferred(N_("Decertify")),
            notify=(PL, CHAIR),
            needs_reason=True,
        ),
        Transition(
            "discontinue",
            ("pilot", "certified", "ordinary_operation", "certification_ended"),
            "discontinued",
            frozenset({PL, ADMIN}),
            deferred(N_("Discontinue")),
            notify=(OFFICE,),
        ),
        # Fired by the registry itself, in the transaction of the certification case's
        # change (teknikcollege.services.policies): the lifecycle follows the college's
        # certification, with the cause in the note.
        Transition(
            "lose_certification",
            ("certified", "ordinary_operation"),
            "certification_ended",
            frozenset({SYSTEM}),
            deferred(N_("The certification ends")),
            guards=("college-not-certified",),
            notify=(PL, CHAIR, OFFICE),
        ),
        Transition(
            "regain_certification",
            ("certification_ended",),
            "certified",
            frozenset({SYSTEM}),
            deferred(N_("Certified again")),
            guards=("college-certified",),
            notify=(PL, CHAIR),
        ),
    ),
)
"""``pilot → certified → ordinary_operation``, with ``decertified`` and ``discontinued``;
``certification_ended`` while the college's certification has ended (expired or
decertified) until a new one brings it back to ``certified``."""

_REVIEW_STATES = (
    "application_submitted",
    "in_review",
    "visited",
    "protocol_issued",
    "awaiting_supplements",
    "postponed",
    "supplements_received",
)
GRACE_STATES = _REVIEW_STATES
"""States in which a unit whose recertification was handed in stays certified after its
period's last day, until the decision (approval continues the period; rejection, a lapse
or withdrawal end it on that day)."""
_BETWEEN_ROUNDS = frozenset({"certified", "recertification_open", "expired", "decertified"})


def review_round(case: Case) -> int:
    """The review round a certification case is in, or last went through: 1 until its
    first certification; the round after a period's certification begins when the
    recertification is handed in (``submit_application``). A review visit, and the
    judgements made on it, count only in their own round (:attr:`ReviewVisit.round`)."""
    done = len(case.certifications)
    return done if done and case.state in _BETWEEN_ROUNDS else done + 1


_OPEN_STATES = ("interest_registered", "interest_approved", *_REVIEW_STATES, "recertification_open")

CERTIFICATION = WorkflowDefinition(
    name="certification",
    version="1",
    title=deferred(N_("Certification case")),
    subject_kinds=frozenset({"college", "provider", "programme", "orientation"}),
    states=(
        State("interest_registered", deferred(N_("Interest registered"))),
        State("interest_approved", deferred(N_("Interest approved"))),
        State("application_submitted", deferred(N_("Application submitted"))),
        State("in_review", deferred(N_("In review"))),
        State("visited", deferred(N_("Review visit held"))),
        State("protocol_issued", deferred(N_("Protocol issued"))),
        State("awaiting_supplements", deferred(N_("Awaiting supplements"))),
        State("postponed", deferred(N_("Postponement granted"))),
        State("supplements_received", deferred(N_("Supplements received"))),
        State("certified", deferred(N_("Certified"))),
        State("recertification_open", deferred(N_("Recertification open"))),
        State("rejected", deferred(N_("Rejected")), final=True),
        State("withdrawn", deferred(N_("Withdrawn")), final=True),
        State("lapsed", deferred(N_("Supplements lapsed")), final=True),
        State("expired", deferred(N_("Expired")), final=True),
        State("decertified", deferred(N_("Decertified")), final=True),
    ),
    initial="interest_registered",
    transitions=(
        Transition(
            "approve_interest",
            ("interest_registered",),
            "interest_approved",
            frozenset({OFFICE, ADMIN}),
            deferred(N_("Approve the interest registration")),
            guards=("interest-registration-approved",),
            notify=(PL,),
        ),
        Transition(
            "submit_application",
            ("interest_approved", "recertification_open"),
            "application_submitted",
            frozenset({PL, CHAIR, ADMIN}),
            deferred(N_("Submit the application")),
            guards=("application-complete",),
            notify=(OFFICE,),
        ),
        Transition(
            "start_review",
            ("application_submitted",),
            "in_review",
            frozenset({OFFICE, ADMIN}),
            deferred(N_("Start the review")),
        ),
        Transition(
            "hold_visit",
            ("in_review",),
            "visited",
            frozenset({REVIEWER, OFFICE, ADMIN}),
            deferred(N_("Hold the review visit")),
            guards=("review-visit-recorded",),
            sets=(SetDeadline("protocol_due", months=1),),
            event_date="held_on",
            reads="visit",
        ),
        Transition(
            "issue_protocol",
            ("visited",),
            "protocol_issued",
            frozenset({REVIEWER, OFFICE, ADMIN}),
            deferred(N_("Issue the protocol")),
            clears=("protocol_due",),
            notify=(PL, CHAIR),
            event_date="issued_on",
            reads="protocol",
        ),
        Transition(
            "request_supplements",
            ("visited", "supplements_received"),
            "awaiting_supplements",
            frozenset({REVIEWER, OFFICE, ADMIN}),
            deferred(N_("Issue the protocol asking for supplements")),
            clears=("protocol_due",),
            sets=(
                SetDeadline("supplements_due", months=3, param="supplements_due", optional=True),
            ),
            notify=(PL, CHAIR),
            event_date="issued_on",
            reads="protocol",
        ),
        Transition(
            "grant_postponement",
            ("awaiting_supplements", "postponed"),
            "postponed",
            frozenset({OFFICE, ADMIN}),
            deferred(N_("Grant a postponement")),
            sets=(SetDeadline("supplements_due", param="new_due"),),
            notify=(PL, CHAIR),
            event_date="granted_on",
            creates="postponement",
        ),
        Transition(
            "submit_supplements",
            ("awaiting_supplements", "postponed"),
            "supplements_received",
            frozenset({PL, CHAIR, ADMIN}),
            deferred(N_("Submit the supplements")),
            clears=("supplements_due",),
            notify=(OFFICE,),
        ),
        Transition(
            "lapse",
            ("awaiting_supplements", "postponed"),
            "lapsed",
            frozenset({SYSTEM}),
            deferred(N_("Supplements lapsed")),
            clears=("supplements_due",),
            notify=(PL, CHAIR, OFFICE),
        ),
        Transition(
            "approve",
            ("protocol_issued", "supplements_received"),
            "certified",
            frozenset({OFFICE, ADMIN}),
            deferred(N_("Certify")),
            guards=("unit-meets-criteria", "parent-certified"),
            certifies=True,
            notify=(PL, CHAIR),
            event_date="decided_on",
        ),
        Transition(
            "reject",
            ("protocol_issued", "supplements_received"),
            "rejected",
            frozenset({OFFICE, ADMIN}),
            deferred(N_("Reject")),
            notify=(PL, CHAIR),
        ),
        Transition(
            "open_recertification",
            ("certified",),
            "recertification_open",
            frozenset({SYSTEM, PL, OFFICE, ADMIN}),
            deferred(N_("Open recertification")),
            clears=("recertification_opens",),
            notify=(PL, CHAIR),
        ),
        Transition(
            "expire",
            ("certified", "recertification_open", *_REVIEW_STATES),
            "expired",
            frozenset({SYSTEM}),
            deferred(N_("The certification expires")),
            clears=(
                "valid_until",
                "recertification_opens",
                "supplements_due",
                "protocol_due",
                "follow_up_due",
                "reapplication_due",
            ),
            notify=(PL, CHAIR, OFFICE),
        ),
        Transition(
            "decertify",
            ("certified", "recertification_open"),
            "decertified",
            frozenset({OFFICE, ADMIN}),
            deferred(N_("Decertify")),
            clears=("valid_until", "recertification_opens", "follow_up_due", "reapplication_due"),
            notify=(PL, CHAIR),
            needs_reason=True,
        ),
        Transition(
            "withdraw",
            _OPEN_STATES,
            "withdrawn",
            frozenset({PL, ADMIN}),
            deferred(N_("Withdraw")),
            clears=("supplements_due", "protocol_due"),
            notify=(OFFICE,),
        ),
    ),
    time_rules=(
        TimeRule("lapse", "supplements_due", ("awaiting_supplements", "postponed"), 1),
        TimeRule("open_recertification", "recertification_opens", ("certified",)),
        # Expiry ends a period nobody applied to renew; a recertification handed in keeps
        # the unit certified through review, supplements and postponements (GRACE_STATES).
        TimeRule("expire", "valid_until", ("certified", "recertification_open"), 1),
    ),
    reminders=(
        Reminder(
            "protocol_overdue", "protocol_due", ("visited",), (OFFICE,), days_before=1, after=True
        ),
        Reminder(
            "supplements_due",
            "supplements_due",
            ("awaiting_supplements", "postponed"),
            (PL, CHAIR),
            months_before=1,
        ),
        # The yearly follow-up is the college's: what it names is filled in by the sweep
        # (the obligations not yet on record; none, no reminder).
        Reminder(
            "follow_up_due",
            "follow_up_due",
            ("certified", "recertification_open"),
            (PL, CHAIR),
            months_before=1,
            every_months=12,
            until="valid_until",
            subject_kinds=frozenset({"college"}),
        ),
        # The year's operational plan, due 31 January: a month before, so three months
        # before the reports' 31 March (Validity.plan_due, follow_up_due).
        Reminder(
            "operational_plan_due",
            "follow_up_due",
            ("certified", "recertification_open"),
            (PL, CHAIR),
            months_before=3,
            every_months=12,
            until="valid_until",
            subject_kinds=frozenset({"college"}),
        ),
        Reminder(
            "certification_expiring",
            "valid_until",
            ("certified", "recertification_open", *_REVIEW_STATES),
            (PL, CHAIR),
            months_before=3,
        ),
    ),
    validity=Validity(first_months=36, renewal_months=60, recertification_lead_months=6),
)
"""Interest → application → review → visit → protocol → supplements ⇄ postponement
(and further rounds of supplements) → approval (3 years, then 5 at each renewal) →
recertification, expiry, decertification.

Deadlines run from the event: the protocol's month from ``held_on`` (the day the visit
was held), the supplements' three months from ``issued_on`` unless the protocol states
another ``supplements_due``; each is a parameter of its trigger. A registry takes them
from the records (the round's :class:`~teknikcollege.models.ReviewVisit` and
:class:`~teknikcollege.models.Protocol`) when they are left out, else the day of the
step."""

CORE_WORKFLOWS = (COLLEGE_LIFECYCLE, CERTIFICATION)
