"""teknikcollege: run the Swedish Teknikcollege model in software.

Typed models of colleges, partners and programmes; the certification workflow as a
plug-in engine; quality criteria as rules; storage and notifications as plug-ins.

Only the errors are imported eagerly; every other name is imported on first use
(PEP 562), so ``import teknikcollege`` stays cheap for scripts and the command line.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._text import (
    Catalog,
    Text,
)
from .errors import (
    CaseExists,
    ConcurrentUpdate,
    InvalidData,
    InvalidDefinition,
    NotFound,
    PermissionDenied,
    PluginError,
    StorageError,
    StorageUnavailable,
    TeknikcollegeError,
    TransitionNotAllowed,
    UnknownCode,
    UnknownTrigger,
    WorkflowError,
)

if TYPE_CHECKING:
    from .clock import (
        Clock,
        FixedClock,
        SystemClock,
        add_months,
    )
    from .codes import (
        County,
        LegalForm,
        Municipality,
        OrganisationNumber,
        counties,
        county,
        municipalities,
        municipality,
        municipality_by_name,
    )
    from .hookspecs import hookimpl
    from .models import (
        BRANCH_AREAS,
        Agreement,
        AgreementKind,
        AnnualReport,
        Application,
        Certification,
        College,
        CollegeKind,
        Contribution,
        ContributionKind,
        Document,
        DocumentKind,
        Funding,
        GroupLevel,
        InterestKind,
        InterestRegistration,
        Judgement,
        LocalCollege,
        Member,
        Organisation,
        OrganisationKind,
        Orientation,
        Outcome,
        Period,
        Person,
        Postponement,
        Programme,
        ProgrammeForm,
        Protocol,
        ProviderKind,
        ReportLevel,
        ReviewVisit,
        Role,
        SatisfactionSurvey,
        Sector,
        SteeringGroup,
        Supplement,
        UnitKind,
        UnitRef,
    )
    from .notify import (
        Notification,
        Notifier,
    )
    from .plugins import (
        PluginInfo,
        PluginManager,
        make_plugin_manager,
    )
    from .registry import (
        Option,
        Registry,
        TickReport,
    )
    from .rules import (
        Assessment,
        Context,
        Finding,
        Rule,
        Status,
        rule,
    )
    from .serialization import (
        SCHEMA,
        Bundle,
        dumps,
        from_data,
        loads,
        to_data,
    )
    from .services.delivery import DeliveryReport
    from .storage.port import StorageBackend
    from .workflow import (
        SYSTEM,
        Actor,
        Case,
        TransitionRecord,
        WorkflowDefinition,
    )

_LAZY: dict[str, str] = {
    "Actor": ".workflow",
    "Agreement": ".models",
    "AgreementKind": ".models",
    "AnnualReport": ".models",
    "Application": ".models",
    "Assessment": ".rules",
    "BRANCH_AREAS": ".models",
    "Bundle": ".serialization",
    "Case": ".workflow",
    "Certification": ".models",
    "Clock": ".clock",
    "College": ".models",
    "CollegeKind": ".models",
    "Context": ".rules",
    "Contribution": ".models",
    "ContributionKind": ".models",
    "County": ".codes",
    "DeliveryReport": ".registry",
    "Document": ".models",
    "DocumentKind": ".models",
    "Finding": ".rules",
    "FixedClock": ".clock",
    "Funding": ".models",
    "GroupLevel": ".models",
    "InterestKind": ".models",
    "InterestRegistration": ".models",
    "Judgement": ".models",
    "LegalForm": ".codes",
    "LocalCollege": ".models",
    "Member": ".models",
    "Municipality": ".codes",
    "Notification": ".notify",
    "Notifier": ".notify",
    "Option": ".registry",
    "Organisation": ".models",
    "OrganisationKind": ".models",
    "OrganisationNumber": ".codes",
    "Orientation": ".models",
    "Outcome": ".models",
    "Period": ".models",
    "Person": ".models",
    "PluginInfo": ".plugins",
    "PluginManager": ".plugins",
    "Postponement": ".models",
    "Programme": ".models",
    "ProgrammeForm": ".models",
    "Protocol": ".models",
    "ProviderKind": ".models",
    "Registry": ".registry",
    "ReportLevel": ".models",
    "ReviewVisit": ".models",
    "Role": ".models",
    "Rule": ".rules",
    "SCHEMA": ".serialization",
    "SYSTEM": ".workflow",
    "SatisfactionSurvey": ".models",
    "Sector": ".models",
    "Status": ".rules",
    "SteeringGroup": ".models",
    "StorageBackend": ".storage.port",
    "Supplement": ".models",
    "SystemClock": ".clock",
    "TickReport": ".registry",
    "TransitionRecord": ".workflow",
    "UnitKind": ".models",
    "UnitRef": ".models",
    "WorkflowDefinition": ".workflow",
    "add_months": ".clock",
    "counties": ".codes",
    "county": ".codes",
    "dumps": ".serialization",
    "from_data": ".serialization",
    "hookimpl": ".hookspecs",
    "loads": ".serialization",
    "make_plugin_manager": ".plugins",
    "municipalities": ".codes",
    "municipality": ".codes",
    "municipality_by_name": ".codes",
    "rule": ".rules",
    "to_data": ".serialization",
}
"""Where each lazily imported public name lives."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# A library logs but never configures logging: silence "no handler" output by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "BRANCH_AREAS",
    "SCHEMA",
    "SYSTEM",
    "Actor",
    "Agreement",
    "AgreementKind",
    "AnnualReport",
    "Application",
    "Assessment",
    "Bundle",
    "Case",
    "CaseExists",
    "Catalog",
    "Certification",
    "Clock",
    "College",
    "CollegeKind",
    "ConcurrentUpdate",
    "Context",
    "Contribution",
    "ContributionKind",
    "County",
    "DeliveryReport",
    "Document",
    "DocumentKind",
    "Finding",
    "FixedClock",
    "Funding",
    "GroupLevel",
    "InterestKind",
    "InterestRegistration",
    "InvalidData",
    "InvalidDefinition",
    "Judgement",
    "LegalForm",
    "LocalCollege",
    "Member",
    "Municipality",
    "NotFound",
    "Notification",
    "Notifier",
    "Option",
    "Organisation",
    "OrganisationKind",
    "OrganisationNumber",
    "Orientation",
    "Outcome",
    "Period",
    "PermissionDenied",
    "Person",
    "PluginError",
    "PluginInfo",
    "PluginManager",
    "Postponement",
    "Programme",
    "ProgrammeForm",
    "Protocol",
    "ProviderKind",
    "Registry",
    "ReportLevel",
    "ReviewVisit",
    "Role",
    "Rule",
    "SatisfactionSurvey",
    "Sector",
    "Status",
    "SteeringGroup",
    "StorageBackend",
    "StorageError",
    "StorageUnavailable",
    "Supplement",
    "SystemClock",
    "TeknikcollegeError",
    "Text",
    "TickReport",
    "TransitionNotAllowed",
    "TransitionRecord",
    "UnitKind",
    "UnitRef",
    "UnknownCode",
    "UnknownTrigger",
    "WorkflowDefinition",
    "WorkflowError",
    "add_months",
    "counties",
    "county",
    "dumps",
    "from_data",
    "hookimpl",
    "loads",
    "make_plugin_manager",
    "municipalities",
    "municipality",
    "municipality_by_name",
    "rule",
    "to_data",
]
