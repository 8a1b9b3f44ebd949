"""A deterministic, realistic Inner Mongolia force: units, people, families, history.

The same seed (and reference date) always gives the same force. Later modules and the
benchmark build on three calls:

    units = build_units(seed)                       # the unit tree, saved
    for person in generate_people(units, n, seed):  # unsaved Person objects, in unit order
        ...
    summary = load_demo(people=3000, seed=2026)     # both, plus families, users and one audit entry

Each generated Person carries its unsaved family (`person.demo_family`) and career history
(`person.demo_history`); `save_people()` writes them in chunks with bulk_create.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from jingying.core import bulk
from jingying.org import idnumber
from jingying.org.choices import (
    Category,
    Education,
    Gender,
    HistoryField,
    PersonStatus,
    PoliticalStatus,
    Rank,
    Relation,
    UnitKind,
)
from jingying.org.demo import names
from jingying.org.demo.units import (
    CITIES,
    CITY_BY_CODE,
    CITY_OFFICES,
    COUNTY_OFFICES,
    DEPARTMENT_NAME,
    DEPARTMENT_OFFICES,
    DEPARTMENT_POLITICAL_OFFICES,
    DEPARTMENT_SHORT,
    DISTRICT_POSTS,
    DISTRICT_STATIONS,
    PROVINCE_CODE,
    RURAL_POSTS,
    RURAL_STATIONS,
    City,
    county_bureau_names,
    county_political_name,
    is_district,
)
from jingying.org.models import Dependent, Person, PersonHistory, Unit, path_segment

DEFAULT_SEED = 2026
CHUNK = 2000

# --- the unit tree ---------------------------------------------------------------------------


@dataclass
class UnitInfo:
    """What the generator needs to know about a unit to staff it."""

    unit: Unit
    role: str  # region_hq, region_office, city_hq, city_office, county_hq, county_office, station, post
    leaders: str  # key into LEADERS
    track: str  # 职级 sequence: zf 执法勤务, zh 综合管理, js 警务技术
    city: City | None
    county_code: str  # GB/T 2260 code of the county the unit sits in ("" above county level)
    county_name: str
    weight: float = 1.0
    aux_share: float = 0.4


@dataclass
class DemoUnits:
    """The demo tree, by what later code looks for. Behaves like a read-only dict too."""

    region: Unit
    region_political: Unit
    cities: list[Unit]
    city_political: dict[str, Unit]  # city code -> its 政治部
    counties: list[Unit]
    stations: list[Unit]
    posts: list[Unit]
    all: list[Unit]
    by_code: dict[str, Unit]
    info: dict[int, UnitInfo] = field(repr=False)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def keys(self) -> list[str]:
        return ["region", "region_political", "cities", "city_political", "counties", "stations", "posts",
                "all", "by_code", "info"]

    def children(self, unit: Unit) -> list[Unit]:
        return [u for u in self.all if u.parent_id == unit.pk]

    def subtree(self, unit: Unit) -> list[Unit]:
        return [u for u in self.all if u.path.startswith(unit.path)]


def _insert_level(rows: list[Unit]) -> None:
    """Insert one tree level (parents already have paths), then set path and depth."""
    insert_rows(Unit, rows)
    for unit in rows:
        parent = unit.parent
        unit.path = (parent.path if parent else "") + path_segment(unit.pk)
        unit.depth = parent.depth + 1 if parent else 0
    table = connection.ops.quote_name(Unit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET path = %s, depth = %s WHERE id = %s",  # noqa: S608
                           [(u.path, u.depth, u.pk) for u in rows])


def _reserve_ids(model: type[models.Model], n: int) -> list[int] | None:
    """n fresh primary keys, or None where this database has no cheap way to reserve them.

    SQLite: the transaction holds the write lock (transaction_mode IMMEDIATE), so max(id)+1…
    is ours. PostgreSQL: draw them from the table's sequence.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + n))
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
    return None


