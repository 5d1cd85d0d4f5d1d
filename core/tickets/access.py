"""Who may see and act on which ticket (product.md §1: role **and** jurisdiction).

A staff member's grants say where they work (an estate, a community, a street office, a
district); the ticket's level says whose work it is:

- property staff see property-level tickets of their estates (their company's queue);
- community staff see community-level tickets of their communities, and property-level ones,
  which they supervise (环境和物业管理委员会);
- street staff see every ticket of their street offices, to supervise and summon departments.

Their **queue** is narrower: the tickets waiting on their own office. For property and community
staff that is their level; for street staff, street-level tickets and everything under
supervision (督办). The SQL filter in queries.py is built from the same two tables below.

Residents see their own tickets (reported or followed). Committee members and admins hold no
ticket role (lifecycle.actor_role): PIPL's need-to-know.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from core.roles import Actor, Place, Role
from core.tickets.lifecycle import ActorRole
from core.tickets.routing import HandlerLevel

L = HandlerLevel
STAFF_ROLES: Mapping[Role, ActorRole] = MappingProxyType({
    Role.PROPERTY_STAFF: ActorRole.PROPERTY_STAFF,
    Role.COMMUNITY_STAFF: ActorRole.COMMUNITY_STAFF,
    Role.STREET_STAFF: ActorRole.STREET_STAFF,
})
# The levels each staff role may see at all, and the levels of its own queue.
VISIBLE_LEVELS: Mapping[ActorRole, frozenset[HandlerLevel]] = MappingProxyType({
    ActorRole.PROPERTY_STAFF: frozenset({L.PROPERTY}),
    ActorRole.COMMUNITY_STAFF: frozenset({L.PROPERTY, L.COMMUNITY}),
    ActorRole.STREET_STAFF: frozenset(L),
})
QUEUE_LEVELS: Mapping[ActorRole, frozenset[HandlerLevel]] = MappingProxyType({
    ActorRole.PROPERTY_STAFF: frozenset({L.PROPERTY}),
    ActorRole.COMMUNITY_STAFF: frozenset({L.COMMUNITY}),
    ActorRole.STREET_STAFF: frozenset({L.STREET}),
})
# Supervised tickets join the street office's queue whatever their level.
SUPERVISION_QUEUE = ActorRole.STREET_STAFF


def sees(role: ActorRole, level: HandlerLevel, supervised: bool, *, queue_only: bool = False) -> bool:
    """May staff with this role (and jurisdiction over the estate) see a ticket of this level?"""
    if role not in VISIBLE_LEVELS:
        return False
    if not queue_only:
        return level in VISIBLE_LEVELS[role]
    return level in QUEUE_LEVELS[role] or (supervised and role is SUPERVISION_QUEUE)


def staff_roles_over(actor: Actor, place: Place) -> list[ActorRole]:
    """The staff roles the actor holds over this estate, lowest level first."""
    held = [STAFF_ROLES[r] for r in STAFF_ROLES if actor.holds(r, place)]
    return sorted(held, key=lambda r: r.level.rank if r.level else -1)


def acting_role(actor: Actor, place: Place, level: HandlerLevel, supervised: bool) -> ActorRole | None:
    """The role a staff member acts in on this ticket: the one of the ticket's own level if held,
    else the highest role that can see it (a supervisor). None: not theirs to see."""
    roles = [r for r in staff_roles_over(actor, place) if sees(r, level, supervised)]
    for r in roles:
        if r.level is level:
            return r
    return roles[-1] if roles else None
