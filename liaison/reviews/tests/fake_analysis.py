"""A satisfaction analysis with known figures, built from the satisfaction app's own dataclasses.

The pack tests use it in place of ``round_analysis`` so they test the pack, not the scoring.
"""

import dataclasses
import datetime as dt

from liaison.satisfaction.analysis import CriterionMean, CustomerRow, RoundAnalysis, ScoreCount, TrendPoint

CRITERIA = [("quality", "產品質量", 4.4), ("delivery", "交貨期", 3.6), ("price", "價格", 3.9),
            ("service", "服務", 4.3), ("communication", "溝通", 4.2)]


def analysis(survey_round) -> RoundAnalysis:
    trend = [
        TrendPoint("2025-10", "SR-2025-0002", dt.date(2025, 10, 15), 70.0, 3.85, 75.0),
        TrendPoint("2026-04", "SR-2026-0001", dt.date(2026, 4, 15), 72.0, 3.97, 80.0),
        TrendPoint("2026-10", survey_round.number, dt.date(2026, 10, 15), 75.0, 4.12, 83.0),
    ]
    customers = [
        CustomerRow(1, "杭州天成汽車零部件有限公司", 1, "F10-2026-0001", "survey", 2.8, 2.8, True, "CAPA-2026-0003"),
        CustomerRow(2, "深圳市华南精密电子有限公司", 2, "F10-2026-0002", "survey", 4.5, 4.5, False, None),
    ]
    # Newer analyses page the customer rows (``customers_total``, ``customer_offset``): all of them here.
    paging = {"customers_total": len(customers), "customer_offset": 0}
    fields = {field.name for field in dataclasses.fields(RoundAnalysis)}
    return RoundAnalysis(
        **{name: value for name, value in paging.items() if name in fields},
        round_id=survey_round.pk,
        round_number=survey_round.number,
        sent=12, returned=9, chased=4, void=1, pending=0, expired=2, other_sources=1,
        response_rate=75.0,
        criteria=[CriterionMean(code, label, 1.0, mean, 9) for code, label, mean in CRITERIA],
        weighted_index=4.12, index_percent=78.0, csat=83.0, answers=45,
        distribution=[ScoreCount(score, count) for score, count in [(1, 1), (2, 3), (3, 8), (4, 20), (5, 13)]],
        trend=trend,
        customers=customers,
        dissatisfied_count=1, threshold=3,
        window_start=dt.date(2026, 4, 16), window_end=dt.date(2026, 10, 15),
    )


def round_analysis(*, survey_round) -> RoundAnalysis:
    return analysis(survey_round)
