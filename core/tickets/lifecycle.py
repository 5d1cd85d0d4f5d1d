"""The life of a ticket (product.md §3 "Lifecycle"): states, actions, who may act, and why.

new → accepted (受理) → dispatched (派单) → in_progress → answered → rated → closed (销号), plus
returned (退单), extended (延期), merged, referred and reopened. `apply` is the only way to move a
ticket; every move, including the ones that keep the status, yields an `Event` (who, when, why).

Choices made here:

- **extended** is a status with a memory. Extension is allowed once, from accepted, dispatched,
  in_progress or reopened, with a reason; the ticket shows 已延期 and remembers where the work
  stood (`extended_from`). While extended, the ticket moves on exactly as it would have from that
  status (an extended accepted ticket is dispatched next; an extended ticket in progress is answered
  next), and leaves the extended status when it does. `extensions` keeps the count, so a second
  extension is refused later too. The new deadline is sla.extended_due_at's business.
- **returned** (退单) sends a dispatched ticket back to its dispatcher, who dispatches it again,
  refers it or merges it.
- **merged** and **referred** are final like closed: a merged ticket lives on in its target, a
  referred one is not ours (the event says to whom).
- **The resident's 不满意 is a rating**: `rate` with Rating.UNSATISFIED reopens the ticket the first
  time and escalates it (supervised, status rated) the second time (rating.py). `reopen` is the
  supervising office's action: community or street staff send an answered or rated ticket back to
  work.
- **escalate** is the system's action on an overdue ticket (sla.should_escalate decides when); it
  keeps the status and marks the ticket supervised (督办).
- **Levels.** Staff act on tickets of their own level; once a ticket is supervised, staff of a
  higher level may act on it too, and only they may close it. `close` of an unrated answer is the
  system's (no rating in time), so staff cannot close a ticket past the resident's rating.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from core.roles import Role
from core.tickets.rating import Rating, RatingOutcome, outcome
from core.tickets.routing import HandlerLevel


class TicketStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    RATED = "rated"
    CLOSED = "closed"
    RETURNED = "returned"
    EXTENDED = "extended"
    MERGED = "merged"
    REFERRED = "referred"
    REOPENED = "reopened"

    @property
    def zh(self) -> str:
        return _STATUS_ZH[self]

    @property
    def final(self) -> bool:
        return self in FINAL


class Action(StrEnum):
    ACCEPT = "accept"
    DISPATCH = "dispatch"
    START = "start"
    ANSWER = "answer"
    RATE = "rate"
    CLOSE = "close"
    RETURN = "return"
    EXTEND = "extend"
    MERGE = "merge"
    REFER = "refer"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    ADD_DETAILS = "add_details"

    @property
    def zh(self) -> str:
        return _ACTION_ZH[self]


class ActorRole(StrEnum):
    """Who acts on a ticket. Values equal core.roles.Role's, plus the system (timers)."""

    RESIDENT = "resident"
    PROPERTY_STAFF = "property_staff"
    COMMUNITY_STAFF = "community_staff"
    STREET_STAFF = "street_staff"
    SYSTEM = "system"

    @property
    def zh(self) -> str:
        return _ROLE_ZH[self]

    @property
    def level(self) -> HandlerLevel | None:
        return _ROLE_LEVEL.get(self)


S, A, R = TicketStatus, Action, ActorRole

_STATUS_ZH = {
    S.NEW: "待受理", S.ACCEPTED: "已受理", S.DISPATCHED: "已派单", S.IN_PROGRESS: "办理中",
    S.ANSWERED: "已答复", S.RATED: "已评价", S.CLOSED: "已办结", S.RETURNED: "已退单",
    S.EXTENDED: "已延期", S.MERGED: "已合并", S.REFERRED: "已转办", S.REOPENED: "重新办理中",
}
_ACTION_ZH = {
    A.ACCEPT: "受理", A.DISPATCH: "派单", A.START: "开始办理", A.ANSWER: "答复", A.RATE: "评价",
    A.CLOSE: "销号", A.RETURN: "退单", A.EXTEND: "延期", A.MERGE: "合并", A.REFER: "转办",
    A.REOPEN: "重新办理", A.ESCALATE: "督办", A.ADD_DETAILS: "补充说明",
}
_ROLE_ZH = {R.RESIDENT: "居民", R.PROPERTY_STAFF: "物业人员", R.COMMUNITY_STAFF: "社区工作人员",
            R.STREET_STAFF: "街道工作人员", R.SYSTEM: "系统"}
_ROLE_LEVEL = {R.PROPERTY_STAFF: HandlerLevel.PROPERTY, R.COMMUNITY_STAFF: HandlerLevel.COMMUNITY,
               R.STREET_STAFF: HandlerLevel.STREET}
# Why each final status stops everything, in the words a resident or clerk would use.
_FINAL_ZH = {S.CLOSED: "工单已办结", S.MERGED: "工单已合并到其他工单", S.REFERRED: "工单已转办其他单位"}

