"""`linli chat`: talk to Linli in the terminal through the same conversation core.

Buttons are listed with numbers; type the number to press one.
"""
from __future__ import annotations

import asyncio
import getpass

from bot.runtime import Runtime
from handlers.messages import Button, Incoming, Outgoing


def render(replies: list[Outgoing]) -> list[Button]:
    pressable: list[Button] = []
    for out in replies:
        if out.text:
            print("邻里 > " + out.text.replace("\n", "\n        "))
        if out.image is not None:
            print(f"        [图片 {out.image.filename}]")
        if out.document is not None:
            print(f"        [文件 {out.document.filename}]")
        for row in out.buttons:
            for b in row:
                pressable.append(b)
                print(f"        [{len(pressable)}] {b.label}")
    return pressable


async def console_loop(rt: Runtime, user: str | None = None) -> None:
    sender = f"console:{user or getpass.getuser()}"
    print("邻里 终端聊天 — 输入文字与 Linli 对话，输入数字按下按钮，Ctrl-D 退出。")
    pressable = render(await rt.dispatcher.handle(Incoming("console", sender, sender, text="/start")))
    loop = asyncio.get_running_loop()
    while True:
        try:
            line = await loop.run_in_executor(None, input, "我   > ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        line = line.strip()
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(pressable):
            inc = Incoming("console", sender, sender, payload=pressable[int(line) - 1].payload)
        else:
            inc = Incoming("console", sender, sender, text=line)
        try:
            pressable = render(await rt.dispatcher.handle(inc))
        except Exception as e:  # keep the session alive; the message was not applied
            print(f"邻里 > 抱歉，系统开了个小差（{type(e).__name__}），请再试一次。")