def _getter(f: models.Field) -> Callable[[Any], Any]:
    """How to turn the field's value on an object into a database parameter, cheaply.

    The generic get_db_prep_save costs more than the INSERT for the handful of field types
    used here; other types keep it.
    """
    attname = f.attname
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        now = f.get_db_prep_save(timezone.now(), connection)
        return lambda obj: now
    if isinstance(f, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda obj: adapt(getattr(obj, attname))
    if isinstance(f, models.DateField):
        adapt_date = connection.ops.adapt_datefield_value
        return lambda obj: adapt_date(getattr(obj, attname))
    if isinstance(f, (models.CharField, models.TextField)):
        def text(obj: Any) -> Any:
            value = getattr(obj, attname)
            return value if value is None or type(value) is str else str(value)  # TextChoices members
        return text
    if isinstance(f, (models.IntegerField, models.BooleanField, models.ForeignKey)):
        def plain(obj: Any) -> Any:
            value = getattr(obj, attname)
            return value if value is None or type(value) in (int, bool) else int(value)  # IntegerChoices
        return plain
    return lambda obj: f.get_db_prep_save(getattr(obj, attname), connection)


def insert_rows(model: type[models.Model], objs: list[Any]) -> None:
    """INSERT unsaved objects (COPY or executemany, see jingying.core.bulk) and set their primary keys.

    Django's bulk_create builds one large statement per batch through the SQL compiler, which
    costs more than the database work here; this keeps field preparation (pre_save for
    auto_now, get_db_prep_save) and skips the rest. Needs an open transaction.
    """
    if not objs:
        return
    ids = _reserve_ids(model, len(objs)) if connection.in_atomic_block else None
    if ids is None:
        model._default_manager.bulk_create(objs, batch_size=CHUNK)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    getters = [_getter(f) for f in fields]
    rows = []
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        rows.append([pk, *(get(obj) for get in getters)])
    bulk.insert_rows(model._meta.db_table, ["id", *(f.column for f in fields)], rows)


def build_units(seed: int = DEFAULT_SEED) -> DemoUnits:
    """Create the whole unit tree (about 1,200 units) in the database and describe it."""
    rng = random.Random(f"units:{seed}")
    region = Unit(code=PROVINCE_CODE, division_code=PROVINCE_CODE, name=DEPARTMENT_NAME,
                  short_name=DEPARTMENT_SHORT, kind=UnitKind.DEPARTMENT)
    _insert_level([region])

    level1: list[Unit] = []
    for i, (suffix, name, kind, _track) in enumerate(DEPARTMENT_OFFICES):
        level1.append(Unit(parent=region, code=f"{PROVINCE_CODE}{suffix}", division_code=PROVINCE_CODE,
                           name=f"{DEPARTMENT_NAME}{name}", short_name=f"厅{name}", kind=kind, sort_order=i))
    for i, city in enumerate(CITIES):
        level1.append(Unit(parent=region, code=city.code, division_code=city.code, name=city.bureau_name,
                           short_name=city.short_name, kind=UnitKind.CITY_BUREAU, sort_order=100 + i))
    _insert_level(level1)
    region_political = next(u for u in level1 if u.code == f"{PROVINCE_CODE}ZZB")
    cities = [u for u in level1 if u.kind == UnitKind.CITY_BUREAU]

    level2: list[Unit] = []
    for i, (suffix, name) in enumerate(DEPARTMENT_POLITICAL_OFFICES):
        level2.append(Unit(parent=region_political, code=f"{PROVINCE_CODE}{suffix}", division_code=PROVINCE_CODE,
                           name=f"{DEPARTMENT_NAME}政治部{name}", short_name=name, kind=UnitKind.INTERNAL,
                           sort_order=i))
    for city_unit, city in zip(cities, CITIES, strict=True):
        for i, (suffix, name, kind, _track) in enumerate(CITY_OFFICES):
            level2.append(Unit(parent=city_unit, code=f"{city.code}{suffix}", division_code=city.code,
                               name=f"{city.bureau_name}{name}", short_name=name, kind=kind, sort_order=i))
        for i, (code, county_name) in enumerate(city.counties):
            full, short = county_bureau_names(city, county_name)
            kind = UnitKind.BRANCH if is_district(county_name) else UnitKind.COUNTY_BUREAU
            level2.append(Unit(parent=city_unit, code=code, division_code=code, name=full, short_name=short,
                               kind=kind, sort_order=100 + i))
    _insert_level(level2)
    counties = [u for u in level2 if u.kind in (UnitKind.BRANCH, UnitKind.COUNTY_BUREAU)]
    county_names = {code: name for city in CITIES for code, name in city.counties}

    level3: list[Unit] = []
    for county in counties:
        county_name = county_names[county.code]
        for i, (suffix, name, kind, _track) in enumerate(COUNTY_OFFICES):
            name = name or county_political_name(county_name)
            level3.append(Unit(parent=county, code=f"{county.code}{suffix}", division_code=county.code,
                               name=f"{county.name}{name}", short_name=name, kind=kind, sort_order=i))
        district = is_district(county_name)
        big = county.code[:4] in ("1501", "1502", "1504", "1506")
        n_stations = rng.randint(4, 8) if district and big else rng.randint(2, 8) if district else rng.randint(2, 6)
        places: tuple[str, ...] = DISTRICT_STATIONS if district else RURAL_STATIONS
        for i, place in enumerate(rng.sample(places, n_stations), start=1):
            station_name = f"{place}派出所"
            level3.append(Unit(parent=county, code=f"{county.code}{i:03d}", division_code=county.code,
                               name=f"{county.name}{station_name}", short_name=station_name, kind=UnitKind.STATION,
                               sort_order=100 + i))
    _insert_level(level3)
    stations = [u for u in level3 if u.kind == UnitKind.STATION]

    level4: list[Unit] = []
    for station in stations:
        if rng.random() < 0.35:
            district = is_district(county_names[station.division_code])
            posts: tuple[str, ...] = DISTRICT_POSTS if district else RURAL_POSTS
            for j, place in enumerate(rng.sample(posts, rng.randint(1, 2)), start=1):
                post = f"{place}警务室"
                level4.append(Unit(parent=station, code=f"{station.code}J{j}", division_code=station.division_code,
                                   name=f"{station.name}{post}", short_name=post, kind=UnitKind.POST, sort_order=j))
    _insert_level(level4)

    return describe_units([region, *level1, *level2, *level3, *level4], seed=seed)


def load_units(seed: int = DEFAULT_SEED) -> DemoUnits:
    """The demo tree as it is in the database (after build_units in an earlier process)."""
    return describe_units(list(Unit.objects.select_related(None).order_by("code")), seed=seed)


def _office_track(name: str) -> str:
    if any(w in name for w in ("指挥中心", "科技")):
        return "js"
    if any(w in name for w in ("政治", "办公室", "法制", "处")):
        return "zh"
    return "zf"


def _office_leaders(level: str, name: str) -> str:
    if "政治" in name:
        return f"{level}_political"
    if name.endswith(("总队", "支队")):
        return f"{level}_corps"
    if name.endswith("大队"):
        return f"{level}_brigade"
    if name.endswith("处"):
        return f"{level}_section"
    return f"{level}_office"


def describe_units(units: list[Unit], *, seed: int = DEFAULT_SEED) -> DemoUnits:
    """Classify each unit (role, 职级 track, city, county) and give it a staffing weight."""
    by_id = {u.pk: u for u in units}
    by_code = {u.code: u for u in units}
    county_names = {code: name for city in CITIES for code, name in city.counties}
    info: dict[int, UnitInfo] = {}
    for unit in units:
        ancestors = [by_id[int(seg, 16)] for seg in unit.path.strip("/").split("/") if seg]
        city_unit = next((a for a in ancestors if a.kind == UnitKind.CITY_BUREAU), None)
        county_unit = next((a for a in ancestors if a.kind in (UnitKind.BRANCH, UnitKind.COUNTY_BUREAU)), None)
        city = CITY_BY_CODE.get(city_unit.code) if city_unit else None
        county_code = county_unit.division_code if county_unit else ""
        county_name = county_names.get(county_code, "")
        level = "county" if county_unit else "city" if city_unit else "region"
        # Jitter the weights so units of one kind are not all the same size.
        jitter = random.Random(f"weight:{seed}:{unit.code}").uniform(0.6, 1.4)
        kind = unit.kind
        if kind == UnitKind.DEPARTMENT:
            role, leaders, track, weight, aux = "region_hq", "region_hq", "zh", 4.0, 0.15
        elif kind == UnitKind.CITY_BUREAU:
            role, leaders, track, weight, aux = "city_hq", "city_hq", "zh", 9, 0.2
        elif kind in (UnitKind.BRANCH, UnitKind.COUNTY_BUREAU):
            role, leaders, track, weight, aux = "county_hq", "county_hq", "zf", 9, 0.3
        elif kind == UnitKind.STATION:
            district = is_district(county_name)
            role, leaders, track, weight, aux = "station", "station", "zf", 13 if district else 9, 0.42
        elif kind == UnitKind.POST:
            role, leaders, track, weight, aux = "post", "post", "zf", 1.5, 0.55
        else:
            short = unit.short_name or unit.name
            role = f"{level}_office"
            leaders = _office_leaders(level, short)
            track = _office_track(short)
            weight = {"region": 5, "city": 5, "county": 3}[level]
            aux = {"region": 0.15, "city": 0.2, "county": 0.3}[level]
        info[unit.pk] = UnitInfo(unit=unit, role=role, leaders=leaders, track=track, city=city,
                                 county_code=county_code, county_name=county_name, weight=weight * jitter,
                                 aux_share=aux)
    region = next(u for u in units if u.kind == UnitKind.DEPARTMENT)
    cities = sorted((u for u in units if u.kind == UnitKind.CITY_BUREAU), key=lambda u: u.code)
    return DemoUnits(
        region=region,
        region_political=by_code[f"{PROVINCE_CODE}ZZB"],
        cities=cities,
        city_political={c.code: by_code[f"{c.code}ZZB"] for c in cities if f"{c.code}ZZB" in by_code},
        counties=sorted((u for u in units if u.kind in (UnitKind.BRANCH, UnitKind.COUNTY_BUREAU)),
                        key=lambda u: u.code),
        stations=sorted((u for u in units if u.kind == UnitKind.STATION), key=lambda u: u.code),
        posts=sorted((u for u in units if u.kind == UnitKind.POST), key=lambda u: u.code),
        all=sorted(units, key=lambda u: u.code),
        by_code=by_code,
        info=info,
    )


# --- positions, ranks and levels -------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """A post level: the 警衔 band it carries (警衔条例 第八、九条) and plausible ages."""

    rank_high: int  # Rank number, 1 = 总警监
    rank_low: int
    age_min: int
    age_max: int


TING_ZHENG = Grade(3, 4, 52, 59)  # 厅(局)级正职
TING_FU = Grade(4, 5, 48, 59)
CHU_ZHENG = Grade(5, 7, 43, 58)  # 处(局)级正职
CHU_FU = Grade(6, 8, 38, 57)
KE_ZHENG = Grade(6, 9, 33, 56)  # 科(局)级正职
KE_FU = Grade(7, 10, 29, 55)
STAFF = Grade(7, 13, 22, 60)  # 科员/办事员 posts: the band is wide, time in service decides

LEADERS: dict[str, list[tuple[str, Grade]]] = {
    "region_hq": [("厅长", TING_ZHENG), ("副厅长", TING_FU), ("副厅长", TING_FU), ("副厅长", TING_FU)],
    "region_political": [("主任", TING_FU), ("副主任", CHU_ZHENG), ("副主任", CHU_ZHENG)],
    "region_corps": [("总队长", CHU_ZHENG), ("政委", CHU_ZHENG), ("副总队长", CHU_FU)],
    "region_section": [("处长", CHU_ZHENG), ("副处长", CHU_FU)],
    "region_office": [("主任", CHU_ZHENG), ("副主任", CHU_FU)],
    "city_hq": [("局长", CHU_ZHENG), ("政委", CHU_ZHENG), ("副局长", CHU_FU), ("副局长", CHU_FU),
                ("副局长", CHU_FU)],
    "city_political": [("主任", CHU_FU), ("副主任", KE_ZHENG)],
    "city_corps": [("支队长", CHU_FU), ("政委", CHU_FU), ("副支队长", KE_ZHENG)],
    "city_office": [("主任", KE_ZHENG), ("副主任", KE_FU)],
    "county_hq": [("局长", CHU_FU), ("政委", CHU_FU), ("副局长", KE_ZHENG), ("副局长", KE_ZHENG)],
    "county_political": [("主任", KE_ZHENG), ("副主任", KE_FU)],
    "county_brigade": [("大队长", KE_ZHENG), ("教导员", KE_ZHENG), ("副大队长", KE_FU)],
    "county_office": [("主任", KE_ZHENG), ("副主任", KE_FU)],
    "station": [("所长", KE_ZHENG), ("教导员", KE_ZHENG), ("副所长", KE_FU), ("副所长", KE_FU)],
    "post": [],
}
LEADER_POSITIONS = frozenset(p for rows in LEADERS.values() for p, _g in rows)


def _ordinary_position(rng: random.Random, info: UnitInfo) -> tuple[str, Grade]:
    role = info.role
    if role == "station":
        return rng.choices(("社区民警", "民警", "警长"), (40, 45, 15))[0], STAFF
    if role == "post":
        return "社区民警", STAFF
    if info.track == "zf" and role.endswith("office"):
        return rng.choices(("民警", "侦查员", "警长"), (50, 35, 15))[0], STAFF
    if role.startswith(("region", "city")):
        position, grade = rng.choices((("科员", STAFF), ("副科长", KE_FU), ("科长", KE_ZHENG)), (75, 15, 10))[0]
        return position, grade
    return rng.choices(("科员", "民警"), (60, 40))[0], STAFF


def time_rank(education: str, years: float) -> int:
    """警衔 by time in service alone (晋级期限, domain.md §2.2): 3 years a step up to 一级警司,
    then 4 years a step up to 一级警督; above that only by post."""
    rank = int(Rank.JINGYUAN_2 if education >= Education.JUNIOR_COLLEGE else (
        Rank.JINGYUAN_1 if education == Education.BACHELOR else Rank.JINGSI_3))
    while rank > Rank.JINGSI_1 and years >= 3:
        rank, years = rank - 1, years - 3
    while rank > Rank.JINGDU_1 and years >= 4:
        rank, years = rank - 1, years - 4
    return rank


# 警衔 -> the 职级 steps (1 = 一级警务专员 …) that go with it.
_LEVEL_STEPS: dict[int, tuple[int, ...]] = {
    3: (1,), 4: (2,), 5: (3, 4), 6: (5, 6, 7), 7: (7, 8), 8: (9, 10), 9: (10, 11), 10: (11,), 11: (11, 12),
    12: (12,), 13: (12,),
}


def level_for(rng: random.Random, rank: int, track: str) -> str:
    step = rng.choice(_LEVEL_STEPS[rank])
    if track == "js":
        step = min(step, 11)
    return f"{track}{step:02d}"


# --- people ------------------------------------------------------------------------------------

# 民族 mix by 盟市 (share of the force), GB/T 3304 codes; county overrides for the autonomous 旗.
_ETHNIC_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "150100": (("02", 0.15), ("03", 0.03), ("11", 0.02)),
    "150200": (("02", 0.07), ("03", 0.02), ("11", 0.02)),
    "150300": (("02", 0.05), ("03", 0.02)),
    "150400": (("02", 0.22), ("11", 0.06), ("03", 0.02)),
    "150500": (("02", 0.45), ("11", 0.03), ("03", 0.01)),
    "150600": (("02", 0.18), ("03", 0.01)),
    "150700": (("02", 0.12), ("11", 0.04), ("31", 0.02), ("45", 0.02), ("03", 0.01)),
    "150800": (("02", 0.06), ("03", 0.01)),
    "150900": (("02", 0.04), ("03", 0.01)),
    "152200": (("02", 0.45), ("11", 0.02), ("03", 0.01)),
    "152500": (("02", 0.35), ("03", 0.01)),
    "152900": (("02", 0.28), ("03", 0.02)),
    PROVINCE_CODE: (("02", 0.25), ("03", 0.02), ("11", 0.02)),
}
_COUNTY_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "150103": (("02", 0.12), ("03", 0.15), ("11", 0.02)),  # 回民区
    "150722": (("31", 0.25), ("02", 0.06), ("45", 0.03), ("11", 0.04)),  # 莫力达瓦达斡尔族自治旗
    "150723": (("52", 0.08), ("02", 0.05), ("31", 0.04), ("11", 0.05)),  # 鄂伦春自治旗
    "150724": (("45", 0.20), ("02", 0.25), ("31", 0.06)),  # 鄂温克族自治旗
}

