"""Conversation flows, one router per capability; `default_routers()` is the order they match in."""
from __future__ import annotations

from handlers.dispatcher import Router


def default_routers() -> list[Router]:
    from handlers import (
        binding, chat, complaints, console_login, consultations, fees, me, notices, start, ticket_followup, votes)

    # The free-text router (intent routing) goes last: it takes whatever no other matched.
    return [start.router, binding.router, me.router, console_login.router, votes.router, consultations.router,
            fees.router, notices.router, complaints.router, ticket_followup.router, chat.router]