FINAL = frozenset({S.CLOSED, S.MERGED, S.REFERRED})
STAFF = frozenset({R.PROPERTY_STAFF, R.COMMUNITY_STAFF, R.STREET_STAFF})
SUPERVISORS = frozenset({R.COMMUNITY_STAFF, R.STREET_STAFF})
EXTENDABLE = frozenset({S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.REOPENED})
MAX_EXTENSIONS = 1

# (status, action) -> next status. Escalate and add_details keep the status and are listed apart.
TRANSITIONS: Mapping[tuple[TicketStatus, Action], TicketStatus] = {
    (S.NEW, A.ACCEPT): S.ACCEPTED,
    **{(s, A.DISPATCH): S.DISPATCHED for s in (S.ACCEPTED, S.RETURNED, S.REOPENED)},
    **{(s, A.START): S.IN_PROGRESS for s in (S.DISPATCHED, S.REOPENED)},
    **{(s, A.ANSWER): S.ANSWERED for s in (S.DISPATCHED, S.IN_PROGRESS, S.REOPENED)},
    **{(s, A.RETURN): S.RETURNED for s in (S.DISPATCHED, S.IN_PROGRESS)},
    **{(s, A.EXTEND): S.EXTENDED for s in EXTENDABLE},
    **{(s, A.REFER): S.REFERRED for s in (S.NEW, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED,
                                          S.REOPENED)},
    **{(s, A.MERGE): S.MERGED for s in (S.NEW, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED)},
    (S.ANSWERED, A.RATE): S.RATED,
    **{(s, A.CLOSE): S.CLOSED for s in (S.ANSWERED, S.RATED)},
    **{(s, A.REOPEN): S.REOPENED for s in (S.ANSWERED, S.RATED)},
}
# Statuses in which the deadline runs: an overdue ticket here may be escalated.
ESCALATABLE = frozenset({S.NEW, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.EXTENDED, S.RETURNED, S.REOPENED})
SAME_STATUS = {A.ESCALATE: ESCALATABLE, A.ADD_DETAILS: frozenset(TicketStatus) - FINAL}

ROLES: Mapping[Action, frozenset[ActorRole]] = {
    **{a: STAFF for a in (A.ACCEPT, A.DISPATCH, A.START, A.ANSWER, A.RETURN, A.EXTEND, A.MERGE, A.REFER)},
    A.CLOSE: STAFF | {R.SYSTEM},
    A.RATE: frozenset({R.RESIDENT}),
    A.ADD_DETAILS: frozenset({R.RESIDENT}),
    A.REOPEN: SUPERVISORS,
    A.ESCALATE: frozenset({R.SYSTEM}),
}

# Actions that need a reason, and the refusal when it is missing.
REASON_REQUIRED = {
    A.RETURN: "退单须说明原因", A.EXTEND: "延期须说明原因（将告知居民）", A.REOPEN: "重新办理须说明原因",
}


class TransitionRefused(Exception):
    """An action that the rules do not allow; the message is Chinese and can be shown as is."""

    def __init__(self, message: str, *, status: TicketStatus, action: Action) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.action = action


@dataclass(frozen=True)
class TicketState:
    number: str
    status: TicketStatus
    level: HandlerLevel                      # the handling level (routing.Route.level)
    extensions: int = 0                      # extensions granted so far
    reopens: int = 0                         # reopened by the resident's 不满意
    supervised: bool = False                 # in the street office's supervision (督办)
    extended_from: TicketStatus | None = None  # where the work stood when it was extended
    rating: Rating | None = None

    def __post_init__(self) -> None:
        if (self.status is S.EXTENDED) != (self.extended_from is not None):
            raise ValueError("extended_from is set exactly when the status is extended")
        if self.extended_from is not None and self.extended_from not in EXTENDABLE:
            raise ValueError(f"a ticket cannot be extended from {self.extended_from}")
        if self.extensions < 0 or self.reopens < 0:
            raise ValueError("counts must not be negative")
        if self.status is S.EXTENDED and self.extensions < 1:
            raise ValueError("an extended ticket has used its extension")

    @property
    def work_status(self) -> TicketStatus:
        """The status the work is in: the remembered one while extended."""
        return self.extended_from or self.status


@dataclass(frozen=True)
class Event:
    ticket: str
    from_status: TicketStatus
    to_status: TicketStatus
    action: Action
    actor: ActorRole
    at: datetime
    reason: str | None = None
    actor_id: int | None = None  # the person, when the actor is one
    target: str | None = None    # merge: the ticket merged into; refer: to whom
    rating: Rating | None = None


def actor_role(role: Role) -> ActorRole | None:
    """The ticket role of a platform role; committee members and admins have none (PIPL: need to know)."""
    if role in (Role.RESIDENT, Role.OWNER):
        return R.RESIDENT
    try:
        return ActorRole(role.value)
    except ValueError:
        return None


