"""Seeded responses for the analysis tests: rows written straight into Response/Answer (as
campaign_flush would), so a test can hold hundreds of respondents with known attributes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jingying.org.models import Unit
from jingying.surveys import logic
from jingying.surveys.models import Answer, Campaign, Response
from jingying.surveys.services import _rows


def add_responses(campaign: Campaign, unit: Unit, n: int, *, category: str = "police", age_band: str = "30-39",
                  **answers: Any) -> None:
    questions = {q.code: q for q in campaign.version.questions.order_by("position")}
    clean, errors = logic.clean_answers([logic.Spec.of(q) for q in questions.values()], answers)
    assert not errors, errors
    rows = _rows(questions, clean)
    responses = Response.objects.bulk_create([Response(campaign=campaign, unit=unit, category=category,
                                                       age_band=age_band) for _ in range(n)])
    Answer.objects.bulk_create([
        Answer(response=r, question_id=qid, row=row, choice=choice,
               number=None if number is None else Decimal(number), text=text)
        for r in responses for qid, row, choice, number, text in rows
    ])
