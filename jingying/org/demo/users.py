"""The fixed demo logins (jingying.core.serve.DEMO_USERNAMES), one per role, with their grants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import Count, Q

from jingying.accounts.models import Grant, User
from jingying.accounts.roles import Domain, Role
from jingying.core.serve import DEMO_PASSWORD, DEMO_USERNAMES
from jingying.org import idnumber
from jingying.org.choices import Category, Education, Gender, Level, PersonStatus, PoliticalStatus, Rank
from jingying.org.demo.generator import LEADER_POSITIONS, DemoUnits
from jingying.org.models import Person, Unit


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: Unit
    domains: tuple[str, ...]
    person: Person | None
    display_name: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def _serving_police(unit: Unit) -> list[Person]:
    return list(Person.objects.filter(unit=unit, category=Category.POLICE, status=PersonStatus.ACTIVE)
                .order_by("id"))


def _pick(unit: Unit | None, used: set[int], *, position: str | None = None, ordinary: bool = False) -> Person | None:
    if unit is None:
        return None
    people = [p for p in _serving_police(unit) if p.pk not in used]
    if position is not None:
        people = [p for p in people if p.position == position] or people
    if ordinary:
        people = [p for p in people if p.position not in LEADER_POSITIONS]
    if not people:
        return None
    used.add(people[0].pk)
    return people[0]


# Demo users whose unit has nobody suitable (a very small --people) get a serving officer from
# elsewhere posted there, or, when the force has none to spare, one made for them; so every guide
# that says "sign in as officer and open your profile" works at any size.
_STAND_IN_NAMES = ["巴图", "张建华", "朝鲁", "刘振宇", "孟和", "王立新", "苏和", "赵海峰"]  # men: gender is male


def _stand_in(unit: Unit | None, used: set[int], position: str) -> Person | None:
    if unit is None:
        return None
    # In a tiny force nearly every officer heads a unit; take whoever is free, last first.
    spare = (Person.objects.filter(category=Category.POLICE, status=PersonStatus.ACTIVE)
             .exclude(pk__in=used).order_by("-id").first())
    if spare is not None:
        Person.objects.filter(pk=spare.pk).update(unit=unit, position=position)
        spare.unit, spare.position = unit, position
        used.add(spare.pk)
        return spare
    taken = set(Person.objects.exclude(police_number=None).values_list("police_number", flat=True))
    number = next(f"{n:06d}" for n in range(990001, 999999) if f"{n:06d}" not in taken)
    birth = dt.date(1988, 5, 12)
    address = (unit.division_code or "150000")[:6]
    existing = set(Person.objects.filter(id_number__startswith=f"{address}{birth:%Y%m%d}").values_list("id_number", flat=True))
    id_number = next(v for seq in range(1, 999, 2) if (v := idnumber.make(address, birth, seq)) not in existing)
    person = Person.objects.create(
        name=_STAND_IN_NAMES[len(used) % len(_STAND_IN_NAMES)], gender=Gender.MALE, birth_date=birth,
        id_number=id_number, police_number=number, category=Category.POLICE, unit=unit, position=position,
        rank=Rank.JINGSI_1, level=Level.ZF10, political_status=PoliticalStatus.CPC, education=Education.BACHELOR,
        police_start_date=dt.date(2010, 7, 1), status=PersonStatus.ACTIVE,
    )
    used.add(person.pk)
    return person


def _pick_or_make(unit: Unit | None, used: set[int], *, position: str, ordinary: bool = False) -> Person | None:
    return _pick(unit, used, position=position, ordinary=ordinary) or _stand_in(unit, used, position)


def demo_scopes(units: DemoUnits) -> dict[str, Unit]:
    """Where the unit-level demo users sit: 呼和浩特市公安局, its first district branch, and that
    branch's best-staffed station."""
    city = units.by_code["150100"]
    county = units.by_code["150102"]
    stations = [u for u in units.stations if u.parent_id == county.pk]
    counts = dict(
        Unit.objects.filter(pk__in=[s.pk for s in stations])
        .annotate(n=Count("people", filter=Q(people__category=Category.POLICE, people__status=PersonStatus.ACTIVE)))
        .values_list("pk", "n")
    )
    station = max(stations, key=lambda s: (counts.get(s.pk, 0), -s.pk))
    return {"region": units.region, "city": city, "county": county, "station": station}


def create_demo_users(units: DemoUnits) -> list[DemoLogin]:
    """Create (or reset) the twelve demo users with the demo password and their grants."""
    scopes = demo_scopes(units)
    region, city, county, station = scopes["region"], scopes["city"], scopes["county"], scopes["station"]
    by_code = units.by_code
    used: set[int] = set()
    # Later modules widen what these roles may do; the grants themselves are fixed here.
    specs: list[tuple[str, str, Unit, tuple[str, ...], Person | None, str]] = [
        ("region", Role.POLITICAL, region, (Domain.FUND,), _pick_or_make(units.region_political, used, position="科员"), "厅政治部"),
        ("city", Role.POLITICAL, city, (), _pick_or_make(units.city_political.get(city.code), used, position="科员"),
         "市局政治部"),
        ("county", Role.LEADER, county, (), _pick_or_make(county, used, position="局长"), "分局局长"),
        ("station", Role.LEADER, station, (), _pick_or_make(station, used, position="所长"), "派出所所长"),
        ("officer", Role.OFFICER, station, (), _pick_or_make(station, used, position="社区民警", ordinary=True), "民警"),
        ("counsellor", Role.COUNSELLOR, region, (Domain.PSYCH,),
         _pick_or_make(by_code.get("150000CYDJ"), used, position="心理咨询师"), "心理咨询师"),
        ("doctor", Role.MEDICAL, region, (Domain.HEALTH,), None, "医疗联络员"),
        ("inspector", Role.INSPECTOR, region, (Domain.INTEGRITY,),
         _pick_or_make(by_code.get("150000DC"), used, position="科员"), "督察"),
        ("publicity", Role.PUBLICITY, region, (), _pick_or_make(by_code.get("150000XC"), used, position="科员"),
         "宣传干部"),
        ("sysadmin", Role.SYSADMIN, region, (), None, "系统管理员"),
        ("secadmin", Role.SECADMIN, region, (), None, "安全管理员"),
        ("auditor", Role.AUDITOR, region, (), None, "安全审计员"),
    ]
    assert [s[0] for s in specs] == list(DEMO_USERNAMES)
    password = make_password(DEMO_PASSWORD)  # one hash for all twelve: argon2 is slow on purpose
    logins: list[DemoLogin] = []
    for username, role, unit, domains, person, title in specs:
        display = f"{person.name}（{title}）" if person else title
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"password": password, "person": person, "display_name": display, "is_active": True},
        )
        Grant.objects.filter(user=user).delete()
        Grant.objects.create(user=user, role=role, unit=unit, domains=[str(d) for d in domains],
                             reason="演示账号")
        logins.append(DemoLogin(username, str(role), unit, tuple(str(d) for d in domains), person, display))
    return logins


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, role, scope, person) of the demo users present in the database."""
    rows = []
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("person")}
    grants = {g.user_id: g for g in Grant.objects.filter(user__in=users.values()).select_related("unit")}
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        grant = grants.get(user.pk)
        role = grant.get_role_display() if grant else ""
        if grant and grant.domains:
            role = f"{role}[{','.join(grant.domains)}]"
        scope = grant.unit.name if grant else ""
        rows.append((username, str(role), scope, user.person.name if user.person else ""))
    return rows
