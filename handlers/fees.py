"""Fees in chat. Owners ask what this period costs and how it is computed, what is outstanding, their
history, how to pay and where the disclosure is, and see only their own premises. The committee and
property staff publish the fee disclosure (filling in what is missing), preview reminders and read
collection rates; in a group chat nobody's figures are shown."""
from __future__ import annotations

from core.fees import group_summary, render_text
from core.fees.drawing import pdf, png, poster, rate_chart
from core.fees.ledger import (
    FeeError,
    OwnedPremises,
    current_bill,
    describe_outstanding,
    local_day,
    owned_premises,
    payment_history,
    schedule_in_force,
    statements,
)
from core.fees.money import format_yuan
from core.fees.periods import format_date_zh
from core.fees.publishing import (
    DISCLOSERS,
    FIELD_LABELS,
    TYPED_FIELDS,
    DisclosureRefused,
    check,
    latest_published,
    parse_field,
    poster_lines,
    publish,
    save_draft,
)
from core.fees.service import collection, collection_table, preview, preview_lines
from core.governance import estates_where
from core.roles import Role
from handlers.dispatcher import Context, Router
from handlers.messages import Attachment
from storage.models import Estate, PropertyCompany
from storage.models.fees import FeeDisclosureRecord

router = Router("fees")
FILL = "fdfill"
CANCEL = [[("取消", "cancel")]]
STATS_ROLES = (Role.COMMITTEE, Role.PROPERTY_STAFF, Role.COMMUNITY_STAFF, Role.STREET_STAFF)
NOT_OWNER = "查询物业费需要先认证业主身份：请发送 /bind 输入物业或业委会发给您的验证码。认证后只能查看您本人名下房屋的费用。"
IN_GROUP = "物业费属于个人信息，不在群里显示。请私聊我发送「物业费」查询。"

# Topic codes in button payloads: fee:<topic>:<premises id>.
SUMMARY, OUTSTANDING, HISTORY, STANDARD, PAY, DISCLOSURE = "s", "o", "h", "t", "p", "d"
_KEYWORDS = ((DISCLOSURE, ("公示",)), (STANDARD, ("收费标准", "标准", "单价", "价格")),
             (PAY, ("怎么交", "怎么缴", "在哪交", "在哪缴", "缴费方式", "交费方式", "微信", "支付宝", "付款")),
             (HISTORY, ("记录", "历史", "交过", "缴过", "交到", "缴到")),
             (OUTSTANDING, ("欠", "未缴", "没交", "没缴", "还差", "待缴")))


def topic_of(text: str) -> str:
    """Which fee question a sentence asks; anything else gets this period's figure with its arithmetic."""
    for topic, words in _KEYWORDS:
        if any(w in text for w in words):
            return topic
    return SUMMARY


def _menu(pid: int) -> list[list[tuple[str, str]]]:
    return [[("欠费明细", f"fee:{OUTSTANDING}:{pid}"), ("缴费记录", f"fee:{HISTORY}:{pid}"),
             ("怎么缴费", f"fee:{PAY}:{pid}")],
            [("收费标准", f"fee:{STANDARD}:{pid}"), ("收费公示", f"fee:{DISCLOSURE}:{pid}")]]


async def _premises(ctx: Context) -> list[OwnedPremises] | None:
    """The speaker's own premises, or None after telling them why they cannot ask."""
    if ctx.incoming.is_group:
        ctx.reply(IN_GROUP)
        return None
    mine = await owned_premises(ctx.session, ctx.speaker.person.id)
    if not mine:
        ctx.reply(NOT_OWNER, [[("绑定房屋", "bind")]])
        return None
    return mine


async def answer_fee_question(ctx: Context) -> None:
    """For the free-text intent fee_inquiry: answers the question the sentence asks."""
    await _answer(ctx, topic_of(ctx.incoming.text or ""))


