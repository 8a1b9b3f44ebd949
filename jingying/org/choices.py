"""Code lists for units and people (national standards where one exists; see domain.md §2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("公安厅")
    CITY_BUREAU = "city_bureau", _("盟市公安局")
    COUNTY_BUREAU = "county_bureau", _("旗县区公安局")
    BRANCH = "branch", _("公安分局")
    STATION = "station", _("派出所")
    POST = "post", _("警务室")
    INTERNAL = "internal", _("内设机构")
    ENFORCEMENT = "enforcement", _("执法勤务机构")
    SECTORAL = "sectoral", _("行业公安")


class Category(models.TextChoices):
    POLICE = "police", _("民警")
    AUXILIARY = "auxiliary", _("辅警")
    CAREER = "career", _("事业编人员")
    WORKER = "worker", _("职工")


class Gender(models.TextChoices):
    """GB/T 2261.1-2003."""

    MALE = "1", _("男")
    FEMALE = "2", _("女")


class Rank(models.IntegerChoices):
    """警衔, 五等十三级, numbered from the highest (1) to the lowest (13)."""

    ZONG_JINGJIAN = 1, _("总警监")
    FU_ZONG_JINGJIAN = 2, _("副总警监")
    JINGJIAN_1 = 3, _("一级警监")
    JINGJIAN_2 = 4, _("二级警监")
    JINGJIAN_3 = 5, _("三级警监")
    JINGDU_1 = 6, _("一级警督")
    JINGDU_2 = 7, _("二级警督")
    JINGDU_3 = 8, _("三级警督")
    JINGSI_1 = 9, _("一级警司")
    JINGSI_2 = 10, _("二级警司")
    JINGSI_3 = 11, _("三级警司")
    JINGYUAN_1 = 12, _("一级警员")
    JINGYUAN_2 = 13, _("二级警员")


class Level(models.TextChoices):
    """职级 after the 2019 reform: 执法勤务 (zf), 警务技术 (js), 综合管理 (zh) sequences."""

    ZF01 = "zf01", _("一级警务专员")
    ZF02 = "zf02", _("二级警务专员")
    ZF03 = "zf03", _("一级高级警长")
    ZF04 = "zf04", _("二级高级警长")
    ZF05 = "zf05", _("三级高级警长")
    ZF06 = "zf06", _("四级高级警长")
    ZF07 = "zf07", _("一级警长")
    ZF08 = "zf08", _("二级警长")
    ZF09 = "zf09", _("三级警长")
    ZF10 = "zf10", _("四级警长")
    ZF11 = "zf11", _("一级警员(职级)")
    ZF12 = "zf12", _("二级警员(职级)")
    JS01 = "js01", _("警务技术一级总监")
    JS02 = "js02", _("警务技术二级总监")
    JS03 = "js03", _("警务技术一级主任")
    JS04 = "js04", _("警务技术二级主任")
    JS05 = "js05", _("警务技术三级主任")
    JS06 = "js06", _("警务技术四级主任")
    JS07 = "js07", _("警务技术一级主管")
    JS08 = "js08", _("警务技术二级主管")
    JS09 = "js09", _("警务技术三级主管")
    JS10 = "js10", _("警务技术四级主管")
    JS11 = "js11", _("警务技术员")
    ZH01 = "zh01", _("一级巡视员")
    ZH02 = "zh02", _("二级巡视员")
    ZH03 = "zh03", _("一级调研员")
    ZH04 = "zh04", _("二级调研员")
    ZH05 = "zh05", _("三级调研员")
    ZH06 = "zh06", _("四级调研员")
    ZH07 = "zh07", _("一级主任科员")
    ZH08 = "zh08", _("二级主任科员")
    ZH09 = "zh09", _("三级主任科员")
    ZH10 = "zh10", _("四级主任科员")
    ZH11 = "zh11", _("一级科员")
    ZH12 = "zh12", _("二级科员")


class PoliticalStatus(models.TextChoices):
    """GB/T 4762-1984."""

    CPC = "01", _("中共党员")
    CPC_PROBATIONARY = "02", _("中共预备党员")
    CYL = "03", _("共青团员")
    RCCK = "04", _("民革会员")
    CDL = "05", _("民盟盟员")
    CNDCA = "06", _("民建会员")
    CAPD = "07", _("民进会员")
    CPWDP = "08", _("农工党党员")
    CZGP = "09", _("致公党党员")
    JS = "10", _("九三学社社员")
    TDSGL = "11", _("台盟盟员")
    NONPARTISAN = "12", _("无党派人士")
    MASSES = "13", _("群众")


class Education(models.TextChoices):
    """GB/T 4658-2006, the levels rosters use."""

    DOCTORATE = "11", _("博士研究生")
    MASTER = "14", _("硕士研究生")
    BACHELOR = "21", _("大学本科")
    JUNIOR_COLLEGE = "31", _("大学专科")
    TECHNICAL_SECONDARY = "41", _("中等专科")
    HIGH_SCHOOL = "61", _("高中")
    MIDDLE_SCHOOL = "71", _("初中及以下")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    SECONDED = "seconded", _("借调")
    RETIRED = "retired", _("退休")
    LEFT = "left", _("离职")
    TRANSFERRED = "transferred", _("调出")
    FALLEN = "fallen", _("牺牲")
    DECEASED = "deceased", _("病故")


# Statuses in which a person still belongs to the serving force (head counts, programmes).
SERVING_STATUSES = (PersonStatus.ACTIVE, PersonStatus.SECONDED)


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    FATHER = "father", _("父亲")
    MOTHER = "mother", _("母亲")
    FATHER_IN_LAW = "father_in_law", _("岳父/公公")
    MOTHER_IN_LAW = "mother_in_law", _("岳母/婆婆")
    OTHER = "other", _("其他")


class HistoryField(models.TextChoices):
    UNIT = "unit", _("单位")
    RANK = "rank", _("警衔")
    POSITION = "position", _("职务")
    LEVEL = "level", _("职级")
    STATUS = "status", _("状态")


# GB/T 3304-1991 民族 codes, in the standard's order.
ETHNICITIES: list[tuple[str, str]] = [
    (f"{i:02d}", name)
    for i, name in enumerate(
        [
            gettext_noop("汉族"), gettext_noop("蒙古族"), gettext_noop("回族"), gettext_noop("藏族"),
            gettext_noop("维吾尔族"), gettext_noop("苗族"), gettext_noop("彝族"), gettext_noop("壮族"),
            gettext_noop("布依族"), gettext_noop("朝鲜族"), gettext_noop("满族"), gettext_noop("侗族"),
            gettext_noop("瑶族"), gettext_noop("白族"), gettext_noop("土家族"), gettext_noop("哈尼族"),
            gettext_noop("哈萨克族"), gettext_noop("傣族"), gettext_noop("黎族"), gettext_noop("傈僳族"),
            gettext_noop("佤族"), gettext_noop("畲族"), gettext_noop("高山族"), gettext_noop("拉祜族"),
            gettext_noop("水族"), gettext_noop("东乡族"), gettext_noop("纳西族"), gettext_noop("景颇族"),
            gettext_noop("柯尔克孜族"), gettext_noop("土族"), gettext_noop("达斡尔族"), gettext_noop("仫佬族"),
            gettext_noop("羌族"), gettext_noop("布朗族"), gettext_noop("撒拉族"), gettext_noop("毛南族"),
            gettext_noop("仡佬族"), gettext_noop("锡伯族"), gettext_noop("阿昌族"), gettext_noop("普米族"),
            gettext_noop("塔吉克族"), gettext_noop("怒族"), gettext_noop("乌孜别克族"), gettext_noop("俄罗斯族"),
            gettext_noop("鄂温克族"), gettext_noop("德昂族"), gettext_noop("保安族"), gettext_noop("裕固族"),
            gettext_noop("京族"), gettext_noop("塔塔尔族"), gettext_noop("独龙族"), gettext_noop("鄂伦春族"),
            gettext_noop("赫哲族"), gettext_noop("门巴族"), gettext_noop("珞巴族"), gettext_noop("基诺族"),
        ],
        start=1,
    )
]
ETHNICITY_NAMES = dict(ETHNICITIES)


def ethnicity_label(code: str, default: str = "") -> str:
    """The group's name in the active language. ETHNICITY_NAMES stays Chinese (rosters read and
    write those names); gettext_noop above only marks them for the English catalogue."""
    name = ETHNICITY_NAMES.get(code)
    return gettext(name) if name else default
