"""Fee disclosure: every required field, and a month's notice of a price change."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from core.fees import (
    AnnualAccount,
    BillingMethod,
    FeeDisclosure,
    FeeItem,
    ProblemKind,
    SharedUtility,
    StaffMember,
    government_guided,
    render_text,
    validate_for_publication,
)
from core.fees.disclosure import describe_billing_methods, describe_charging_starts

CST = timezone(timedelta(hours=8))
WY = FeeItem("WY", "物业服务费", BillingMethod.PER_AREA_MONTH, date(2025, 1, 1), rate=D("0.30"),
             price_form=government_guided("0.30", "10"))
CW = FeeItem("CW", "停车费", BillingMethod.PER_PARKING_SPACE_MONTH, date(2025, 1, 1), rate=D("150"))
GG = FeeItem("GG", "公共水电分摊", BillingMethod.SHARED_BY_AREA, date(2025, 1, 1))
ITEMS = (WY, CW, GG)

FULL = FeeDisclosure(
    estate_name="和园小区",
    company_name="包头市某物业服务有限公司",
    charged_party="和园小区全体业主（已交付房屋）",
    service_content="公共区域保洁、秩序维护、共用设施设备日常维护、绿化养护",
    service_standard="《住宅物业服务等级规范》二级",
    billing_method=describe_billing_methods(ITEMS),
    charging_starts=describe_charging_starts(ITEMS),
    fee_items=ITEMS,
    legal_basis="《物业服务收费管理办法》；区物业服务收费指导价文件",
    service_staff=(StaffMember("项目经理", "王某", "0472-1234567"), StaffMember("维修", "李某")),
    repair_reporting="物业服务中心 0472-1234567（24小时）；或在邻里对话中直接报修",
    shared_utilities_method="公共照明、电梯、二次供水用电按季度按建筑面积分摊",
    shared_utilities=(SharedUtility("2025年第1季度公共区域电费", D("3600.00")),),
    annual_accounts=(AnnualAccount(2024, D("812000.00"), D("36500.00"), D("0"),
                                   (("人员工资", D("560000.00")), ("公共能耗", D("98000.00")))),),
)
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=CST)


def test_a_complete_disclosure_may_be_published():
    assert validate_for_publication(FULL, NOW) == []


def test_missing_start_of_charging_is_refused():
    problems = validate_for_publication(replace(FULL, charging_starts=" "), NOW)
    assert [p.message for p in problems] == ["缺少必填项：计费起始时间"]
    assert problems[0].kind is ProblemKind.MISSING and problems[0].field == "charging_starts"


@pytest.mark.parametrize("field,value,label", [
    ("company_name", "", "物业服务企业名称"),
    ("charged_party", "", "收费对象"),
    ("service_content", "", "服务内容"),
    ("service_standard", "", "服务标准"),
    ("billing_method", "", "计费方式"),
    ("legal_basis", "", "收费依据"),
    ("fee_items", (), "收费项目及收费标准"),
    ("complaint_phones", (), "价格举报电话"),
    ("service_staff", (), "服务人员"),
    ("repair_reporting", "", "报修方式"),
    ("shared_utilities_method", "", "公共水电分摊方式"),
])
def test_each_required_field_is_named(field, value, label):
    problems = validate_for_publication(replace(FULL, **{field: value}), NOW)
    assert [p.message for p in problems] == [f"缺少必填项：{label}"]


def test_shared_utilities_method_only_needed_when_something_is_shared():
    d = replace(FULL, fee_items=(WY, CW), shared_utilities_method="", shared_utilities=())
    assert validate_for_publication(d, NOW) == []


def test_yearly_accounts_must_state_income_from_common_parts():
    acc = AnnualAccount(2024, D("812000.00"), None)
    problems = validate_for_publication(replace(FULL, annual_accounts=(acc,)), NOW)
    assert [p.message for p in problems] == ["缺少必填项：2024年度共有部分经营收益（没有收益请填0）"]


RAISED = replace(WY, rate=D("0.33"))  # within 0.30 ± 10%


def test_price_change_effective_in_two_weeks_is_refused():
    # Published 10 March; one month later is 10 April. Two weeks (24 March) is too early.
    d = replace(FULL, fee_items=(RAISED, CW, GG), effective_from=date(2025, 3, 24))
    problems = validate_for_publication(d, NOW, previous=FULL)
    assert [p.kind for p in problems] == [ProblemKind.NOTICE_TOO_SHORT]
    assert problems[0].message == ("物业服务费收费标准调整须提前一个月公示：2025年3月10日公示，"
                                   "最早2025年4月10日起执行，拟定的2025年3月24日过早")


def test_price_change_effective_one_month_later_is_accepted():
    ok = replace(FULL, fee_items=(RAISED, CW, GG), effective_from=date(2025, 4, 10))
    assert validate_for_publication(ok, NOW, previous=FULL) == []
    early = replace(ok, effective_from=date(2025, 4, 9))
    assert len(validate_for_publication(early, NOW, previous=FULL)) == 1


def test_one_month_is_clamped_to_month_end():
    d = replace(FULL, fee_items=(RAISED, CW, GG), effective_from=date(2025, 2, 28))
    # Published 31 January 2025: earliest 28 February.
    assert validate_for_publication(d, date(2025, 1, 31), previous=FULL) == []
    assert validate_for_publication(replace(d, effective_from=date(2025, 2, 27)), date(2025, 1, 31), previous=FULL)
    # 2024 is a leap year: earliest 29 February.
    assert validate_for_publication(replace(d, effective_from=date(2024, 2, 28)), date(2024, 1, 31), previous=FULL)
    assert validate_for_publication(replace(d, effective_from=date(2024, 2, 29)), date(2024, 1, 31), previous=FULL) == []


def test_price_change_needs_an_effective_date():
    problems = validate_for_publication(replace(FULL, fee_items=(RAISED, CW, GG)), NOW, previous=FULL)
    assert [p.message for p in problems] == ["缺少必填项：执行日期（物业服务费收费标准有调整）"]


def test_a_new_fee_item_is_a_price_change():
    new = FeeItem("LJ", "垃圾清运费", BillingMethod.FIXED_PER_PREMISES_MONTH, date(2025, 4, 1), rate=D("5"))
    d = replace(FULL, fee_items=ITEMS + (new,), effective_from=date(2025, 3, 20))
    assert [p.kind for p in validate_for_publication(d, NOW, previous=FULL)] == [ProblemKind.NOTICE_TOO_SHORT]


def test_same_standards_need_no_notice():
    # Republishing with staff changed only: the same standards, no effective date needed.
    d = replace(FULL, service_staff=(StaffMember("项目经理", "赵某"),))
    assert validate_for_publication(d, NOW, previous=FULL) == []


def test_render_text_is_a_readable_chinese_message():
    text = render_text(replace(FULL, effective_from=date(2025, 4, 10)))
    for expected in ("【收费公示】和园小区", "物业服务企业：包头市某物业服务有限公司", "收费对象：",
                     "计费起始时间：物业服务费自2025年1月1日起计费",
                     "物业服务费：0.30元/㎡·月，政府指导价（基准价0.30元，浮动幅度±10%）",
                     "停车费：150.00元/个·月，市场调节价", "执行日期：2025年4月10日起",
                     "服务人员：项目经理 王某 0472-1234567；维修 李某", "报修方式：",
                     "2025年第1季度公共区域电费：¥3,600.00",
                     # 812,000 + 36,500 = 848,500 income; 560,000 + 98,000 = 658,000 spent; 190,500 left
                     "2024年度收支：物业费收入¥812,000.00，共有部分经营收益¥36,500.00",
                     "合计收入¥848,500.00；支出合计¥658,000.00，结余¥190,500.00",
                     "价格举报电话：12345、12315"):
        assert expected in text, expected


def test_complaint_number_is_configurable():
    text = render_text(replace(FULL, complaint_phones=("0472-12345",)))
    assert text.splitlines()[-1] == "价格举报电话：0472-12345"