async def _answer(ctx: Context, topic: str, premises_id: int | None = None) -> None:
    mine = await _premises(ctx)
    if mine is None:
        return
    if premises_id is not None:
        mine = [p for p in mine if p.id == premises_id]
        if not mine:
            ctx.reply("只能查询您本人名下房屋的费用。")
            return
    if topic == DISCLOSURE:  # one per estate, however many premises the owner has there
        first: dict[int, OwnedPremises] = {}
        for p in mine:
            first.setdefault(p.estate.id, p)
        mine = list(first.values())
    show = {SUMMARY: _summary, OUTSTANDING: _outstanding, HISTORY: _history, STANDARD: _standard,
            PAY: _pay, DISCLOSURE: _disclosure}[topic]
    for p in mine:
        await show(ctx, p)


def _head(p: OwnedPremises) -> str:
    return f"【{p.estate.name} {p.address}】"


async def _summary(ctx: Context, p: OwnedPremises) -> None:
    today = local_day(p.estate, ctx.now)
    bill = await current_bill(ctx.session, p.estate.id, p.id, p.area, today)
    if bill is None:
        ctx.reply(f"{_head(p)}本小区尚未在邻里登记收费标准，请咨询物业服务中心。")
        return
    lines = [_head(p), f"{bill.period.label()}物业费" + ("（账单尚未生成，按现行收费标准计算）：" if bill.estimated else "：")]
    lines += [f"· {name}：{explanation}" for name, explanation in bill.lines]
    lines.append(f"本期合计应缴 {format_yuan(bill.total)}，缴费期限 {format_date_zh(bill.due)}。")
    st = (await statements(ctx.session, [p.id], today))[p.id]
    if st.balance > 0:
        lines.append(f"目前待缴合计 {format_yuan(st.balance)}：" + "、".join(describe_outstanding(st)))
    elif st.periods:
        lines.append("已出账单均已缴清，谢谢您的支持！" + (f"预存余额 {format_yuan(st.credit)}。" if st.credit else ""))
    ctx.reply("\n".join(lines), _menu(p.id))


async def _outstanding(ctx: Context, p: OwnedPremises) -> None:
    st = (await statements(ctx.session, [p.id], local_day(p.estate, ctx.now)))[p.id]
    if not st.outstanding:
        credit = f"预存余额 {format_yuan(st.credit)}。" if st.credit else ""
        ctx.reply(f"{_head(p)}没有未缴的物业费。{credit}", _menu(p.id))
        return
    lines = [_head(p) + "未缴费用："]
    lines += [f"· {p_.period.label()}：应缴 {format_yuan(p_.billed)}，已缴 {format_yuan(p_.paid)}，"
              f"待缴 {format_yuan(p_.outstanding)}" + (f"（已过缴费期限 {format_date_zh(p_.due)}）" if p_.overdue
                                                   else f"（缴费期限 {format_date_zh(p_.due)}）")
              for p_ in st.outstanding]
    lines.append(f"合计待缴 {format_yuan(st.balance)}。如您近期已缴纳，请以物业服务中心入账为准。")
    ctx.reply("\n".join(lines), _menu(p.id))


async def _history(ctx: Context, p: OwnedPremises) -> None:
    st = (await statements(ctx.session, [p.id], local_day(p.estate, ctx.now)))[p.id]
    lines = [_head(p) + "最近的账单："]
    lines += [f"· {b.period.label()}：{format_yuan(b.billed)}，" + ("已缴清" if b.outstanding <= 0 else
                                                                 f"待缴 {format_yuan(b.outstanding)}")
              for b in st.periods[-6:]] or ["· 暂无账单"]
    pays = await payment_history(ctx.session, p.id, 5)
    lines.append("最近的缴费：")
    lines += [f"· {format_date_zh(x.paid_on)} {format_yuan(x.amount)}" + (f"（{x.reference}）" if x.reference else "")
              for x in pays] or ["· 暂无缴费记录"]
    ctx.reply("\n".join(lines), _menu(p.id))