_PHONE_PREFIXES = ("139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "182", "183", "187",
                   "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "189", "177", "199")
_UNIVERSITIES = ("内蒙古大学", "内蒙古师范大学", "内蒙古工业大学", "内蒙古农业大学", "内蒙古医科大学", "内蒙古科技大学",
                 "内蒙古民族大学", "呼伦贝尔学院", "赤峰学院", "集宁师范学院", "内蒙古警察职业学院", "内蒙古财经大学")
_CN_NUMBERS = "一二三四五六七八九十"
_HARDSHIP = (
    "父亲患重病，长期住院治疗", "母亲年迈多病，需要长期照料", "配偶无固定工作，家庭收入低", "子女患先天性疾病，医疗支出大",
    "家中房屋受灾，正在重建", "配偶身患残疾", "父母均在外地农村，无人照顾", "子女就读特殊教育学校",
)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class _PoliceNumbers:
    """Unique 6-digit 警号; the first two digits name the 盟市 ("00" the 厅, domain.md §2.4), with
    further prefixes taken from 20 upwards once a 盟市 has used its 10,000."""

    def __init__(self) -> None:
        self.current: dict[str, tuple[str, int]] = {}
        self.next_spare = 20

    def take(self, city_code: str) -> str:
        if city_code not in self.current:
            index = 0 if city_code == PROVINCE_CODE else 1 + [c.code for c in CITIES].index(city_code)
            self.current[city_code] = (f"{index:02d}", 1)
        prefix, n = self.current[city_code]
        if n > 9999:
            if self.next_spare > 99:
                raise ValueError("警号 exhausted")
            prefix, n = f"{self.next_spare:02d}", 0
            self.next_spare += 1
        self.current[city_code] = (prefix, n + 1)
        return f"{prefix}{n:04d}"


@dataclass
class _State:
    rng: random.Random
    today: dt.date
    used_ids: set[str] = field(default_factory=set)
    police_numbers: _PoliceNumbers = field(default_factory=_PoliceNumbers)
    all_counties: list[str] = field(default_factory=list)
    history_at: dt.datetime = field(default_factory=lambda: dt.datetime(2020, 1, 1, tzinfo=dt.UTC))


def allocate(weights: dict[Any, float], n: int) -> dict[Any, int]:
    """Split n across keys in proportion to their weights (largest remainder, stable order)."""
    total = sum(weights.values()) or 1.0
    quotas = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(q) for k, q in quotas.items()}
    left = n - sum(counts.values())
    for k in sorted(quotas, key=lambda k: counts[k] - quotas[k])[:left]:
        counts[k] += 1
    return counts


