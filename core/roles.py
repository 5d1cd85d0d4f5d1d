"""Roles and jurisdiction (product.md §1): every action checks both.

A role is held within a scope; a scope covers the places below it (a street office covers its
communities' estates). Owner is not granted: it follows from a verified residency.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    OWNER = "owner"
    COMMITTEE = "committee"
    PROPERTY_STAFF = "property_staff"
    COMMUNITY_STAFF = "community_staff"
    STREET_STAFF = "street_staff"
    ADMIN = "admin"


class ScopeKind(StrEnum):
    ESTATE = "estate"
    COMMUNITY = "community"
    STREET_OFFICE = "street_office"
    DISTRICT = "district"
    ALL = "all"


@dataclass(frozen=True)
class Place:
    """Where an estate sits in the hierarchy, for jurisdiction checks."""

    estate_id: int
    community_id: int
    street_office_id: int
    district_id: int

    def within(self, kind: ScopeKind, scope_id: int | None) -> bool:
        match kind:
            case ScopeKind.ALL:
                return True
            case ScopeKind.ESTATE:
                return scope_id == self.estate_id
            case ScopeKind.COMMUNITY:
                return scope_id == self.community_id
            case ScopeKind.STREET_OFFICE:
                return scope_id == self.street_office_id
            case ScopeKind.DISTRICT:
                return scope_id == self.district_id
        return False


@dataclass(frozen=True)
class Grant:
    role: Role
    scope_kind: ScopeKind
    scope_id: int | None


@dataclass(frozen=True)
class Actor:
    person_id: int
    grants: tuple[Grant, ...] = ()
    owned_premises: frozenset[int] = field(default_factory=frozenset)
    owned_estates: frozenset[int] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[Role]:
        rs = {g.role for g in self.grants} | {Role.RESIDENT}
        if self.owned_premises:
            rs.add(Role.OWNER)
        return frozenset(rs)

    def holds(self, role: Role, place: Place) -> bool:
        """Does this actor hold `role` over the estate at `place`?"""
        if role is Role.OWNER:
            return place.estate_id in self.owned_estates
        if role is Role.RESIDENT:
            return True
        # Admin is not a superuser of the other roles: installing Linli grants no right to read
        # complaints or vote-level data (PIPL: handlers see only what they need).
        return any(g.role is role and place.within(g.scope_kind, g.scope_id) for g in self.grants)

    @property
    def is_admin(self) -> bool:
        return any(g.role is Role.ADMIN for g in self.grants)

    def any_of(self, roles: set[Role], place: Place) -> bool:
        return any(self.holds(r, place) for r in roles)
