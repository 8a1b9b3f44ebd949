"""The Inner Mongolia division table the demo force is built on (domain.md §1.2).

12 盟市 with their GB/T 2260 codes and their 103 county-level units. Station and office
names below the county level are plausible inventions, not a record of real stations.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVINCE_CODE = "150000"
DEPARTMENT_NAME = "内蒙古自治区公安厅"
DEPARTMENT_SHORT = "自治区公安厅"


@dataclass(frozen=True)
class City:
    code: str
    name: str  # 呼和浩特市, 兴安盟
    counties: tuple[tuple[str, str], ...]  # (code, name)

    @property
    def bureau_name(self) -> str:
        return f"{self.name}公安局"

    @property
    def short_name(self) -> str:
        return f"{self.name}局"


def _c(spec: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in spec.split():
        name, code = item[:-6], item[-6:]
        pairs.append((code, name))
    return tuple(pairs)


CITIES: tuple[City, ...] = (
    City("150100", "呼和浩特市", _c(
        "新城区150102 回民区150103 玉泉区150104 赛罕区150105 土默特左旗150121 托克托县150122 "
        "和林格尔县150123 清水河县150124 武川县150125")),
    City("150200", "包头市", _c(
        "东河区150202 昆都仑区150203 青山区150204 石拐区150205 白云鄂博矿区150206 九原区150207 "
        "土默特右旗150221 固阳县150222 达尔罕茂明安联合旗150223")),
    City("150300", "乌海市", _c("海勃湾区150302 海南区150303 乌达区150304")),
    City("150400", "赤峰市", _c(
        "红山区150402 元宝山区150403 松山区150404 阿鲁科尔沁旗150421 巴林左旗150422 巴林右旗150423 "
        "林西县150424 克什克腾旗150425 翁牛特旗150426 喀喇沁旗150428 宁城县150429 敖汉旗150430")),
    City("150500", "通辽市", _c(
        "科尔沁区150502 科尔沁左翼中旗150521 科尔沁左翼后旗150522 开鲁县150523 库伦旗150524 "
        "奈曼旗150525 扎鲁特旗150526 霍林郭勒市150581")),
    City("150600", "鄂尔多斯市", _c(
        "东胜区150602 康巴什区150603 达拉特旗150621 准格尔旗150622 鄂托克前旗150623 鄂托克旗150624 "
        "杭锦旗150625 乌审旗150626 伊金霍洛旗150627")),
    City("150700", "呼伦贝尔市", _c(
        "海拉尔区150702 扎赉诺尔区150703 阿荣旗150721 莫力达瓦达斡尔族自治旗150722 鄂伦春自治旗150723 "
        "鄂温克族自治旗150724 陈巴尔虎旗150725 新巴尔虎左旗150726 新巴尔虎右旗150727 满洲里市150781 "
        "牙克石市150782 扎兰屯市150783 额尔古纳市150784 根河市150785")),
    City("150800", "巴彦淖尔市", _c(
        "临河区150802 五原县150821 磴口县150822 乌拉特前旗150823 乌拉特中旗150824 乌拉特后旗150825 "
        "杭锦后旗150826")),
    City("150900", "乌兰察布市", _c(
        "集宁区150902 卓资县150921 化德县150922 商都县150923 兴和县150924 凉城县150925 "
        "察哈尔右翼前旗150926 察哈尔右翼中旗150927 察哈尔右翼后旗150928 四子王旗150929 丰镇市150981")),
    City("152200", "兴安盟", _c(
        "乌兰浩特市152201 阿尔山市152202 科尔沁右翼前旗152221 科尔沁右翼中旗152222 扎赉特旗152223 "
        "突泉县152224")),
    City("152500", "锡林郭勒盟", _c(
        "二连浩特市152501 锡林浩特市152502 阿巴嘎旗152522 苏尼特左旗152523 苏尼特右旗152524 "
        "东乌珠穆沁旗152525 西乌珠穆沁旗152526 太仆寺旗152527 镶黄旗152528 正镶白旗152529 "
        "正蓝旗152530 多伦县152531")),
    City("152900", "阿拉善盟", _c("阿拉善左旗152921 阿拉善右旗152922 额济纳旗152923")),
)

CITY_BY_CODE = {c.code: c for c in CITIES}


def is_district(county_name: str) -> bool:
    """市辖区 (a city's district) get a 分局 of the city bureau; 旗/县/县级市 their own 公安局."""
    return county_name.endswith("区")


def county_bureau_names(city: City, county_name: str) -> tuple[str, str]:
    """(full name, short name) of the county-level bureau."""
    if is_district(county_name):
        return f"{city.bureau_name}{county_name}分局", f"{county_name}分局"
    return f"{county_name}公安局", f"{county_name}局"


def county_political_name(county_name: str) -> str:
    # 分局 have a 政治部 like their city bureau; 旗县 bureaus a 政治办公室 (domain.md §1.3).
    return "政治部" if is_district(county_name) else "政治办公室"


# Internal offices: (code suffix, name, kind, track) where track picks the 职级 sequence people
# there hold: zh 综合管理, zf 执法勤务, js 警务技术.
DEPARTMENT_OFFICES: tuple[tuple[str, str, str, str], ...] = (
    ("BGS", "办公室", "internal", "zh"),
    ("ZZB", "政治部", "internal", "zh"),
    ("DC", "警务督察总队", "enforcement", "zf"),
    ("ZHZX", "指挥中心", "internal", "js"),
    ("FZ", "法制总队", "internal", "zh"),
    ("KX", "科技信息化总队", "internal", "js"),
    ("XZ", "刑事侦查总队", "enforcement", "zf"),
    ("ZA", "治安管理总队", "enforcement", "zf"),
)
# Under the 厅政治部.
DEPARTMENT_POLITICAL_OFFICES: tuple[tuple[str, str], ...] = (
    ("ZZRS", "组织人事处"),
    ("JYXL", "教育训练处"),
    ("XC", "宣传处"),
    ("CYDJ", "从优待警处"),
)
CITY_OFFICES: tuple[tuple[str, str, str, str], ...] = (
    ("ZZB", "政治部", "internal", "zh"),
    ("BGS", "办公室", "internal", "zh"),
    ("ZHZX", "指挥中心", "internal", "js"),
    ("XJ", "刑事侦查支队", "enforcement", "zf"),
    ("JJ", "交通管理支队", "enforcement", "zf"),
)
COUNTY_OFFICES: tuple[tuple[str, str, str, str], ...] = (
    ("ZZB", "", "internal", "zh"),  # 政治部 / 政治办公室, named by county_political_name
    ("XJ", "刑事侦查大队", "enforcement", "zf"),
)

# Station names. Districts are cut into streets; 旗县 into towns (镇), sumu (苏木) and townships.
DISTRICT_STATIONS = (
    "中山路", "新华街", "人民路", "解放路", "友谊路", "胜利路", "建设路", "团结路", "光明路", "和平路",
    "北站", "东站", "海东路", "大学路", "迎宾路", "兴安路", "滨河", "昭君路", "钢铁大街", "青年路",
    "东风路", "八一街", "公园路", "火车站", "工业园", "新城", "朝阳", "长青", "西街", "南湖",
    "锡林路", "文化街", "鄂尔多斯路", "呼伦路", "幸福路", "金桥", "如意", "丰州路", "健康街", "新民街",
)
RURAL_STATIONS = (
    "城关镇", "巴彦镇", "乌兰镇", "查干诺尔苏木", "宝力格苏木", "白音镇", "敖包苏木", "哈日嘎那苏木",
    "额尔敦镇", "那仁宝力格苏木", "阿拉坦合力苏木", "呼和乌苏镇", "希日塔拉苏木", "沙尔沁镇", "新店子镇",
    "大营子乡", "五家镇", "三道沟乡", "十八台镇", "永丰镇", "双井乡", "北沟镇", "红旗镇", "前进乡",
    "和顺镇", "太平乡", "兴隆镇", "长胜镇", "宝昌镇", "土城子镇", "公主埠镇", "大板镇", "天山镇",
    "巴音花镇", "乌力吉苏木", "塔拉苏木", "好力保镇", "道劳都苏木", "达来苏木", "图牧吉镇",
)
DISTRICT_POSTS = ("幸福里社区", "阳光社区", "新华社区", "丽苑社区", "民族社区", "团结社区", "锦绣社区", "东苑社区")
RURAL_POSTS = ("巴彦嘎查", "乌兰嘎查", "查干嘎查", "新村", "胜利村", "红光村", "宝力格嘎查", "前营子村")
