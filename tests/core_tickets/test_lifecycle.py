"""The ticket lifecycle: every path the spec names, and every refusal with its message."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.roles import Role
from core.tickets.lifecycle import (
    Action,
    ActorRole,
    TicketState,
    TicketStatus,
    TransitionRefused,
    actor_role,
    allowed_actions,
    apply,
)
from core.tickets.rating import Rating
from core.tickets.routing import HandlerLevel

S, A, R = TicketStatus, Action, ActorRole
CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 9, 29, 9, 0, tzinfo=CST)
PROP, COMM, STREET, RES, SYS = R.PROPERTY_STAFF, R.COMMUNITY_STAFF, R.STREET_STAFF, R.RESIDENT, R.SYSTEM


def ticket(status: TicketStatus = S.NEW, level: HandlerLevel = HandlerLevel.PROPERTY, **kw) -> TicketState:
    return TicketState("GD20250929-0001", status, level, **kw)


def go(state: TicketState, *steps: tuple) -> TicketState:
    """Apply (action, actor[, reason[, extra kwargs]]) steps one minute apart."""
    for i, step in enumerate(steps):
        action, actor, *rest = step
        reason = rest[0] if rest else None
        extra = rest[1] if len(rest) > 1 else {}
        state, _ = apply(state, action, actor, reason, T0 + timedelta(minutes=i), **extra)
    return state


def refused(state: TicketState, action: Action, actor: ActorRole, reason: str | None = None, **kw) -> str:
    with pytest.raises(TransitionRefused) as info:
        apply(state, action, actor, reason, T0, **kw)
    assert info.value.action is action and info.value.status is state.status
    return info.value.message


# --- the main path -------------------------------------------------------------------------------

def test_main_path_new_to_closed_records_every_step() -> None:
    state = ticket()
    seen = []
    steps = [(A.ACCEPT, PROP, None, {}), (A.DISPATCH, PROP, None, {}), (A.START, PROP, None, {}),
             (A.ANSWER, PROP, None, {}), (A.RATE, RES, None, {"rating": Rating.SATISFIED}),
             (A.CLOSE, PROP, None, {})]
    for i, (action, actor, reason, extra) in enumerate(steps):
        state, event = apply(state, action, actor, reason, T0 + timedelta(hours=i), actor_id=40 + i, **extra)
        seen.append((event.from_status, event.to_status, event.action, event.actor, event.at, event.actor_id))
    assert [(f, t) for f, t, *_ in seen] == [
        (S.NEW, S.ACCEPTED), (S.ACCEPTED, S.DISPATCHED), (S.DISPATCHED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.ANSWERED), (S.ANSWERED, S.RATED), (S.RATED, S.CLOSED)]
    assert seen[4][3] is RES and seen[5][4] == T0 + timedelta(hours=5) and seen[5][5] == 45
    assert state.status is S.CLOSED and state.rating is Rating.SATISFIED


def test_event_carries_ticket_reason_and_rating() -> None:
    state = ticket(S.ANSWERED)
    _, event = apply(state, A.RATE, RES, "  修得很快  ", T0, rating=Rating.BASICALLY_SATISFIED)
    assert event.ticket == "GD20250929-0001"
    assert event.reason == "修得很快"  # trimmed
    assert event.rating is Rating.BASICALLY_SATISFIED
    assert event.target is None


def test_answer_straight_from_dispatched_skips_in_progress() -> None:
    assert go(ticket(S.DISPATCHED), (A.ANSWER, PROP)).status is S.ANSWERED


def test_start_before_dispatch_is_refused() -> None:
    assert refused(ticket(S.ACCEPTED), A.START, PROP) == "工单已受理，不能开始办理"


def test_accept_twice_is_refused() -> None:
    assert refused(ticket(S.ACCEPTED), A.ACCEPT, PROP) == "工单已受理，不能受理"


def test_apply_does_not_change_the_given_state() -> None:
    before = ticket()
    after, _ = apply(before, A.ACCEPT, PROP, None, T0)
    assert before.status is S.NEW and after.status is S.ACCEPTED


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        apply(ticket(), A.ACCEPT, PROP, None, datetime(2025, 9, 29, 9, 0))


# --- final statuses ------------------------------------------------------------------------------

def test_closed_ticket_cannot_be_returned() -> None:
    assert refused(ticket(S.CLOSED), A.RETURN, PROP, "不归我们管") == "工单已办结，不能再退单"


@pytest.mark.parametrize("action", list(Action))
def test_nothing_happens_to_a_closed_ticket(action: Action) -> None:
    for actor in ActorRole:
        with pytest.raises(TransitionRefused, match="^工单已办结，不能再"):
            apply(ticket(S.CLOSED), action, actor, "理由", T0, target="GD-2", rating=Rating.SATISFIED)


def test_merged_and_referred_are_final() -> None:
    assert refused(ticket(S.MERGED), A.ADD_DETAILS, RES) == "工单已合并到其他工单，不能再补充说明"
    assert refused(ticket(S.REFERRED), A.ACCEPT, PROP) == "工单已转办其他单位，不能再受理"


# --- roles and levels ----------------------------------------------------------------------------

def test_resident_cannot_dispatch() -> None:
    assert refused(ticket(S.ACCEPTED), A.DISPATCH, RES) == "居民不能派单"


def test_staff_cannot_rate_and_system_cannot_accept() -> None:
    assert refused(ticket(S.ANSWERED), A.RATE, PROP, rating=Rating.SATISFIED) == "物业人员不能评价"
    assert refused(ticket(), A.ACCEPT, SYS) == "系统不能受理"


def test_only_the_system_escalates() -> None:
    assert refused(ticket(S.ACCEPTED), A.ESCALATE, STREET) == "街道工作人员不能督办"


def test_property_staff_cannot_handle_a_street_ticket() -> None:
    state = ticket(level=HandlerLevel.STREET)
    assert refused(state, A.ACCEPT, PROP) == "这是街道工单，物业人员不能受理"
    assert go(state, (A.ACCEPT, STREET)).status is S.ACCEPTED


def test_street_staff_do_not_take_over_an_unsupervised_property_ticket() -> None:
    assert refused(ticket(S.DISPATCHED), A.ANSWER, STREET) == "这是物业工单，街道工作人员不能答复"


def test_supervising_office_may_act_on_a_supervised_ticket() -> None:
    state = ticket(S.IN_PROGRESS, supervised=True)
    assert go(state, (A.ANSWER, STREET)).status is S.ANSWERED
    assert go(state, (A.ANSWER, COMM)).status is S.ANSWERED
    assert go(state, (A.ANSWER, PROP)).status is S.ANSWERED  # the property company still works on it


def test_supervision_goes_upwards_only() -> None:
    state = ticket(S.IN_PROGRESS, level=HandlerLevel.STREET, supervised=True)
    assert refused(state, A.ANSWER, COMM) == "这是街道工单，社区工作人员不能答复"


@pytest.mark.parametrize("role, expected", [
    (Role.RESIDENT, R.RESIDENT), (Role.OWNER, R.RESIDENT), (Role.PROPERTY_STAFF, R.PROPERTY_STAFF),
    (Role.COMMUNITY_STAFF, R.COMMUNITY_STAFF), (Role.STREET_STAFF, R.STREET_STAFF),
    (Role.COMMITTEE, None), (Role.ADMIN, None)])
def test_platform_roles_map_to_ticket_roles(role: Role, expected: ActorRole | None) -> None:
    assert actor_role(role) is expected


# --- return (退单) ---------------------------------------------------------------------------------

def test_return_needs_a_reason_and_goes_back_to_the_dispatcher() -> None:
    state = ticket(S.DISPATCHED)
    assert refused(state, A.RETURN, PROP) == "退单须说明原因"
    assert refused(state, A.RETURN, PROP, "   ") == "退单须说明原因"
    returned, event = apply(state, A.RETURN, PROP, "不属于本班组维修范围", T0)
    assert returned.status is S.RETURNED and event.reason == "不属于本班组维修范围"
    assert go(returned, (A.DISPATCH, PROP)).status is S.DISPATCHED


def test_returned_ticket_cannot_be_answered_before_redispatch() -> None:
    assert refused(ticket(S.RETURNED), A.ANSWER, PROP) == "工单已退单，不能答复"


def test_undispatched_ticket_cannot_be_returned() -> None:
    assert refused(ticket(S.ACCEPTED), A.RETURN, PROP, "理由") == "工单已受理，不能退单"


# --- extension (延期) ------------------------------------------------------------------------------

def test_extend_needs_a_reason() -> None:
    assert refused(ticket(S.IN_PROGRESS), A.EXTEND, PROP) == "延期须说明原因（将告知居民）"


def test_extension_remembers_where_work_stood_and_is_allowed_once() -> None:
    extended, event = apply(ticket(S.ACCEPTED), A.EXTEND, PROP, "需等待配件到货", T0)
    assert (event.from_status, event.to_status) == (S.ACCEPTED, S.EXTENDED)
    assert extended.extended_from is S.ACCEPTED and extended.extensions == 1
    assert refused(extended, A.EXTEND, PROP, "再等等") == "工单已延期过一次，不能再次延期"
    # An extended accepted ticket still has to be dispatched before work starts.
    assert refused(extended, A.START, PROP) == "工单已延期，不能开始办理"
    dispatched = go(extended, (A.DISPATCH, PROP))
    assert dispatched.status is S.DISPATCHED and dispatched.extended_from is None
    assert refused(dispatched, A.EXTEND, PROP, "又延误") == "工单已延期过一次，不能再次延期"


def test_extended_work_in_progress_is_answered_next() -> None:
    extended = go(ticket(S.IN_PROGRESS), (A.EXTEND, PROP, "施工需要审批"))
    assert extended.status is S.EXTENDED
    assert go(extended, (A.ANSWER, PROP)).status is S.ANSWERED
    assert go(extended, (A.RETURN, PROP, "需专业单位")).status is S.RETURNED


@pytest.mark.parametrize("status", [S.NEW, S.RETURNED, S.ANSWERED, S.RATED])
def test_extension_only_while_work_is_pending(status: TicketStatus) -> None:
    assert refused(ticket(status), A.EXTEND, PROP, "理由") == f"工单{status.zh}，不能延期"


def test_extended_ticket_can_be_escalated_and_keeps_its_status() -> None:
    extended = go(ticket(S.DISPATCHED), (A.EXTEND, PROP, "理由"))
    escalated, event = apply(extended, A.ESCALATE, SYS, "超期", T0)
    assert escalated.status is S.EXTENDED and escalated.supervised
    assert event.from_status is event.to_status is S.EXTENDED


# --- merge and refer -----------------------------------------------------------------------------

def test_merge_needs_another_ticket() -> None:
    state = ticket()
    assert refused(state, A.MERGE, PROP) == "合并须指明目标工单"
    assert refused(state, A.MERGE, PROP, target="GD20250929-0001") == "不能把工单合并到它自己"
    merged, event = apply(state, A.MERGE, PROP, None, T0, target="GD20250928-0007")
    assert merged.status is S.MERGED and event.target == "GD20250928-0007"


def test_refer_says_to_whom() -> None:
    state = ticket(S.ACCEPTED)
    assert refused(state, A.REFER, PROP, "不属于物业职责") == "转办须说明转给哪个单位"
    referred, event = apply(state, A.REFER, PROP, "属供电公司产权", T0, target="国网供电所")
    assert referred.status is S.REFERRED and event.target == "国网供电所"


def test_target_is_recorded_only_where_it_means_something() -> None:
    _, event = apply(ticket(), A.ACCEPT, PROP, None, T0, target="GD-2")
    assert event.target is None


def test_answered_ticket_cannot_be_merged() -> None:
    assert refused(ticket(S.ANSWERED), A.MERGE, PROP, target="GD-2") == "工单已答复，不能合并"


# --- rating, reopening, closing ------------------------------------------------------------------

def test_rating_is_required_to_rate() -> None:
    assert refused(ticket(S.ANSWERED), A.RATE, RES) == "请选择满意、基本满意或不满意"


def test_rating_before_the_answer_is_refused() -> None:
    assert refused(ticket(S.IN_PROGRESS), A.RATE, RES, rating=Rating.SATISFIED) == "工单办理中，不能评价"


def test_unsatisfied_needs_a_reason() -> None:
    assert refused(ticket(S.ANSWERED), A.RATE, RES, rating=Rating.UNSATISFIED) == "不满意须说明原因，以便重新办理"


def test_first_unsatisfied_reopens_second_escalates() -> None:
    state = ticket(S.ANSWERED)
    state, event = apply(state, A.RATE, RES, "还在漏水", T0, rating=Rating.UNSATISFIED)
    assert (event.to_status, state.reopens, state.supervised) == (S.REOPENED, 1, False)
    assert event.rating is Rating.UNSATISFIED and state.rating is None
    state = go(state, (A.DISPATCH, PROP), (A.START, PROP), (A.ANSWER, PROP))
    state, event = apply(state, A.RATE, RES, "依旧漏水", T0, rating=Rating.UNSATISFIED)
    assert (state.status, state.supervised, state.rating) == (S.RATED, True, Rating.UNSATISFIED)
    assert state.reopens == 1  # not reopened a second time
    # The street office decides now: the property company cannot close it, the street office can.
    assert refused(state, A.CLOSE, PROP) == "工单正在督办，须由街道或社区销号"
    assert go(state, (A.CLOSE, STREET)).status is S.CLOSED


def test_reopened_ticket_can_be_answered_directly() -> None:
    assert go(ticket(S.REOPENED, reopens=1), (A.ANSWER, PROP)).status is S.ANSWERED


def test_staff_cannot_close_before_the_resident_rated_but_the_system_can() -> None:
    state = ticket(S.ANSWERED)
    assert refused(state, A.CLOSE, PROP) == "居民尚未评价，不能销号"
    assert go(state, (A.CLOSE, SYS)).status is S.CLOSED


def test_system_cannot_close_a_supervised_ticket() -> None:
    assert refused(ticket(S.RATED, supervised=True), A.CLOSE, SYS) == "工单正在督办，须由街道或社区销号"


def test_supervising_office_reopens_with_a_reason() -> None:
    rated = ticket(S.RATED, rating=Rating.UNSATISFIED, supervised=True, reopens=1)
    assert refused(rated, A.REOPEN, STREET) == "重新办理须说明原因"
    state, event = apply(rated, A.REOPEN, STREET, "督办：限期修复", T0)
    assert state.status is S.REOPENED and state.rating is None and event.actor is STREET


def test_property_staff_and_residents_cannot_use_reopen() -> None:
    assert refused(ticket(S.ANSWERED), A.REOPEN, PROP, "理由") == "物业人员不能重新办理"
    assert refused(ticket(S.ANSWERED), A.REOPEN, RES, "理由") == "居民不能重新办理"


def test_community_cannot_reopen_a_street_ticket() -> None:
    state = ticket(S.ANSWERED, level=HandlerLevel.STREET)
    assert refused(state, A.REOPEN, COMM, "理由") == "这是街道工单，社区工作人员不能重新办理"
    assert go(state, (A.REOPEN, STREET, "理由")).status is S.REOPENED


# --- escalation and details ----------------------------------------------------------------------

def test_escalation_marks_supervision_once() -> None:
    state, event = apply(ticket(S.DISPATCHED), A.ESCALATE, SYS, "超过答复时限", T0)
    assert state.status is S.DISPATCHED and state.supervised and event.action is A.ESCALATE
    assert refused(state, A.ESCALATE, SYS) == "工单已在督办中"


def test_answered_ticket_is_not_escalated_by_the_clock() -> None:
    assert refused(ticket(S.ANSWERED), A.ESCALATE, SYS) == "工单已答复，不能督办"


def test_resident_adds_details_without_moving_the_ticket() -> None:
    state, event = apply(ticket(S.IN_PROGRESS), A.ADD_DETAILS, RES, "补充照片两张", T0, actor_id=7)
    assert state == ticket(S.IN_PROGRESS)
    assert (event.from_status, event.to_status, event.actor_id) == (S.IN_PROGRESS, S.IN_PROGRESS, 7)


def test_staff_do_not_add_details_for_the_resident() -> None:
    assert refused(ticket(S.IN_PROGRESS), A.ADD_DETAILS, PROP) == "物业人员不能补充说明"


# --- the buttons to show -------------------------------------------------------------------------

def test_allowed_actions_per_actor() -> None:
    assert allowed_actions(ticket(S.ANSWERED), RES) == {A.RATE, A.ADD_DETAILS}
    assert allowed_actions(ticket(), PROP) == {A.ACCEPT, A.REFER, A.MERGE}
    assert allowed_actions(ticket(S.IN_PROGRESS), PROP) == {A.ANSWER, A.RETURN, A.EXTEND, A.REFER, A.MERGE}
    assert allowed_actions(ticket(S.IN_PROGRESS, extensions=1), PROP) == {A.ANSWER, A.RETURN, A.REFER, A.MERGE}
    assert allowed_actions(ticket(S.IN_PROGRESS), STREET) == frozenset()
    assert allowed_actions(ticket(S.CLOSED), STREET) == frozenset()
    assert allowed_actions(ticket(S.RATED), PROP) == {A.CLOSE}


# --- state invariants ----------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    {"status": S.EXTENDED},  # extended without remembering from where
    {"status": S.ACCEPTED, "extended_from": S.ACCEPTED},
    {"status": S.EXTENDED, "extended_from": S.NEW, "extensions": 1},
    {"status": S.EXTENDED, "extended_from": S.ACCEPTED, "extensions": 0},
    {"status": S.NEW, "reopens": -1},
])
def test_inconsistent_states_are_rejected(kw: dict) -> None:
    with pytest.raises(ValueError):
        TicketState("GD-1", level=HandlerLevel.PROPERTY, **kw)
