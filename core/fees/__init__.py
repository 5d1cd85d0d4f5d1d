"""The rules of fees, fee disclosures and reminders, as pure functions over exact Decimal amounts.

No database, no clock, no I/O: services pass in the schedule, the premises facts, the period, the
history and the current time, and store what comes out.

- money:      Decimal 元, the one rounding rule (each line rounded once to fen, ROUND_HALF_UP), formats
- periods:    month / quarter / half-year / year periods; "N months later" with the day clamped
- span:       charged time in months, prorated by day for a mid-month start
- schedule:   fee items, price forms, reductions, free months, declining subsidies
- billing:    bill_for(area, facts, schedule, period) -> Bill, every line with its arithmetic
- statement:  balance and arrears from bills and payments (oldest first unless allocated)
- disclosure: 收费公示 fields, validate_for_publication, render_text
- reminders:  decide() when a reminder may be sent, compose() its polite wording, check_wording()
- collection: collection rates and a group-safe summary
"""
from core.fees.billing import Bill, BillLine, bill_for
from core.fees.collection import (
    CollectionRate,
    CollectionRecord,
    by_building,
    by_estate,
    by_period,
    collection_rates,
    group_summary,
)
from core.fees.disclosure import (
    AnnualAccount,
    FeeDisclosure,
    Problem,
    ProblemKind,
    SharedUtility,
    StaffMember,
    render_text,
    validate_for_publication,
)
from core.fees.money import format_cny, format_yuan, to_fen, yuan
from core.fees.periods import Period, PeriodKind, add_months, periods_between
from core.fees.reminders import (
    Arrears,
    ChatKind,
    Decision,
    Household,
    Reason,
    SentReminder,
    check_wording,
    compose,
    decide,
)
from core.fees.schedule import (
    MARKET,
    BillingMethod,
    FeeItem,
    FeeRuleError,
    FeeSchedule,
    PremisesFacts,
    PriceForm,
    PriceFormKind,
    Reduction,
    ReductionCategory,
    SharedCost,
    Subsidy,
    SubsidyMode,
    declining_subsidies,
    government_guided,
)
from core.fees.statement import Charge, Payment, PeriodBalance, Statement, due_date, statement

__all__ = [
    "MARKET", "AnnualAccount", "Arrears", "Bill", "BillLine", "BillingMethod", "Charge", "ChatKind",
    "CollectionRate", "CollectionRecord", "Decision", "FeeDisclosure", "FeeItem", "FeeRuleError",
    "FeeSchedule", "Household", "Payment", "Period", "PeriodBalance", "PeriodKind", "PremisesFacts",
    "PriceForm", "PriceFormKind", "Problem", "ProblemKind", "Reason", "Reduction", "ReductionCategory",
    "SentReminder", "SharedCost", "SharedUtility", "StaffMember", "Statement", "Subsidy", "SubsidyMode",
    "add_months", "bill_for", "by_building", "by_estate", "by_period", "check_wording", "collection_rates",
    "compose", "decide", "declining_subsidies", "due_date", "format_cny", "format_yuan",
    "government_guided", "group_summary", "periods_between", "render_text", "statement", "to_fen",
    "validate_for_publication", "yuan",
]
