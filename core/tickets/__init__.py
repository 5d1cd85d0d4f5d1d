"""The rules of tickets as pure functions: lifecycle, routing, deadlines, duplicates, rating, privacy,
statistics. No database, no I/O (except reading taxonomy.yaml once); the services build on these.

Typical use by a service:
    r = route(category, offices, overrides=district_overrides)
    d = deadlines(category, urgent, created_at)
    state, event = apply(state, Action.ACCEPT, ActorRole.PROPERTY_STAFF, None, now, actor_id=person)
    # extending: check the new deadline first (it refuses what the profile does not allow)
    due = extended_due_at(d.answer_due, days, d.profile); state, event = apply(..., Action.EXTEND, ...)
    if should_escalate(r.matter_level, state.status, state.supervised, current_due(d, state.status), now):
        state, event = apply(state, Action.ESCALATE, ActorRole.SYSTEM, "超期", now)
        r = supervision_route(r, offices)
"""
from core.tickets.duplicates import Report, TicketSummary, duplicates, is_duplicate
from core.tickets.lifecycle import (
    Action,
    ActorRole,
    Event,
    TicketState,
    TicketStatus,
    TransitionRefused,
    actor_role,
    allowed_actions,
    apply,
)
from core.tickets.privacy import (
    RetentionCandidate,
    ReporterView,
    due_for_erasure,
    mask_phone,
    mask_phones_in_text,
    may_see_reporter,
    reporter_view,
)
from core.tickets.rating import Rating, RatingOutcome, outcome, parse_rating
from core.tickets.routing import (
    EstateOffices,
    HandlerLevel,
    QueueKind,
    Route,
    TaxonomyError,
    UnknownCategory,
    route,
    rule_for,
    supervision_route,
    validate_overrides,
)
from core.tickets.sla import (
    Deadlines,
    ExtensionRefused,
    SlaConfig,
    SlaProfile,
    current_due,
    deadlines,
    due_at,
    extended_due_at,
    is_overdue,
    should_escalate,
)
from core.tickets.stats import Rate, TicketCounts, resolution_rate, response_rate, satisfaction_rate
from core.tickets.workdays import add_workdays, is_workday, next_workday, workdays_between

__all__ = [
    "Action", "ActorRole", "Deadlines", "EstateOffices", "Event", "ExtensionRefused", "HandlerLevel",
    "QueueKind", "Rate", "Rating", "RatingOutcome", "Report", "ReporterView", "RetentionCandidate", "Route",
    "SlaConfig", "SlaProfile", "TaxonomyError", "TicketCounts", "TicketState", "TicketStatus",
    "TicketSummary", "TransitionRefused", "UnknownCategory", "actor_role", "add_workdays",
    "allowed_actions", "apply", "current_due", "deadlines", "due_at", "due_for_erasure", "duplicates",
    "extended_due_at", "is_duplicate", "is_overdue", "is_workday", "mask_phone", "mask_phones_in_text",
    "may_see_reporter", "next_workday", "outcome", "parse_rating", "reporter_view", "resolution_rate",
    "response_rate", "route", "rule_for", "satisfaction_rate", "should_escalate", "supervision_route",
    "validate_overrides", "workdays_between",
]
