"""Dialogue state lives in the database: a conversation goes on across a process restart."""
from __future__ import annotations

import httpx

from tests.web.server import Server


def _say(client: httpx.Client, base: str, text: str) -> str:
    r = client.post(base + "/api/chat/messages", json={"text": text})
    assert r.status_code == 200, r.text
    return "\n".join(m["body"]["text"] for m in r.json()["messages"] if m["direction"] == "out")


def test_binding_flow_survives_a_killed_process(server: Server) -> None:
    assert server.codes, "the first start prints demo codes:\n" + "".join(server.output)
    place, code = next(iter(server.codes.items()))
    plain = code.replace("-", "")  # without the dash it is only a code inside the /bind flow
    with httpx.Client() as visitor, httpx.Client() as stranger:
        assert "验证码" in _say(visitor, server.url, "/bind")
        server.kill()
        server.start()
        assert server.codes == {}, "the demo is seeded once, not on every start"
        # A stranger typing the same text outside the flow is not binding anything...
        assert "绑定成功" not in _say(stranger, server.url, plain)
        # ...while the visitor is still at the code step after the restart.
        reply = _say(visitor, server.url, plain)
        assert "绑定成功" in reply and place.replace("单元", "单元") in reply
        history = visitor.get(server.url + "/api/chat/messages").json()["messages"]
        assert [m["body"]["text"] for m in history if m["direction"] == "in"] == ["/bind", plain]
