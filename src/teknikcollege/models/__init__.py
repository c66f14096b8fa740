"""The domain model: attrs classes that validate their invariants at construction.

Imports nothing but attrs, the reference codes and the calendar range of
:mod:`teknikcollege.clock`: no I/O, no plug-ins, no workflow. Every model checks at
construction the type of each field, the syntax of its text (see
:mod:`teknikcollege.models.syntax`) and the range of its dates, then its own invariants,
and reports every problem at once in one :class:`~teknikcollege.InvalidData`.
"""

from .college import (
    Agreement,
    AgreementKind,
    College,
    CollegeKind,
    Funding,
    GroupLevel,
    LocalCollege,
    Member,
    SteeringGroup,
)
from .common import BRANCH_AREAS, Period, Role, Sector
from .organisations import Organisation, OrganisationKind, Person, ProviderKind
from .process import (
    AnnualReport,
    Application,
    Certification,
    Document,
    DocumentKind,
    InterestKind,
    InterestRegistration,
    Judgement,
    Outcome,
    Postponement,
    Protocol,
    ReportLevel,
    ReviewVisit,
    SatisfactionSurvey,
    Supplement,
    UnitKind,
    UnitRef,
)
from .programme import Contribution, ContributionKind, Orientation, Programme, ProgrammeForm

__all__ = [
    "BRANCH_AREAS",
    "Agreement",
    "AgreementKind",
    "AnnualReport",
    "Application",
    "Certification",
    "College",
    "CollegeKind",
    "Contribution",
    "ContributionKind",
    "Document",
    "DocumentKind",
    "Funding",
    "GroupLevel",
    "InterestKind",
    "InterestRegistration",
    "Judgement",
    "LocalCollege",
    "Member",
    "Organisation",
    "OrganisationKind",
    "Orientation",
    "Outcome",
    "Period",
    "Person",
    "Postponement",
    "Programme",
    "ProgrammeForm",
    "Protocol",
    "ProviderKind",
    "ReportLevel",
    "ReviewVisit",
    "Role",
    "SatisfactionSurvey",
    "Sector",
    "SteeringGroup",
    "Supplement",
    "UnitKind",
    "UnitRef",
]
