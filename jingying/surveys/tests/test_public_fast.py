"""The public submission's fast path (bench B5): the rules still hold when the repeated key or
device is caught by the unique constraints instead of being looked up first, and when the rate
limit and the identical-answers count share one statement."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError
from django.utils import timezone

from jingying.org.tests.factories import Tree
from jingying.surveys import public
from jingying.surveys.choices import CampaignKind, QuestionKind
from jingying.surveys.models import Answer, PublicSubmission, PublicThrottle, Response
from jingying.surveys.tests.factories import SCALE, make_campaign, make_version

pytestmark = pytest.mark.django_db

DEVICE = "d" * 30


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.JINGYING_PUBLIC_MIN_SECONDS = 0
    settings.JINGYING_PUBLIC_RATE_LIMIT = "30/600"
    settings.JINGYING_PUBLIC_BURST = "5/300"
    settings.JINGYING_PUBLIC_CACHE_SECONDS = 0


@pytest.fixture
def campaign() -> Any:
    tree = Tree()
    version = make_version(tree.county, code="pubfast", questions=[
        {"code": "overall", "kind": QuestionKind.RATING, "text": "总体评价", "options": SCALE},
        {"code": "words", "kind": QuestionKind.TEXTAREA, "text": "意见和建议", "required": False},
    ])
    return make_campaign(tree.station, version=version, kind=CampaignKind.PUBLIC, title="快速路径")


def submit(campaign: Any, key: str, device: str = DEVICE, address: str | None = "10.2.2.2",
           **answers: str) -> public.Submitted:
    return public.public_submit(campaign=campaign, raw=answers or {"overall": "4", "words": "好"}, key=key,
                                device=device, stamp=public.render_stamp(campaign), address=address)


def test_accepted_submission_writes_ledger_response_and_answers_together(campaign: Any) -> None:
    result = submit(campaign, "key-000001")
    assert not result.replay and result.submission.status == "accepted"
    stored = PublicSubmission.objects.get()
    assert stored.pk == result.submission.pk and stored.key == "key-000001" and stored.payload is None
    response = Response.objects.get(campaign=campaign)
    assert response.unit_id == campaign.unit_id and response.person_id is None
    assert response.submitted_on == timezone.localdate()
    assert sorted(Answer.objects.filter(response=response).values_list("choice", "text")) == [("", "好"), ("4", "")]


def test_same_device_same_day_stores_nothing_more(campaign: Any) -> None:
    submit(campaign, "key-000001")
    with pytest.raises(public.AlreadyTodayError):
        submit(campaign, "key-000002", overall="1")
    assert PublicSubmission.objects.count() == Response.objects.count() == 1
    assert Answer.objects.filter(choice="1").count() == 0


def test_a_retry_is_a_replay_even_when_it_would_now_be_refused(campaign: Any) -> None:
    first = submit(campaign, "key-000001")
    # Changed answers, a missing device, an invalid answer, a closed window: still the same receipt.
    assert submit(campaign, "key-000001", overall="2").replay
    assert submit(campaign, "key-000001", device="").replay
    assert submit(campaign, "key-000001", overall="9").replay
    later = campaign.closes_at + dt.timedelta(minutes=1)
    with mock.patch("jingying.surveys.public.timezone.now", return_value=later):
        again = submit(campaign, "key-000001")
    assert again.replay and again.submission.pk == first.submission.pk
    assert PublicSubmission.objects.count() == Response.objects.count() == 1


def test_invalid_submissions_count_towards_the_rate_limit(campaign: Any, settings: Any) -> None:
    settings.JINGYING_PUBLIC_RATE_LIMIT = "2/600"
    with pytest.raises(public.ValidationError):
        submit(campaign, "key-000001", overall="9")
    submit(campaign, "key-000002", device="e" * 30)
    with pytest.raises(public.RateLimitedError):
        submit(campaign, "key-000003", device="f" * 30)
    with pytest.raises(public.RateLimitedError):  # over the limit, even a broken one is refused as such
        submit(campaign, "bad key!", device="f" * 30)
    assert Response.objects.count() == 1
    # Another address, and no address at all (a caller that applies no limit), are not affected.
    assert not submit(campaign, "key-000004", device="g" * 30, address="10.2.2.3").replay
    assert not submit(campaign, "key-000005", device="h" * 30, address=None).replay
    assert PublicThrottle.objects.count() == 2


def test_identical_answers_counted_in_the_same_statement_as_the_limit(campaign: Any, settings: Any) -> None:
    settings.JINGYING_PUBLIC_BURST = "2/300"
    statuses = [submit(campaign, f"key-00000{i}", device=f"{i}" * 30).submission.status for i in range(4)]
    assert statuses == ["accepted", "accepted", "held", "held"]
    held = PublicSubmission.objects.filter(status="held")
    assert {s.reason for s in held} == {"burst"} and all(s.payload for s in held)
    assert Response.objects.count() == 2
    settings.JINGYING_PUBLIC_RATE_LIMIT = "0/600"  # no limit: the burst count alone
    assert submit(campaign, "key-000009", device="9" * 30).submission.status == "held"


def test_fast_insert_is_all_or_nothing(campaign: Any) -> None:
    submit(campaign, "key-000001")
    sub = PublicSubmission(campaign=campaign, key="key-000001", device="x" * 64, day=timezone.localdate(),
                           at=timezone.now(), digest="0" * 64)
    response = Response(campaign=campaign, unit_id=campaign.unit_id, submitted_on=timezone.localdate())
    question = campaign.version.questions.get(code="overall")
    with pytest.raises(IntegrityError):
        public.fast_insert([sub, response, Answer(response=response, question=question, choice="3")])
    assert Response.objects.count() == 1 and not Answer.objects.filter(choice="3").exists()
    assert sub._state.adding