async def _standard(ctx: Context, p: OwnedPremises) -> None:
    version = await schedule_in_force(ctx.session, p.estate.id, local_day(p.estate, ctx.now))
    if version is None:
        ctx.reply(f"{_head(p)}本小区尚未在邻里登记收费标准，请咨询物业服务中心。")
        return
    s = version.schedule
    lines = [f"【{p.estate.name}收费标准】（{format_date_zh(version.effective_from)}起执行，按{s.period_kind.label_zh}计费）"]
    lines += [f"· {i.name}：{i.standard}，{i.price_form.describe()}" for i in s.items]
    lines += [f"· {r.describe()}（{'、'.join(s.item(c).name for c in sorted(r.item_codes))}）" for r in s.reductions]
    lines.append(f"您家 {p.address} 按 {p.area}㎡ 计费（以不动产登记面积为准，无登记面积时按实测面积，再无时按合同面积）。")
    lines.append("计算方法：面积 × 单价 × 月数 − 减免；详见「收费公示」。")
    ctx.reply("\n".join(lines), _menu(p.id))


async def _pay(ctx: Context, p: OwnedPremises) -> None:
    how = (p.estate.settings or {}).get("fees", {}).get("how_to_pay")
    if not how:
        company = (await ctx.session.get(PropertyCompany, p.estate.property_company_id)
                   if p.estate.property_company_id else None)
        phone = f"（电话 {company.phone}）" if company and company.phone else ""
        how = f"请到物业服务中心{phone}缴纳，或按账单上的缴费方式办理，缴费后请索取收据。"
    st = (await statements(ctx.session, [p.id], local_day(p.estate, ctx.now)))[p.id]
    owed = f"您家目前待缴 {format_yuan(st.balance)}。\n" if st.balance > 0 else ""
    ctx.reply(f"{_head(p)}{owed}{how}\n邻里不代收任何款项，请勿向个人账户转账。", _menu(p.id))


async def _disclosure(ctx: Context, p: OwnedPremises) -> None:
    row = await latest_published(ctx.session, p.estate.id)
    if row is None:
        ctx.reply(f"{p.estate.name}尚未在邻里发布收费公示，可查看物业服务中心公示栏，或发送「收费标准」。")
        return
    await _show_disclosure(ctx, row)


async def _show_disclosure(ctx: Context, row: FeeDisclosureRecord) -> None:
    when = format_date_zh(local_day(await _estate(ctx, row.estate_id), row.published_at or ctx.now))
    ctx.reply(f"{row.text}\n（{when}发布）", [[("公示图片", f"fdimg:{row.id}"), ("打印版PDF", f"fdpdf:{row.id}")]])


async def _estate(ctx: Context, estate_id: int) -> Estate:
    e = await ctx.session.get(Estate, estate_id)
    assert e is not None
    return e


@router.command("fees", aliases=("物业费", "我的物业费", "我家物业费", "查物业费", "物业费查询"))
async def fees(ctx: Context) -> None:
    await _answer(ctx, SUMMARY)


@router.command("arrears", aliases=("欠费", "我的欠费", "欠费查询"))
async def arrears(ctx: Context) -> None:
    await _answer(ctx, OUTSTANDING)


@router.command("pay", aliases=("缴费", "怎么缴费", "缴费方式"))
async def pay(ctx: Context) -> None:
    await _answer(ctx, PAY)


@router.command("feestandard", aliases=("收费标准",))
async def standard(ctx: Context) -> None:
    await _answer(ctx, STANDARD)


@router.command("feehistory", aliases=("缴费记录",))
async def history(ctx: Context) -> None:
    await _answer(ctx, HISTORY)


@router.command("disclosure", aliases=("收费公示",))
async def disclosure(ctx: Context) -> None:
    await _answer(ctx, DISCLOSURE)


@router.button("fee")
async def fee_button(ctx: Context) -> None:
    parts = (ctx.incoming.payload or "").split(":")
    topic, pid = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
    if topic not in (SUMMARY, OUTSTANDING, HISTORY, STANDARD, PAY, DISCLOSURE) or not pid.isdigit():
        ctx.reply("这个按钮已失效，请发送「物业费」重新查询。")
        return
    await _answer(ctx, topic, int(pid))