def allowed_actions(state: TicketState, actor: ActorRole) -> frozenset[Action]:
    """What this actor could do now (the buttons to show), ignoring missing reasons and targets."""
    ok = set()
    for action in Action:
        try:
            _check(state, action, actor)
        except TransitionRefused:
            continue
        ok.add(action)
    return frozenset(ok)


def apply(state: TicketState, action: Action, actor: ActorRole, reason: str | None, now: datetime, *,
          actor_id: int | None = None, target: str | None = None,
          rating: Rating | None = None) -> tuple[TicketState, Event]:
    """Move the ticket, or raise TransitionRefused saying why not."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    reason = _clean(reason)
    target = _clean(target)
    nxt = _check(state, action, actor)
    new = _required(state, action, reason, target, rating)
    if new is None:
        new = _moved(state, action, nxt)
    event = Event(ticket=state.number, from_status=state.status, to_status=new.status, action=action,
                  actor=actor, at=now, reason=reason, actor_id=actor_id,
                  target=target if action in (A.MERGE, A.REFER) else None,
                  rating=rating if action is A.RATE else None)
    return new, event


def _clean(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


def _refuse(state: TicketState, action: Action, message: str) -> TransitionRefused:
    return TransitionRefused(message, status=state.status, action=action)


def _check(state: TicketState, action: Action, actor: ActorRole) -> TicketStatus:
    """Status, role and level; returns the next status. Reasons and targets are checked later."""
    if state.status in FINAL:
        raise _refuse(state, action, f"{_FINAL_ZH[state.status]}，不能再{action.zh}")
    if actor not in ROLES[action]:
        raise _refuse(state, action, f"{actor.zh}不能{action.zh}")
    _check_level(state, action, actor)
    if action in SAME_STATUS:
        if state.status not in SAME_STATUS[action]:
            raise _refuse(state, action, f"工单{state.status.zh}，不能{action.zh}")
        if action is A.ESCALATE and state.supervised:
            raise _refuse(state, action, "工单已在督办中")
        return state.status
    if action is A.EXTEND and state.extensions >= MAX_EXTENSIONS:
        raise _refuse(state, action, "工单已延期过一次，不能再次延期")
    nxt = TRANSITIONS.get((state.work_status, action))
    if nxt is None:
        raise _refuse(state, action, f"工单{state.status.zh}，不能{action.zh}")
    if action is A.CLOSE:
        _check_close(state, actor)
    return nxt


def _check_level(state: TicketState, action: Action, actor: ActorRole) -> None:
    level = actor.level
    if level is None:
        return  # residents and the system act on their own tickets; jurisdiction is the services'
    if action is A.REOPEN:
        ok = level.rank >= state.level.rank  # a supervising office reopens its own or lower tickets
    else:
        ok = level is state.level or (state.supervised and level.rank > state.level.rank)
    if not ok:
        raise _refuse(state, action, f"这是{state.level.zh}工单，{actor.zh}不能{action.zh}")


def _check_close(state: TicketState, actor: ActorRole) -> None:
    if state.supervised and actor not in SUPERVISORS:
        raise _refuse(state, A.CLOSE, "工单正在督办，须由街道或社区销号")
    if state.status is S.ANSWERED and actor is not R.SYSTEM:
        raise _refuse(state, A.CLOSE, "居民尚未评价，不能销号")


def _required(state: TicketState, action: Action, reason: str | None, target: str | None,
              rating: Rating | None) -> TicketState | None:
    """Check what the action must carry; for a rating, work out where it leads."""
    if action in REASON_REQUIRED and reason is None:
        raise _refuse(state, action, REASON_REQUIRED[action])
    if action is A.REFER and target is None:
        raise _refuse(state, action, "转办须说明转给哪个单位")
    if action is A.MERGE:
        if target is None:
            raise _refuse(state, action, "合并须指明目标工单")
        if target == state.number:
            raise _refuse(state, action, "不能把工单合并到它自己")
    if action is not A.RATE:
        return None
    if rating is None:
        raise _refuse(state, action, "请选择满意、基本满意或不满意")
    if rating is Rating.UNSATISFIED and reason is None:
        raise _refuse(state, action, "不满意须说明原因，以便重新办理")
    match outcome(rating, state.reopens):
        case RatingOutcome.ACCEPTED:
            return replace(state, status=S.RATED, rating=rating)
        case RatingOutcome.REOPEN:
            return replace(state, status=S.REOPENED, rating=None, reopens=state.reopens + 1)
        case RatingOutcome.ESCALATE:
            return replace(state, status=S.RATED, rating=rating, supervised=True)
    raise AssertionError(rating)


def _moved(state: TicketState, action: Action, nxt: TicketStatus) -> TicketState:
    if action is A.ESCALATE:
        return replace(state, supervised=True)
    if action is A.ADD_DETAILS:
        return state
    if nxt is S.EXTENDED:
        return replace(state, status=nxt, extended_from=state.status, extensions=state.extensions + 1)
    # A reopened ticket waits for a new answer and a new rating.
    return replace(state, status=nxt, extended_from=None, rating=None if nxt is S.REOPENED else state.rating)
