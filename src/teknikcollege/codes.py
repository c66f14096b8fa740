"""Swedish reference codes: municipalities, counties and organisation numbers.

The 290 municipalities and 21 counties come from ``data/kommuner.csv`` (Statistics
Sweden's codes, from the public CC0 data set ``sjbrg/swedish-geodata``, cross-checked
against a second public list). The file is read once, on first use.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from enum import Enum
from importlib.resources import files

import attrs

from ._text import Text, _
from .errors import InvalidData, UnknownCode


@attrs.frozen
class County:
    """A Swedish county (län): two-digit code and name."""

    code: str
    name: str


@attrs.frozen
class Municipality:
    """A Swedish municipality (kommun): four-digit code, name, and its county."""

    code: str
    name: str
    county: County


@attrs.frozen
class _Reference:
    municipalities: dict[str, Municipality]
    counties: dict[str, County]
    by_name: dict[str, Municipality]


@functools.cache
def _reference() -> _Reference:
    raw = files("teknikcollege").joinpath("data/kommuner.csv").read_text(encoding="utf-8")
    counties: dict[str, County] = {}
    municipalities: dict[str, Municipality] = {}
    for row in csv.DictReader(io.StringIO(raw)):
        county = counties.setdefault(row["lanskod"], County(row["lanskod"], row["lan"]))
        municipalities[row["kommunkod"]] = Municipality(row["kommunkod"], row["kommun"], county)
    by_name = {m.name.casefold(): m for m in municipalities.values()}
    return _Reference(municipalities, counties, by_name)


def municipality(code: str) -> Municipality:
    """The municipality with the four-digit `code` (``"0126"`` is Huddinge).

    Raises :class:`UnknownCode` naming the code if there is none.
    """
    try:
        return _reference().municipalities[code]
    except (KeyError, TypeError):
        raise UnknownCode("municipality", str(code)) from None


def municipality_by_name(name: str) -> Municipality:
    """The municipality called `name` (case-insensitive, ``"Södertälje"``)."""
    try:
        return _reference().by_name[name.strip().casefold()]
    except KeyError:
        raise UnknownCode("municipality name", name) from None


def municipalities() -> tuple[Municipality, ...]:
    """All 290 municipalities, sorted by code."""
    return tuple(sorted(_reference().municipalities.values(), key=lambda m: m.code))


def county(code: str) -> County:
    """The county with the two-digit `code` (``"01"`` is Stockholms län)."""
    try:
        return _reference().counties[code]
    except (KeyError, TypeError):
        raise UnknownCode("county", str(code)) from None


def counties() -> tuple[County, ...]:
    """All 21 counties, sorted by code."""
    return tuple(sorted(_reference().counties.values(), key=lambda c: c.code))


class LegalForm(Enum):
    """The legal form told by the first digit of an organisation number."""

    PUBLIC_BODY = "2"  # state, region, municipality
    LIMITED_COMPANY = "5"
    ASSOCIATION_OR_FOUNDATION = "8"
    PARTNERSHIP = "9"
    OTHER = "other"


_ORG_NUMBER = re.compile(r"(?:16)?([0-9]{6})-?([0-9]{4})")


def luhn_valid(digits: str) -> bool:
    """Whether the Luhn check digit (the last digit of `digits`) is right."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


@attrs.frozen(order=True)
class OrganisationNumber:
    """A Swedish organisation number (organisationsnummer), kept as ten digits.

    Build it with :meth:`parse`, which accepts ``NNNNNN-NNNN``, ten digits, and the
    twelve-digit form with century ``16``.
    """

    digits: str = attrs.field()

    @digits.validator
    def _check(self, _attribute: attrs.Attribute[str], value: str) -> None:
        problem = org_number_problem(value)
        if problem is not None:
            raise InvalidData([("", problem)])

    @classmethod
    def parse(cls, value: str) -> OrganisationNumber:
        """Parse and validate `value`; :class:`InvalidData` says why it is wrong."""
        if not isinstance(value, str):
            raise InvalidData([("", _("must be a string"))])
        match = _ORG_NUMBER.fullmatch(value.strip())
        if match is None:
            raise InvalidData(
                [
                    (
                        "",
                        _(
                            "{value!r} is not an organisation number: write NNNNNN-NNNN "
                            "(ten digits)",
                            value=value,
                        ),
                    )
                ]
            )
        return cls(match.group(1) + match.group(2))

    @property
    def legal_form(self) -> LegalForm:
        """The legal form given by the first digit."""
        try:
            return LegalForm(self.digits[0])
        except ValueError:
            return LegalForm.OTHER

    @property
    def vat_number(self) -> str:
        """The Swedish VAT number: ``SE`` + ten digits + ``01``."""
        return f"SE{self.digits}01"

    def __str__(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"


def org_number_problem(digits: str) -> Text | None:
    """Why ten `digits` are not a valid organisation number, or None if they are."""
    if not (
        isinstance(digits, str) and len(digits) == 10 and digits.isascii() and digits.isdigit()
    ):
        return _("{digits!r}: an organisation number has ten digits", digits=digits)
    number = f"{digits[:6]}-{digits[6:]}"
    if int(digits[2]) < 2:
        return _(
            "{number}: the third digit is {digit}, but a legal person has at least 2 (it "
            "looks like a personal identity number)",
            number=number,
            digit=digits[2],
        )
    if not luhn_valid(digits):
        return _("{number}: the check digit is wrong", number=number)
    return None
