"""Objects for the psych tests: a force with an officer, counsellors and a screening round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.core.scoping import SYSTEM
from jingying.health.models import AvailabilitySlot, Counsellor, ScreeningRound
from jingying.health.services import screening
from jingying.org.models import Person, Unit
from jingying.org.tests.factories import PersonFactory, Tree, make_user

PHQ9_SAFE = [0, 1, 0, 1, 0, 0, 1, 0, 0]  # total 3, item 9 = 0
PHQ9_SAFETY = [2, 2, 1, 1, 1, 1, 1, 1, 2]  # total 12, item 9 = 2 (emergent)
GAD7_LOW = [0, 1, 0, 0, 1, 0, 0]


def make_round(unit: Unit, *, instruments: tuple[str, ...] = ("PHQ-9", "GAD-7"), actor: Any = SYSTEM,
               days: int = 10) -> ScreeningRound:
    now = timezone.now()
    return screening.round_create(actor=actor, unit=unit, title="年度心理筛查", year=now.year,
                                  instruments=list(instruments), opens_at=now - dt.timedelta(days=1),
                                  closes_at=now + dt.timedelta(days=days))


def raw_for(screening_round: ScreeningRound, code: str, answers: list[int]) -> dict[str, Any]:
    link = screening_round.campaigns.get(instrument_code=code)
    questions = [q for q in link.campaign.version.questions.order_by("position") if q.instrument_item]
    by_item = {q.instrument_item: q.code for q in questions}
    return {by_item[str(n)]: str(v) for n, v in enumerate(answers, start=1)}


@dataclass
class PsychWorld:
    tree: Tree
    officer_person: Person
    officer: Any
    leader: Any
    political: Any
    counsellor: Any
    counsellor_profile: Counsellor
    other_counsellor: Any
    other_profile: Counsellor
    head: Any
    head_profile: Counsellor


def psych_world() -> PsychWorld:
    tree = Tree()
    person = PersonFactory(unit=tree.station, name="王警官", phone="13800000000")
    officer = make_user("officer1", role=Role.OFFICER, unit=tree.station, person=person)
    leader = make_user("leader1", role=Role.LEADER, unit=tree.station, person=PersonFactory(unit=tree.station))
    political = make_user("political1", role=Role.POLITICAL, unit=tree.city)
    counsellor = make_user("counsellor1", role=Role.COUNSELLOR, unit=tree.city, domains=["psych"])
    other = make_user("counsellor2", role=Role.COUNSELLOR, unit=tree.region, domains=["psych"])
    head = make_user("head1", role=Role.COUNSELLOR, unit=tree.region, domains=["psych"])
    profile = Counsellor.objects.create(user=counsellor, unit=tree.city, name="李咨询师", languages=["zh", "mn"])
    other_profile = Counsellor.objects.create(user=other, unit=tree.region, name="赵咨询师", languages=["zh"])
    head_profile = Counsellor.objects.create(user=head, unit=tree.region, name="主任", languages=["zh"], is_head=True)
    return PsychWorld(tree, person, officer, leader, political, counsellor, profile, other, other_profile, head,
                      head_profile)


def make_slot(counsellor: Counsellor, *, hours: int = 24) -> AvailabilitySlot:
    start = timezone.now() + dt.timedelta(hours=hours)
    return AvailabilitySlot.objects.create(counsellor=counsellor, starts_at=start,
                                           ends_at=start + dt.timedelta(minutes=50))
