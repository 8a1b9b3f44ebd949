"""Name pools for the demo force: Han names and the Mongolian names common in Inner Mongolia."""

from __future__ import annotations

import random

# Common Han surnames, most frequent first (repeated entries weight the draw).
HAN_SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈杨杨赵赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许"
    "傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯"
    "邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文闫霍牛云齐"
)
HAN_MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帅峰亮龙海东建国志军文斌宏博晨旭阳毅"
HAN_FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲燕红丹萍婷雪琳晶颖慧佳欣悦璐瑶倩蕾莉洁梅兰"
HAN_MIDDLE_CHARS = "晓建志永海春小文国雅子嘉思一宏俊立新"

# Mongolian given names as written in Chinese characters, by gender.
MONGOLIAN_MALE = (
    "巴特尔", "额尔敦", "乌力吉", "苏和", "那日苏", "巴图", "朝鲁", "阿拉坦仓", "宝音", "孟和", "特木尔",
    "哈斯", "布和", "巴雅尔", "吉日嘎拉", "斯琴巴特", "额尔德木图", "满都拉", "毕力格", "图门", "达来",
    "乌日图", "朝克图", "阿木古楞", "白音", "乌恩", "哈斯巴根", "敖日格乐", "布仁", "德力格尔",
    "铁木尔", "恩和", "格日勒图", "呼和", "查干", "巴音", "青格勒", "额日和木", "宝力道", "伊拉拉",
)
MONGOLIAN_FEMALE = (
    "其其格", "萨仁高娃", "乌云", "娜仁", "图雅", "斯琴", "高娃", "乌兰", "萨日娜", "托娅", "阿拉坦其其格",
    "额尔登其其格", "琪琪格", "苏日娜", "乌日娜", "那仁格日乐", "塔娜", "敖登", "赛罕", "宝力尔",
    "乌兰其其格", "哈斯其其格", "斯琴高娃", "格根塔娜", "萨如拉",
)
# Han surnames Mongolian families in Inner Mongolia commonly adopted.
MONGOLIAN_SURNAMES = "包包包白白鲍宝敖奥韩那吴陈云"
HUI_SURNAMES = "马马马马回哈穆纳白杨丁"
MANCHU_SURNAMES = "关关富那佟赵金肖何傅鄂"
DAUR_SURNAMES = "鄂敖郭孟何苏"
EWENKI_SURNAMES = "杜涂何吴"
OROQEN_SURNAMES = "莫关孟葛"


def han_given(rng: random.Random, gender: str) -> str:
    chars = HAN_MALE_CHARS if gender == "1" else HAN_FEMALE_CHARS
    if rng.random() < 0.35:
        return rng.choice(chars)
    return rng.choice(HAN_MIDDLE_CHARS) + rng.choice(chars)


def mongolian_given(rng: random.Random, gender: str) -> str:
    return rng.choice(MONGOLIAN_MALE if gender == "1" else MONGOLIAN_FEMALE)


def person_name(rng: random.Random, ethnicity: str, gender: str) -> tuple[str, str]:
    """(full name, family name or "" when the name has none), by GB/T 3304 ethnicity code."""
    if ethnicity == "02":  # 蒙古族: a Mongolian name alone, or with an adopted surname
        given = mongolian_given(rng, gender)
        if rng.random() < 0.35:
            family = rng.choice(MONGOLIAN_SURNAMES)
            return family + given, family
        return given, ""
    pool = {
        "03": HUI_SURNAMES,
        "11": MANCHU_SURNAMES,
        "31": DAUR_SURNAMES,
        "45": EWENKI_SURNAMES,
        "52": OROQEN_SURNAMES,
    }.get(ethnicity, HAN_SURNAMES)
    family = rng.choice(pool)
    if ethnicity in ("31", "45", "52") and rng.random() < 0.4:
        return family + mongolian_given(rng, gender), family
    return family + han_given(rng, gender), family


def child_name(rng: random.Random, family: str, ethnicity: str, gender: str) -> str:
    if ethnicity == "02" and not family:
        return mongolian_given(rng, gender)
    return (family or rng.choice(HAN_SURNAMES)) + han_given(rng, gender)
