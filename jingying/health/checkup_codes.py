"""The coded list of abnormal checkup findings, as data: each code with the plain-language
explanation the officer reads on their own page and the follow-up it needs.

Kept as a table in code rather than rows in the database so every installation, test and demo
has the same codes without a data migration (decision record: docs/decisions/NNNN-health-checkups-finding-codes.md).
Import files may name a finding by its code, its name or one of its aliases.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class FollowUpAction(models.TextChoices):
    NONE = "none", _("无需随访")
    LIFESTYLE = "lifestyle", _("生活方式干预")
    RECHECK = "recheck", _("定期复查")
    SPECIALIST = "specialist", _("专科就诊")


@dataclass(frozen=True)
class FindingCode:
    code: str
    name: Promise
    explanation: Promise
    action: str
    days: int  # the follow-up is due this many days after the checkup
    aliases: tuple[str, ...] = ()


FINDING_CODES: tuple[FindingCode, ...] = (
    FindingCode("HTN", _("高血压"),
                _("血压高于正常范围。请少盐、控制体重、规律作息，按时复测血压；必要时在医生指导下用药。"),
                FollowUpAction.RECHECK, 90, ("血压升高", "血压偏高")),
    FindingCode("DM", _("糖尿病"),
                _("血糖明显升高，提示糖尿病。请到内分泌科就诊，在医生指导下控制饮食、运动和用药。"),
                FollowUpAction.SPECIALIST, 30, ("血糖升高", "空腹血糖升高")),
    FindingCode("DLP", _("血脂异常"),
                _("胆固醇或甘油三酯偏高，长期会增加心脑血管疾病风险。请减少油腻饮食、多运动，三个月后复查。"),
                FollowUpAction.RECHECK, 90, ("高脂血症", "血脂偏高", "高血脂")),
    FindingCode("FLD", _("脂肪肝"),
                _("肝脏内脂肪过多，多与饮食和体重有关。控制体重、少饮酒、多运动通常可以改善。"),
                FollowUpAction.LIFESTYLE, 180, ("轻度脂肪肝", "脂肪肝倾向")),
    FindingCode("ECG", _("心电图异常"),
                _("心电图有异常表现，需要心内科医生进一步判断是否有问题。"),
                FollowUpAction.SPECIALIST, 30, ("心电图改变",)),
    FindingCode("HUA", _("高尿酸血症"),
                _("血尿酸偏高，可能引起痛风。请多喝水、少吃海鲜和动物内脏、少饮啤酒，定期复查。"),
                FollowUpAction.RECHECK, 90, ("尿酸升高", "尿酸偏高")),
    FindingCode("THN", _("甲状腺结节"),
                _("甲状腺里有结节，绝大多数是良性的，按医生建议定期做超声复查即可。"),
                FollowUpAction.RECHECK, 180, ("甲状腺结节",)),
    FindingCode("LFT", _("肝功能异常"),
                _("转氨酶等肝功能指标异常，可能与饮酒、脂肪肝、药物或肝炎有关，请复查并就诊。"),
                FollowUpAction.RECHECK, 60, ("转氨酶升高",)),
    FindingCode("OB", _("肥胖"),
                _("体重指数（BMI）超过 28。减重能降低血压、血糖、血脂异常的风险。"),
                FollowUpAction.LIFESTYLE, 180, ("超重", "体重超标")),
    FindingCode("LUNG", _("肺部结节"),
                _("胸部影像发现小结节，多数为良性，需要按医生建议定期复查 CT。"),
                FollowUpAction.RECHECK, 180, ("肺结节",)),
    FindingCode("ANM", _("贫血"),
                _("血红蛋白偏低，可能引起乏力、头晕。请到医院查明原因。"),
                FollowUpAction.SPECIALIST, 60, ("血红蛋白偏低",)),
    FindingCode("CERV", _("颈椎病"),
                _("颈椎退行性改变，与长期低头、久坐有关。注意坐姿、适当锻炼，症状明显时就诊。"),
                FollowUpAction.LIFESTYLE, 180, ("颈椎退行性变", "颈椎曲度变直")),
)

BY_CODE: dict[str, FindingCode] = {f.code: f for f in FINDING_CODES}
FINDING_CHOICES: list[tuple[str, Promise]] = [(f.code, f.name) for f in FINDING_CODES]


def lookup_table() -> dict[str, str]:
    """Every accepted spelling (code, Chinese name, alias, in any letter case) → code."""
    table: dict[str, str] = {}
    for f in FINDING_CODES:
        table[f.code.lower()] = f.code
        # The Chinese name (what hospitals write) and the name in the active language.
        with translation.override("zh-hans"):
            table[str(f.name).lower()] = f.code
        table[str(f.name).lower()] = f.code
        for alias in f.aliases:
            table[alias.lower()] = f.code
    return table


def needs_followup(code: str) -> bool:
    return BY_CODE[code].action != FollowUpAction.NONE
