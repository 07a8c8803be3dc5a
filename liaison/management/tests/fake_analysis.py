"""A stand-in for the satisfaction app's round analysis, shaped as the pack's adapter expects it."""

from dataclasses import dataclass, field


@dataclass
class CriterionMean:
    label: str
    mean: float


@dataclass
class RoundPoint:
    label: str
    index: float


@dataclass
class CustomerIndex:
    customer_name: str
    index: float


@dataclass
class FakeAnalysis:
    sent: int = 12
    returned: int = 9
    void: int = 1
    response_rate: float = 0.75
    weighted_index: float = 4.12
    csat: float = 0.83
    criteria: list = field(
        default_factory=lambda: [
            CriterionMean("產品質量", 4.4), CriterionMean("交貨期", 3.6), CriterionMean("價格", 3.9),
            CriterionMean("服務", 4.3), CriterionMean("溝通", 4.2),
        ]
    )
    distribution: dict = field(default_factory=lambda: {"1": 1, "2": 3, "3": 8, "4": 20, "5": 13})
    trend: list = field(
        default_factory=lambda: [RoundPoint("SR-2025-0002", 3.85), RoundPoint("SR-2026-0001", 3.97),
                                 RoundPoint("SR-2026-0002", 4.12)]
    )
    per_customer: list = field(
        default_factory=lambda: [CustomerIndex("杭州天成汽車零部件有限公司", 2.8), CustomerIndex("深圳市华南精密电子有限公司", 4.5)]
    )


def round_analysis(*, survey_round):
    return FakeAnalysis()