async def _may_read_disclosure(ctx: Context, row: FeeDisclosureRecord) -> bool:
    actor = await ctx.actor()
    if row.estate_id in actor.owned_estates:
        return True
    return row.estate_id in {e.id for e, _ in await estates_where(ctx.session, actor, STATS_ROLES)}


async def _published(ctx: Context) -> FeeDisclosureRecord | None:
    ref = (ctx.incoming.payload or "").split(":")[-1]
    row = await ctx.session.get(FeeDisclosureRecord, int(ref)) if ref.isdigit() else None
    if row is None or row.status != "published" or not await _may_read_disclosure(ctx, row):
        ctx.reply("找不到这份收费公示（只有本小区的认证业主和工作人员可以查看）。")
        return None
    return row


@router.button("fdimg")
async def disclosure_image(ctx: Context) -> None:
    row = await _published(ctx)
    if row is not None:
        sheet = poster(*poster_lines(row, await _estate(ctx, row.estate_id)))
        ctx.reply("收费公示（图片，可转发或张贴）",
                  image=Attachment(f"fee-disclosure-{row.id}.png", "image/png", png(sheet)))


@router.button("fdpdf")
async def disclosure_pdf(ctx: Context) -> None:
    row = await _published(ctx)
    if row is not None:
        sheet = poster(*poster_lines(row, await _estate(ctx, row.estate_id)))
        ctx.reply("收费公示（PDF，可打印张贴于公示栏）",
                  document=Attachment(f"fee-disclosure-{row.id}.pdf", "application/pdf", pdf(sheet)))


# -- publishing the disclosure (committee, property staff) ------------------------------------------

async def _discloser_estate(ctx: Context, estate_id: int | None = None) -> tuple[Estate, Role] | None:
    options = await estates_where(ctx.session, await ctx.actor(), DISCLOSERS)
    if estate_id is not None:
        options = [o for o in options if o[0].id == estate_id]
    if not options:
        ctx.end_flow()
        ctx.reply("只有本小区的业委会成员或物业工作人员可以发布收费公示。")
        return None
    return options[0]


async def _review(ctx: Context, estate: Estate) -> None:
    c = await check(ctx.session, estate, ctx.now)
    if not c.problems:
        ctx.end_flow()
        ctx.reply("收费公示预览：\n" + render_text(c.disclosure) + "\n\n确认发布后，将通知本小区全体认证业主。",
                  [[("确认发布", f"fdpub:{estate.id}"), ("取消", "cancel")]])
        return
    missing = "\n".join(f"· {p.message}" for p in c.problems)
    fillable = [p for p in c.problems if p.field in FIELD_LABELS]
    hint = "" if fillable else ("\n收费项目和执行日期来自收费标准（linli fees schedule set），"
                                "年度收支等请用 linli fees disclosure draft 填写。")
    ctx.reply(f"{estate.name}收费公示暂不能发布：\n{missing}{hint}",
              [[("填写缺项", f"fdfill:{estate.id}"), ("取消", "cancel")]] if fillable else [])


@router.command("publishdisclosure", aliases=("发布收费公示", "收费公示发布"))
async def start_publish(ctx: Context) -> None:
    if ctx.incoming.is_group:
        ctx.reply("请私聊我发布收费公示。")
        return
    found = await _discloser_estate(ctx)
    if found is not None:
        await _review(ctx, found[0])


@router.button("fdfill")
async def fill_button(ctx: Context) -> None:
    found = await _discloser_estate(ctx, int((ctx.incoming.payload or "0:0").split(":")[1]))
    if found is not None:
        await _ask_next(ctx, found[0])


