"""Where a ticket goes (product.md §3 "Routing").

A category's handler level (property / community / street) and department come from taxonomy.yaml
and may be overridden per district; an estate with no property company sends property matters to
its community; street-level tickets go to the street office the estate belongs to (属地管理).

The result names the queue and the office that owns it. Jurisdiction (which staff see which office
queue) is checked by the services, not here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from types import MappingProxyType



class HandlerLevel(StrEnum):
    PROPERTY = "property"
    COMMUNITY = "community"
    STREET = "street"

    @property
    def rank(self) -> int:
        """Property < community < street: a higher level may supervise a lower one."""
        return _RANK[self]

    @property
    def zh(self) -> str:
        return _LEVEL_ZH[self]


_RANK = {HandlerLevel.PROPERTY: 0, HandlerLevel.COMMUNITY: 1, HandlerLevel.STREET: 2}
_LEVEL_ZH = {HandlerLevel.PROPERTY: "物业", HandlerLevel.COMMUNITY: "社区", HandlerLevel.STREET: "街道"}


class QueueKind(StrEnum):
    PROPERTY_COMPANY = "property_company"
    COMMUNITY = "community"
    STREET_OFFICE = "street_office"


_QUEUE = {HandlerLevel.PROPERTY: QueueKind.PROPERTY_COMPANY, HandlerLevel.COMMUNITY: QueueKind.COMMUNITY,
          HandlerLevel.STREET: QueueKind.STREET_OFFICE}


class TaxonomyError(ValueError):
    """taxonomy.yaml or a district override does not make sense."""


class UnknownCategory(KeyError):
    pass


@dataclass(frozen=True)
class CategoryRule:
    handler: HandlerLevel
    department: str | None  # a taxonomy department code, or None


@dataclass(frozen=True)
class Taxonomy:
    categories: Mapping[str, CategoryRule] = field(hash=False)
    departments: frozenset[str]


@dataclass(frozen=True)
class EstateOffices:
    """The offices an estate belongs to, as ids from the register."""

    district: str  # district code, the key of the overrides
    street_office_id: int
    community_id: int
    property_company_id: int | None  # None: the estate has no property company


@dataclass(frozen=True)
class Route:
    level: HandlerLevel          # who handles the ticket
    department: str | None       # the department to summon (taxonomy code)
    queue: QueueKind
    office_id: int               # the property company, community or street office owning the queue
    matter_level: HandlerLevel   # the category's level before the no-property-company fallback
    supervision: bool = False    # in the street office's queue for supervision (督办)

    @property
    def stood_in(self) -> bool:
        """The community handles a property matter because the estate has no property company."""
        return self.matter_level is HandlerLevel.PROPERTY and self.level is not HandlerLevel.PROPERTY


# district code -> {category: {"handler": level, "department": code or None}}; either key may be left out.
Overrides = Mapping[str, Mapping[str, Mapping[str, str | None]]]

def _rule(category: str, handler: str | None, department: str | None, departments: frozenset[str] | set[str]
          ) -> CategoryRule:
    try:
        level = HandlerLevel(handler)
    except ValueError:
        raise TaxonomyError(f"{category}: unknown handler level {handler!r}") from None
    if department is not None and department not in departments:
        raise TaxonomyError(f"{category}: unknown department {department!r}")
    return CategoryRule(level, department)


@cache
def default_taxonomy() -> Taxonomy:
    """The routing table of the taxonomy contract (nlp/taxonomy.yaml, read by nlp.taxonomy)."""
    from nlp import taxonomy as contract

    departments = frozenset(contract.DEPARTMENTS)
    return Taxonomy(MappingProxyType({code: _rule(code, c.handler, c.department, departments)
                                      for code, c in contract.CATEGORIES.items()}), departments)


def rule_for(category: str, district: str, *, taxonomy: Taxonomy | None = None,
             overrides: Overrides | None = None) -> CategoryRule:
    """The category's handler level and department in this district."""
    tax = taxonomy or default_taxonomy()
    base = tax.categories.get(category)
    if base is None:
        raise UnknownCategory(category)
    entry = (overrides or {}).get(district, {}).get(category)
    if entry is None:
        return base
    return _override(category, base, entry, tax)


def _override(category: str, base: CategoryRule, entry: Mapping[str, str | None], tax: Taxonomy) -> CategoryRule:
    unknown = set(entry) - {"handler", "department"}
    if unknown:
        raise TaxonomyError(f"{category}: unknown override keys {sorted(unknown)}")
    handler = entry.get("handler", base.handler.value)
    department = entry["department"] if "department" in entry else base.department
    return _rule(category, handler, department, tax.departments)


def validate_overrides(overrides: Overrides, taxonomy: Taxonomy | None = None) -> None:
    """Check a district override table when configuration is loaded, not when a resident complains."""
    tax = taxonomy or default_taxonomy()
    for district, table in overrides.items():
        for category, entry in table.items():
            if category not in tax.categories:
                raise TaxonomyError(f"district {district}: unknown category {category!r}")
            _override(category, tax.categories[category], entry, tax)


def route(category: str, estate: EstateOffices, *, taxonomy: Taxonomy | None = None,
          overrides: Overrides | None = None) -> Route:
    rule = rule_for(category, estate.district, taxonomy=taxonomy, overrides=overrides)
    level = rule.handler
    if level is HandlerLevel.PROPERTY and estate.property_company_id is None:
        level = HandlerLevel.COMMUNITY
    return Route(level=level, department=rule.department, queue=_QUEUE[level],
                 office_id=_office(level, estate), matter_level=rule.handler)


def supervision_route(current: Route, estate: EstateOffices) -> Route:
    """The same ticket in the street office's queue for supervision (督办), keeping its department."""
    return replace(current, queue=QueueKind.STREET_OFFICE, office_id=estate.street_office_id, supervision=True)


def _office(level: HandlerLevel, estate: EstateOffices) -> int:
    if level is HandlerLevel.PROPERTY:
        assert estate.property_company_id is not None
        return estate.property_company_id
    if level is HandlerLevel.COMMUNITY:
        return estate.community_id
    return estate.street_office_id
