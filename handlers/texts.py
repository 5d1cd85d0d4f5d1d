"""What Linli says to people, in Chinese (default) and English."""
from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "zh": "您好，{name}！我是「邻里」小区助手。\n可以帮您：报事报修、查询物业费、参与业主表决、查看公告。\n"
              "业主请先「绑定房屋」，输入物业或业委会发给您的验证码。",
        "en": "Hello {name}! I am Linli, your estate assistant.\nI can take repair requests and "
              "complaints, answer fee questions, run owners' votes and show notices.\n"
              "Owners: bind your flat first with the code the property office or committee gave you.",
    },
    "help": {
        "zh": "常用指令：\n/bind 绑定房屋（输入验证码成为认证业主）\n/me 我的信息\n/cancel 取消当前操作\n"
              "/help 帮助\n也可以直接用文字说明问题，例如「3号楼电梯坏了」。",
        "en": "Commands:\n/bind bind your flat with a verification code\n/me your details\n"
              "/cancel stop what you are doing\n/help this help\nOr just describe a problem, "
              "e.g. \"the lift in building 3 is broken\".",
    },
    "btn.bind": {"zh": "绑定房屋", "en": "Bind my flat"},
    "btn.me": {"zh": "我的信息", "en": "My details"},
    "btn.help": {"zh": "帮助", "en": "Help"},
    "btn.cancel": {"zh": "取消", "en": "Cancel"},
    "bind.ask": {
        "zh": "请输入物业或业委会发给您的8位验证码（例如 ABCD-EFGH）。",
        "en": "Please enter the 8-character code from the property office or committee (e.g. ABCD-EFGH).",
    },
    "bind.ok": {
        "zh": "绑定成功！您已是 {estate} {place} 的认证业主。发送 /me 查看。",
        "en": "Done! You are now the verified owner of {estate} {place}. Send /me to see it.",
    },
    "bind.role": {"zh": "验证成功！您已获得「{scope}」{role}身份。发送 /me 查看。",
                  "en": "Verified! You are now {role} of {scope}. Send /me to see it."},
    "bind.already": {"zh": "您已经绑定过 {estate} {place}，无需重复绑定。",
                     "en": "You have already bound {estate} {place}."},
    "bind.malformed": {
        "zh": "这不像验证码：验证码是8位字母和数字，例如 ABCD-EFGH。请重新输入，或点「取消」。",
        "en": "That does not look like a code: 8 letters and digits, e.g. ABCD-EFGH. Try again or cancel.",
    },
    "bind.unknown": {
        "zh": "验证码无效、已使用或已过期，请核对后重新输入。如有疑问请联系物业或业委会。",
        "en": "This code is not valid, already used or expired. Please check it, or ask the "
              "property office or committee.",
    },
    "bind.throttled": {
        "zh": "尝试次数过多，为保护您的房屋信息，请{minutes}分钟后再试。",
        "en": "Too many attempts. To protect owners' data, please try again in {minutes} minutes.",
    },
    "cancelled": {"zh": "已取消。", "en": "Cancelled."},
    "console.link": {
        "zh": "后台登录链接（{minutes}分钟内有效，只能使用一次，请勿转发）：\n{url}",
        "en": "Your console sign-in link (valid {minutes} minutes, works once, do not forward it):\n{url}",
    },
    "console.private": {"zh": "登录链接只能私聊发送，请在与邻里的私聊中发送「登录后台」。",
                        "en": "Sign-in links are only sent in a private chat: send “登录后台” to Linli privately."},
    "console.no_role": {
        "zh": "后台供业委会、物业、社区和街道工作人员使用。如您是工作人员，请先输入邀请验证码获得身份。",
        "en": "The console is for committee members and property, community and street staff. "
              "Staff: enter your invitation code first.",
    },
    "nothing_to_cancel": {"zh": "当前没有进行中的操作。", "en": "Nothing to cancel."},
    "me.header": {"zh": "我的信息", "en": "My details"},
    "me.name": {"zh": "称呼：{name}", "en": "Name: {name}"},
    "me.roles": {"zh": "身份：{roles}", "en": "Roles: {roles}"},
    "me.premises": {"zh": "已绑定房屋：", "en": "Bound flats:"},
    "me.premises_line": {"zh": "· {estate} {place}（{use}，面积 {area}㎡）",
                         "en": "· {estate} {place} ({use}, {area} m²)"},
    "me.none": {"zh": "您还没有绑定房屋。业主可发送 /bind 输入验证码完成认证；未认证也可以报事报修。",
                "en": "You have not bound a flat yet. Owners can send /bind with their code; "
                      "anyone can report a problem."},
    "fallback": {
        "zh": "收到。您可以直接描述需要处理的问题（例如「3号楼2单元楼道灯不亮」），或发送 /help 查看能做什么。",
        "en": "Got it. Describe a problem (e.g. \"the stairwell light in building 3 unit 2 is out\") "
              "or send /help.",
    },
    "photo_received": {"zh": "照片已收到。请再用一句话说明是什么问题、在哪里。",
                       "en": "Photo received. Please add a sentence: what is the problem, and where?"},
    "location_received": {"zh": "位置已收到。请再用一句话说明遇到了什么问题。",
                          "en": "Location received. Please tell me what the problem is."},
    "error": {"zh": "抱歉，系统开了个小差，您的消息没有丢失，请稍后再试。",
              "en": "Sorry, something went wrong on our side. Please try again shortly."},
}

ROLE_NAMES: dict[str, dict[str, str]] = {
    "resident": {"zh": "居民", "en": "resident"},
    "owner": {"zh": "业主", "en": "owner"},
    "committee": {"zh": "业委会成员", "en": "committee member"},
    "property_staff": {"zh": "物业工作人员", "en": "property staff"},
    "community_staff": {"zh": "社区工作人员", "en": "community staff"},
    "street_staff": {"zh": "街道工作人员", "en": "street office staff"},
    "admin": {"zh": "管理员", "en": "administrator"},
}

USE_NAMES: dict[str, dict[str, str]] = {
    "residential": {"zh": "住宅", "en": "residential"},
    "commercial": {"zh": "商业", "en": "commercial"},
    "other": {"zh": "其他", "en": "other"},
}


def t(lang: str, key: str, **kw: Any) -> str:
    entry = TEXTS[key]
    return entry.get(lang, entry["zh"]).format(**kw)


def place_label(lang: str, building: str, unit: str | None, room: str) -> str:
    if lang == "en":
        return f"Bldg {building}" + (f" Unit {unit}" if unit else "") + f" Room {room}"
    return f"{building}号楼" + (f"{unit}单元" if unit else "") + room
