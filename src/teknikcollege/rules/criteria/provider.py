"""Criteria for education providers and for how programmes are run (rule set
``teknikcollege-units``).

A provider is certified within a certified region: the handbook asks that it works in a
local college, is bound to companies by letters of intent, runs programmes of a
certifiable form there, and works on quality with the steering group. What data can
settle is checked; the provider's quality work is a reviewer's judgement. The exact list
is not published as checkable items: these are the national criteria read for one
provider (see ``docs/rules.md``), an assumption kept configurable through
:class:`~teknikcollege.rules.CriteriaConfig`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._text import N_, Text, _, _n
from ...models import (
    AgreementKind,
    College,
    Organisation,
    OrganisationKind,
    Programme,
    Provider,
)
from ..base import Context, FunctionRule
from .teknikcollege import CriteriaConfig, Result, build_criteria, judgement_needed, local_today

RULE_SET = "teknikcollege-units"


def _college(subject: Provider | Programme, context: Context) -> College | None:
    return context.lookup.get(College, subject.college_id)


def _programmes_of(provider: Provider, context: Context) -> list[Programme]:
    return sorted(
        (
            p
            for p in context.lookup.find(Programme, college_id=provider.college_id)
            if provider.id in p.providers()
        ),
        key=lambda p: p.id,
    )


def provider_local_college(cfg: CriteriaConfig) -> Callable[[Provider, Context], Result]:
    def check(provider: Provider, context: Context) -> Result:
        college = _college(provider, context)
        if college is None:
            return False, _("college {id!r} does not exist", id=provider.college_id), {}
        locals_ = [lc.id for lc in college.local_colleges if provider.id in lc.provider_ids]
        if not locals_:
            return (
                False,
                _(
                    "{name} works in no local college of {college}",
                    name=provider.organisation.name,
                    college=college.name,
                ),
                {},
            )
        return (
            True,
            _(
                "{name} works in {locals}",
                name=provider.organisation.name,
                locals=", ".join(locals_),
            ),
            {"local_colleges": locals_},
        )

    return check


def provider_letters_of_intent(cfg: CriteriaConfig) -> Callable[[Provider, Context], Result]:
    def check(provider: Provider, context: Context) -> Result:
        college = _college(provider, context)
        today = local_today(context)
        letters = [
            a
            for a in (college.agreements if college else ())
            if a.kind is AgreementKind.LETTER_OF_INTENT
            and a.period.contains(today)
            and provider.id in a.parties
            and any(
                (org := context.lookup.get(Organisation, p)) is not None
                and org.kind is OrganisationKind.COMPANY
                for p in a.parties
            )
        ]
        if not letters:
            return False, _("no valid letter of intent binds the provider to a company"), {}
        return (
            True,
            _n("{n} letter of intent", "{n} letters of intent", len(letters)),
            {"letters_of_intent": len(letters)},
        )

    return check


def provider_programmes(cfg: CriteriaConfig) -> Callable[[Provider, Context], Result]:
    def check(provider: Provider, context: Context) -> Result:
        programmes = _programmes_of(provider, context)
        certifiable = [p for p in programmes if p.form in cfg.certifiable_forms]
        data = {"programmes": len(programmes), "certifiable": len(certifiable)}
        if not certifiable:
            return False, _("the provider runs no programme of a certifiable form here"), data
        return (
            True,
            _n(
                "runs {n} programme of a certifiable form",
                "runs {n} programmes of a certifiable form",
                len(certifiable),
            ),
            data,
        )

    return check


def programme_providers(cfg: CriteriaConfig) -> Callable[[Programme, Context], Result]:
    def check(programme: Programme, context: Context) -> Result:
        college = _college(programme, context)
        gaps: list[Text] = []
        for provider_id in programme.providers():
            org = context.lookup.get(Organisation, provider_id)
            if org is None or org.kind is not OrganisationKind.EDUCATION_PROVIDER:
                gaps.append(_("{id!r} is not an education provider", id=provider_id))
        local = None
        if programme.local_college_id is None:
            gaps.append(_("{title} belongs to no local college", title=programme.title))
        elif college is not None:
            local = college.local_college(programme.local_college_id)
            if local is None:
                gaps.append(
                    _("{id!r} is not a local college of the college", id=programme.local_college_id)
                )
        if local is not None:
            for provider_id in programme.providers():
                if provider_id not in local.provider_ids:
                    gaps.append(
                        _("{id!r} does not work in {local}", id=provider_id, local=local.name)
                    )
        data = {
            "providers": list(programme.providers()),
            "local_college": programme.local_college_id,
        }
        if gaps:
            return False, Text.join(gaps), data
        assert local is not None
        return (
            True,
            _n(
                "run by {n} provider of {local}",
                "run by {n} providers of {local}",
                len(programme.providers()),
                local=local.name,
            ),
            data,
        )

    return check


_CRITERIA: tuple[tuple[str, str, str, frozenset[str], Any], ...] = (
    (
        "provider-local-college",
        N_("Provider in a local college"),
        N_("The provider works in a local college of the region."),
        frozenset({"provider"}),
        provider_local_college,
    ),
    (
        "provider-letters-of-intent",
        N_("Provider's letters of intent"),
        N_("A valid letter of intent binds the provider to at least one company."),
        frozenset({"provider"}),
        provider_letters_of_intent,
    ),
    (
        "provider-programmes",
        N_("Provider's programmes"),
        N_("The provider runs at least one programme of a certifiable form in the region."),
        frozenset({"provider"}),
        provider_programmes,
    ),
    (
        "provider-quality-work",
        N_("Provider's quality work"),
        N_("The provider's self-assessment and quality work with the steering group."),
        frozenset({"provider"}),
        lambda cfg: judgement_needed(N_("the provider's quality work")),
    ),
    (
        "programme-providers",
        N_("Programme's providers and local college"),
        N_("The programme belongs to a local college whose providers run it."),
        frozenset({"programme"}),
        programme_providers,
    ),
)

CRITERION_IDS: tuple[str, ...] = tuple(c[0] for c in _CRITERIA)
"""The stable ids of the provider and programme-unit criteria."""


def unit_criteria(config: CriteriaConfig | None = None) -> tuple[FunctionRule, ...]:
    """The criteria of providers and of how programmes are run, checked against `config`."""
    return build_criteria(_CRITERIA, RULE_SET, config or CriteriaConfig(), first_priority=110)