def generate_people(units: DemoUnits, n: int, seed: int = DEFAULT_SEED, *,
                    today: dt.date | None = None) -> Iterator[Person]:
    """n unsaved people spread over the tree (most at stations), unit by unit in code order.

    Each carries `demo_family` (unsaved Dependents) and `demo_history` (unsaved PersonHistory)
    whose person is set by save_people().
    """
    state = _State(rng=random.Random(f"people:{seed}"), today=today or timezone.localdate())
    state.all_counties = [c for city in CITIES for c, _n in city.counties]
    infos = [units.info[u.pk] for u in units.all]
    counts = allocate({i.unit.pk: i.weight for i in infos}, n)
    for info in infos:
        k = counts[info.unit.pk]
        if k:
            yield from _staff_unit(state, info, k, units)


def _staff_unit(state: _State, info: UnitInfo, k: int, units: DemoUnits) -> Iterator[Person]:
    rng = state.rng
    # A one-person unit (a 警务室, say) is often an auxiliary alone.
    n_police = int(rng.random() >= info.aux_share) if k == 1 else max(1, round(k * (1 - info.aux_share)))
    leaders = LEADERS[info.leaders][: max(1, n_police // 3)] if n_police else []
    for i in range(k):
        if i < n_police:
            position, grade = leaders[i] if i < len(leaders) else _ordinary_position(rng, info)
            yield _officer(state, info, position, grade, units)
        else:
            yield _auxiliary(state, info, units)


def _ethnicity(rng: random.Random, info: UnitInfo) -> str:
    mix = _COUNTY_MIX.get(info.county_code) or _ETHNIC_MIX[info.city.code if info.city else PROVINCE_CODE]
    draw = rng.random()
    for code, share in mix:
        if draw < share:
            return code
        draw -= share
    return "01"


def _address_code(state: _State, info: UnitInfo) -> str:
    rng = state.rng
    if info.county_code:
        return info.county_code
    if info.city:
        return rng.choice(info.city.counties)[0]
    # 厅 staff come from all over, most from the capital.
    return rng.choice(CITIES[0].counties)[0] if rng.random() < 0.5 else rng.choice(state.all_counties)


def _id_number(state: _State, address: str, birth: dt.date, gender: str) -> str:
    rng = state.rng
    prefix = f"{address}{birth:%Y%m%d}"
    while True:
        seq = rng.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
        first17 = f"{prefix}{seq:03d}"
        if first17 not in state.used_ids:
            state.used_ids.add(first17)
            return idnumber.make(address, birth, seq)


def _birth_date(rng: random.Random, today: dt.date, age: int) -> dt.date:
    return _years_before(today, age) - dt.timedelta(days=rng.randrange(365))


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(_PHONE_PREFIXES)}{rng.randrange(10**8):08d}"


def _start_date(rng: random.Random, today: dt.date, birth: dt.date, entry_age: int) -> dt.date:
    start = _years_before(birth, -entry_age) + dt.timedelta(days=rng.randrange(240))
    latest = today - dt.timedelta(days=rng.randrange(30, 240))
    return max(min(start, latest), _years_before(birth, -18))


def _officer(state: _State, info: UnitInfo, position: str, grade: Grade, units: DemoUnits) -> Person:
    rng, today = state.rng, state.today
    leader = position in LEADER_POSITIONS
    gender = Gender.MALE if rng.random() < (0.92 if leader else 0.8) else Gender.FEMALE
    ethnicity = _ethnicity(rng, info)
    name, family = names.person_name(rng, ethnicity, gender)

    status = PersonStatus.ACTIVE
    if not leader and grade is STAFF:
        draw = rng.random()
        if draw < 0.03:
            status = PersonStatus.RETIRED
        elif draw < 0.07:
            status = PersonStatus.SECONDED
    if status == PersonStatus.RETIRED:
        age = rng.randint(60, 65)
    elif grade is STAFF:
        age = round(rng.triangular(22, 60, 32))
    else:
        age = rng.randint(grade.age_min, grade.age_max)
    birth = _birth_date(rng, today, age)

    if age >= 50:
        education = rng.choices((Education.BACHELOR, Education.JUNIOR_COLLEGE, Education.TECHNICAL_SECONDARY,
                                 Education.MASTER), (45, 35, 12, 8))[0]
    else:
        education = rng.choices((Education.BACHELOR, Education.JUNIOR_COLLEGE, Education.MASTER,
                                 Education.DOCTORATE), (66, 18, 15, 1))[0]
    entry_age = {Education.DOCTORATE: 29, Education.MASTER: 26, Education.BACHELOR: 23}.get(education, 21)
    entry_age += rng.randint(-1, 1)
    if rng.random() < 0.12:
        entry_age += rng.randint(3, 8)  # 转业军人 and transfers join later
    entry_age = min(entry_age, age)
    start = _start_date(rng, today, birth, entry_age)
    years = (today - start).days / 365.25
    rank = min(max(time_rank(education, years), grade.rank_high), grade.rank_low)
    technical = info.track == "js" and rng.random() < 0.5

    if age < 28 and rng.random() < 0.35:
        political = PoliticalStatus.CYL
    else:
        political = rng.choices((PoliticalStatus.CPC, PoliticalStatus.CPC_PROBATIONARY, PoliticalStatus.MASSES,
                                 PoliticalStatus.NONPARTISAN), (80, 3, 16, 1))[0]
    if leader:
        political = PoliticalStatus.CPC

    city_code = info.city.code if info.city else PROVINCE_CODE
    person = Person(
        name=name, gender=gender, ethnicity=ethnicity, birth_date=birth,
        id_number=_id_number(state, _address_code(state, info), birth, gender),
        police_number=state.police_numbers.take(city_code), category=Category.POLICE, unit=info.unit,
        position=position, rank=rank, rank_technical=technical, level=level_for(rng, rank, info.track),
        political_status=political, education=education, police_start_date=start, phone=_phone(rng),
        status=status,
    )
    person.demo_family = _family(state, info, person, family, age)  # type: ignore[attr-defined]
    person.demo_history = _history(state, person, units) if rng.random() < 0.12 else []  # type: ignore[attr-defined]
    return person


def _auxiliary(state: _State, info: UnitInfo, units: DemoUnits) -> Person:
    rng, today = state.rng, state.today
    gender = Gender.MALE if rng.random() < 0.68 else Gender.FEMALE
    ethnicity = _ethnicity(rng, info)
    name, family = names.person_name(rng, ethnicity, gender)
    age = round(rng.triangular(20, 50, 28))
    birth = _birth_date(rng, today, age)
    start = _start_date(rng, today, birth, min(age, rng.randint(19, 30)))
    if info.role in ("station", "post", "county_hq") or info.track == "zf":
        position = rng.choices(("勤务辅警", "文职辅警"), (80, 20))[0]
    else:
        position = rng.choices(("文职辅警", "勤务辅警"), (70, 30))[0]
    person = Person(
        name=name, gender=gender, ethnicity=ethnicity, birth_date=birth,
        id_number=_id_number(state, _address_code(state, info), birth, gender),
        police_number=None, category=Category.AUXILIARY, unit=info.unit, position=position, rank=None,
        level="",
        political_status=rng.choices((PoliticalStatus.MASSES, PoliticalStatus.CYL, PoliticalStatus.CPC),
                                     (65, 25, 10))[0],
        education=rng.choices((Education.JUNIOR_COLLEGE, Education.HIGH_SCHOOL, Education.BACHELOR,
                               Education.TECHNICAL_SECONDARY), (40, 30, 20, 10))[0],
        police_start_date=start, phone=_phone(rng),
        status=PersonStatus.LEFT if rng.random() < 0.04 else PersonStatus.ACTIVE,
    )
    person.demo_family = _family(state, info, person, family, age)  # type: ignore[attr-defined]
    person.demo_history = []  # type: ignore[attr-defined]
    return person


def _school(rng: random.Random, place: str, age: int) -> str:
    if age < 3:
        return ""
    if age < 6:
        return f"{place}{rng.choice(('第一', '第二', '实验', '机关', '阳光'))}幼儿园"
    if age < 12:
        return f"{place}{rng.choice(('实验小学', f'第{rng.choice(_CN_NUMBERS)}小学'))}"
    if age < 18:
        return f"{place}第{rng.choice(_CN_NUMBERS)}中学"
    if age < 22:
        return rng.choice(_UNIVERSITIES)
    return ""


def _family(state: _State, info: UnitInfo, person: Person, family: str, age: int) -> list[Dependent]:
    rng, today = state.rng, state.today
    place = info.county_name or (info.city.name if info.city else "呼和浩特市")
    mongolian = person.ethnicity == "02"
    rows: list[Dependent] = []
    married = rng.random() < (0.1 if age < 25 else 0.45 if age < 30 else 0.75 if age < 35 else 0.9)
    male = person.gender == Gender.MALE
    spouse_family = ""
    if married:
        spouse_gender = Gender.FEMALE if male else Gender.MALE
        spouse_ethnicity = "02" if mongolian and rng.random() < 0.5 else "01"
        spouse_name, spouse_family = names.person_name(rng, spouse_ethnicity, spouse_gender)
        spouse_birth = person.birth_date + dt.timedelta(days=rng.randint(-4 * 365, 3 * 365))
        rows.append(Dependent(
            relation=Relation.SPOUSE, name=spouse_name, gender=spouse_gender, birth_date=spouse_birth,
            phone=_phone(rng),
            employer=rng.choice((f"{place}人民医院", f"{place}第一中学", f"{place}人民政府", "个体经营", "私营企业",
                                 "中国银行", "国家电网", f"{place}税务局", "无固定工作", f"{place}实验小学")),
        ))
        if age >= 24:
            n_children = rng.choices((0, 1, 2, 3), (15, 55, 27, 3 + (5 if mongolian else 0)))[0]
            father_family = family if male else spouse_family
            for _i in range(n_children):
                child_birth = _years_before(person.birth_date, -rng.randint(24, 36)) + dt.timedelta(
                    days=rng.randrange(365))
                if child_birth > today:
                    continue
                child_age = _age_on(child_birth, today)
                child_gender = rng.choice((Gender.MALE, Gender.FEMALE))
                rows.append(Dependent(
                    relation=Relation.CHILD, name=names.child_name(rng, father_family, person.ethnicity, child_gender),
                    gender=child_gender, birth_date=child_birth, school=_school(rng, place, child_age),
                ))
    if age <= 52:
        for relation, gender, surname in ((Relation.FATHER, Gender.MALE, family), (Relation.MOTHER, Gender.FEMALE, "")):
            if rng.random() < 0.45:
                parent_name, _f = names.person_name(rng, person.ethnicity, gender)
                if surname and not parent_name.startswith(surname):
                    parent_name = surname + names.han_given(rng, gender)
                rows.append(Dependent(
                    relation=relation, name=parent_name, gender=gender,
                    birth_date=_years_before(person.birth_date, rng.randint(22, 34)) - dt.timedelta(
                        days=rng.randrange(365)),
                    phone=_phone(rng), employer=rng.choice(("退休", "务农", "牧民", "退休", "个体经营")),
                ))
    if rows and rng.random() < 0.04:
        needy = rng.choice(rows)
        needy.hardship = True
        needy.notes = rng.choice(_HARDSHIP)
    return rows


def _history(state: _State, person: Person, units: DemoUnits) -> list[PersonHistory]:
    rng = state.rng
    rows: list[PersonHistory] = []
    start = dt.datetime.combine(person.police_start_date or state.today, dt.time(9), tzinfo=dt.UTC)
    span = max(1, (dt.datetime.combine(state.today, dt.time(9), tzinfo=dt.UTC) - start).days)

    def when() -> dt.datetime:
        return start + dt.timedelta(days=rng.randrange(max(1, span // 2), span))

    if person.rank is not None and person.rank < Rank.JINGYUAN_2:
        rows.append(PersonHistory(field=HistoryField.RANK, old_value=str(Rank(person.rank + 1).label),
                                  new_value=str(Rank(person.rank).label), changed_at=when(), source="demo"))
    if person.position in LEADER_POSITIONS and not person.position.startswith("副"):
        rows.append(PersonHistory(field=HistoryField.POSITION, old_value=f"副{person.position}",
                                  new_value=person.position, changed_at=when(), source="demo"))
    if rng.random() < 0.4:
        other = rng.choice(units.stations)
        if other.pk != person.unit_id:
            rows.append(PersonHistory(field=HistoryField.UNIT, old_value=other.name, new_value=person.unit.name,
                                      changed_at=when(), source="demo"))
    return rows


# --- saving ----------------------------------------------------------------------------------


def save_people(people: Iterable[Person], *, chunk: int = CHUNK,
                progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Insert people with their families and history, `chunk` people at a time (inside a transaction)."""
    totals = {"people": 0, "police": 0, "auxiliary": 0, "dependents": 0, "history": 0}
    iterator = iter(people)
    while batch := list(itertools.islice(iterator, chunk)):
        insert_rows(Person, batch)
        family: list[Dependent] = []
        history: list[PersonHistory] = []
        for person in batch:
            for dep in getattr(person, "demo_family", ()):
                dep.person_id = person.pk
                family.append(dep)
            for row in getattr(person, "demo_history", ()):
                row.person_id = person.pk
                history.append(row)
            totals["police" if person.category == Category.POLICE else "auxiliary"] += 1
        insert_rows(Dependent, family)
        insert_rows(PersonHistory, history)
        totals["people"] += len(batch)
        totals["dependents"] += len(family)
        totals["history"] += len(history)
        if progress:
            progress(len(batch))
    return totals


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL would otherwise plan the
    first queries for empty tables until autovacuum gets round to it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def load_demo(people: int = 3000, seed: int = DEFAULT_SEED, *, today: dt.date | None = None,
              progress: Callable[[int], None] | None = None, users: bool = True) -> dict[str, Any]:
    """Build the tree, n people with families, the demo users and one audit entry, in one transaction."""
    from jingying.core import audit
    from jingying.org.demo.users import create_demo_users

    started = time.perf_counter()
    with transaction.atomic():
        units = build_units(seed)
        totals = save_people(generate_people(units, people, seed, today=today), progress=progress)
        logins = create_demo_users(units) if users else []
        summary: dict[str, Any] = {"seed": seed, "units": len(units.all), **totals, "users": len(logins)}
        audit.record(actor=None, action="org.demo.load", obj=units.region, after=summary,
                     reason="jingying demo")
    analyze()
    summary["seconds"] = round(time.perf_counter() - started, 2)
    summary["logins"] = logins
    return summary
