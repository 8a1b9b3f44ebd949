"""Demo partner hospitals (警医协作) for the demo force: one or two per city bureau with their
green-channel services and police windows, and a few direct referrals. Deterministic for the seed;
idempotent (does nothing when hospitals exist)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingying.care.models import GreenChannelService, PartnerHospital, PoliceWindow, Referral
from jingying.org.choices import PersonStatus, UnitKind
from jingying.org.models import Person, Unit

SERVICES = [("priority", "民警凭警官证优先挂号、优先检查"), ("consult", "疑难病症专家会诊"),
            ("inpatient", "住院床位优先安排"), ("emergency", "因公负伤急诊优先救治"), ("checkup", "年度健康体检")]
REASONS = ["反复胸闷，需心内科进一步检查", "腰椎间盘突出，需骨科专家会诊", "因公负伤后复查", "长期失眠，需专科评估",
           "高血压控制不佳，需调整用药"]


@transaction.atomic
def load_demo_hospitals(*, seed: int) -> dict[str, Any]:
    if PartnerHospital.objects.exists():
        return {"hospitals": 0}
    rng = random.Random(seed + 9)
    today = timezone.localdate()
    cities = list(Unit.objects.filter(kind=UnitKind.CITY_BUREAU).order_by("code"))
    hospitals = []
    for city in cities:
        place = city.name.removesuffix("公安局")
        names = [f"{place}第一人民医院", f"{place}中医医院"] if rng.random() < 0.6 else [f"{place}人民医院"]
        for i, name in enumerate(names):
            start = dt.date(today.year - 2 - rng.randrange(2), 1, 1)
            hospitals.append(PartnerHospital(
                unit=city, name=name, level="3a" if i == 0 else "3b", address=f"{place}{rng.choice(['新华', '人民', '团结', '健康'])}路{rng.randrange(1, 300)}号",
                contact_name=rng.choice(["王", "李", "张", "刘", "赵", "乌日娜", "巴特尔"]) + ("主任" if i == 0 else "医生"),
                contact_phone=f"0{rng.randrange(470, 480)}-{rng.randrange(2000000, 8999999)}",
                contract_start=start, contract_end=dt.date(today.year + 1 + rng.randrange(2), 12, 31),
                note="签订警医协作协议，开通民警就医绿色通道"))
    PartnerHospital.objects.bulk_create(hospitals)
    services, windows = [], []
    for h in PartnerHospital.objects.all():
        for kind, text in rng.sample(SERVICES, rng.randrange(3, 6)):
            services.append(GreenChannelService(hospital=h, kind=kind, description=text, contact=h.contact_phone))
        windows.append(PoliceWindow(hospital=h, location="门诊楼一层警医服务窗口", hours="工作日 8:00-17:30",
                                    contact=h.contact_phone))
    GreenChannelService.objects.bulk_create(services)
    PoliceWindow.objects.bulk_create(windows)
    # A few direct referrals (not from checkups) across the force.
    by_city = {h.unit_id: h for h in PartnerHospital.objects.order_by("id")}
    people = list(Person.objects.filter(status=PersonStatus.ACTIVE).values_list("pk", "unit__path"))
    city_paths = {c.pk: c.path for c in cities}
    referrals = []
    for pid, path in rng.sample(people, min(40, len(people))):
        city_id = next((cid for cid, cpath in city_paths.items() if path.startswith(cpath)), None)
        if city_id is None or city_id not in by_city:
            continue
        day = today - dt.timedelta(days=rng.randrange(1, 700))
        status = rng.choices(["referred", "seen", "closed"], [1, 2, 6])[0]
        referrals.append(Referral(
            person_id=pid, hospital=by_city[city_id], reason=rng.choice(REASONS), source="manual", referred_on=day,
            status=status, seen_on=day + dt.timedelta(days=rng.randrange(1, 10)) if status != "referred" else None,
            outcome="已就诊，遵医嘱治疗后好转" if status == "closed" else ""))
    Referral.objects.bulk_create(referrals)
    return {"hospitals": len(hospitals), "referrals": len(referrals)}