async def _ask_next(ctx: Context, estate: Estate) -> None:
    problems = {p.field for p in (await check(ctx.session, estate, ctx.now)).problems}
    field = next((f for f, _ in TYPED_FIELDS if f in problems), None)
    if field is None:
        await _review(ctx, estate)
        return
    ctx.goto(FILL, "value", estate_id=estate.id, field=field)
    hint = {"service_staff": "（格式：岗位 姓名 电话，多人用；分隔，例如：项目经理 王某 0471-6612345；客服 李某）",
            "complaint_phones": "（多个号码用、分隔，例如：12345、12315）"}.get(field, "")
    ctx.reply(f"请输入「{FIELD_LABELS[field]}」{hint}：", CANCEL)


@router.step(FILL, "value")
async def fill_value(ctx: Context) -> None:
    data = ctx.data
    found = await _discloser_estate(ctx, data.get("estate_id"))
    if found is None:
        return
    text = (ctx.incoming.text or "").strip()
    if not text:
        ctx.reply(f"请输入「{FIELD_LABELS[data['field']]}」，或点「取消」。", CANCEL)
        return
    try:
        await save_draft(ctx.session, found[0].id, {data["field"]: parse_field(data["field"], text)}, ctx.now)
    except FeeError as e:
        ctx.reply(str(e), CANCEL)
        return
    await _ask_next(ctx, found[0])


@router.button("fdpub")
async def confirm_publish(ctx: Context) -> None:
    found = await _discloser_estate(ctx, int((ctx.incoming.payload or "0:0").split(":")[1]))
    if found is None:
        return
    estate, role = found
    try:
        _, notice = await publish(ctx.session, estate, role, ctx.speaker.person.id, ctx.now)
    except DisclosureRefused:
        await _review(ctx, estate)
        return
    ctx.reply(f"已发布{estate.name}收费公示，已通知 {notice.recipients} 位认证业主。业主发送「收费公示」可随时查看。")


# -- reminders preview and collection rates (committee and staff) -----------------------------------

@router.command("remindpreview", aliases=("催缴预览",))
async def reminder_preview(ctx: Context) -> None:
    if ctx.incoming.is_group:
        ctx.reply("催缴名单涉及业主个人信息，不在群里显示，请私聊我查询。")
        return
    options = await estates_where(ctx.session, await ctx.actor(), (Role.COMMITTEE, Role.PROPERTY_STAFF))
    if not options:
        ctx.reply("只有本小区的业委会成员或物业工作人员可以预览催缴。")
        return
    for estate, _ in options:
        lines = preview_lines(await preview(ctx.session, estate, ctx.now), estate)
        sending = sum(1 for ln in lines if "— 将发送" in ln)
        head = f"【{estate.name}催缴预览】欠费 {len(lines)} 户，现在运行将提醒 {sending} 户（仅私信，每户每周最多1次、每期最多3次，21:00—08:00不发送）："
        ctx.reply("\n".join([head, *lines]) if lines else f"【{estate.name}】目前没有逾期欠费的房屋。")


@router.command("collection", aliases=("收缴率", "收缴情况"))
async def collection_rates(ctx: Context) -> None:
    options = await estates_where(ctx.session, await ctx.actor(), STATS_ROLES)
    if not options:
        ctx.reply("收缴率统计供业委会、物业和社区、街道工作人员查看。")
        return
    for estate, _ in options:
        report = await collection(ctx.session, estate, ctx.now)
        if ctx.incoming.is_group:
            # Groups get buildings and totals of the last finished period only, never a household.
            today = local_day(estate, ctx.now)
            finished = [c.key[1] for c in report.periods if c.key[1].end < today] or [c.key[1] for c in report.periods]
            if finished:
                ctx.reply(group_summary(estate.name, report.records, finished[-1]))
            else:
                ctx.reply(f"【{estate.name}】暂无账单。")
            continue
        bars = [(str(c.key[1]), c.percent) for c in report.buildings]
        bars += [(c.key[1].label(), c.percent) for c in report.periods]
        chart = rate_chart(f"{estate.name} 物业费收缴率", bars) if bars else None
        ctx.reply(collection_table(report),
                  image=Attachment(f"collection-{estate.code}.png", "image/png", chart) if chart else None)
