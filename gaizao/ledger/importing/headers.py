"""The columns of the ledger spreadsheet (台账表头); the header row is found by the tabular reader.

One table, ``HOUSEHOLD_COLUMNS`` and ``PERSON_COLUMNS``, says for every column: the header the
template writes, the synonyms people use in their own sheets, the kind of value, whether it is
required, and the rule shown on the notes sheet. docs/ledger-import.md lists the same table for
street staff; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy

from gaizao.core.tabular.headers import (  # noqa: F401 — the ledger's modules read them from here
    HEADER_SCAN_ROWS, HEADER_TAIL_ROWS, MIN_HEADER_MATCHES, HeaderMatch, expected_headers, normalise_header,
    synonym_table,
)
from gaizao.core.tabular.headers import find_header as _find_header
from gaizao.ledger.choices import Disposition, Hukou, HouseholdUse, LandType, Legality, Relation, Structure

HOUSEHOLD_SHEET = "住户房屋"
PERSON_SHEET = "家庭成员"
NOTES_SHEET = "填写说明"
# The 户号 of the template's example rows: the import skips them and says so (validate.py).
EXAMPLE = "示例"

# Which part of the data a column belongs to.
HOUSEHOLD, BUILDING, PERSON = "household", "building", "person"

# Kinds of value (normalise.py converts each kind in one place).
CODE, NAME, TEXT, CITIZEN_ID, PHONE, CHOICE, INTEGER, YEAR, AREA = (
    "code", "name", "text", "citizen_id", "phone", "choice", "integer", "year", "area",
)

# Plausibility limits (合理范围); a value outside is a row error.
MAX_AREA = 10_000  # ㎡ per building, legal or unlicensed
MAX_FLOORS = 100
MAX_MEMBERS = 50
MIN_BUILD_YEAR = 1800


@dataclass(frozen=True)
class Column:
    """One column of the ledger template (模板列); the tabular reader reads its key, header, synonyms, required."""

    key: str  # the model field it fills (``number`` is 户号 on both sheets)
    header: str  # what the template writes in the header row
    part: str  # HOUSEHOLD, BUILDING or PERSON
    kind: str
    note: object  # the rule shown on the notes sheet (lazy Chinese text)
    synonyms: tuple[str, ...] = ()
    required: bool = False
    choices: type[models.TextChoices] | None = None
    width: int = 12
    # Extra spellings of choice labels that people write (砖混结构 → 砖混).
    aliases: dict[str, str] = field(default_factory=dict)


HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("number", "户号", HOUSEHOLD, CODE, gettext_lazy("必填。住户在本项目内的编号，同一项目内唯一；"
           "一户有几栋房屋就写几行，户号相同（或把户号单元格纵向合并）。"),
           ("户号", "户编号", "住户编号", "编号", "户代码"), required=True, width=12),
    Column("head_name", "户主姓名", HOUSEHOLD, NAME, gettext_lazy("必填。户主的姓名。"),
           ("户主姓名", "户主", "姓名", "户主名称", "产权人", "产权人姓名", "被征收人", "被征收人姓名"),
           required=True, width=12),
    Column("head_id_number", "户主身份证号", HOUSEHOLD, CITIZEN_ID, gettext_lazy(
           "18 位身份证号（港澳台居民居住证号码同样填写），核对校验位和出生日期；全角数字、空格、小写 x 都可以。请把该列设为文本，"
           "否则 Excel 会丢掉后几位。导出文件中的脱敏号码（如 110105********002X）表示保留系统中的号码。"),
           ("户主身份证号", "身份证号", "身份证", "身份证号码", "户主身份证", "户主身份证号码", "证件号码",
            "公民身份号码", "身份证件号码"), width=22),
    Column("phone", "联系电话", HOUSEHOLD, PHONE, gettext_lazy(
           "11 位手机号，或带区号的固定电话（如 020-12345678、0755-1234567，分机写“转 801”）；固定电话请把该列设为文本。"
           "脱敏号码（如 138****5678）表示保留系统中的号码。"),
           ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"), width=15),
    Column("address", "地址", HOUSEHOLD, TEXT, gettext_lazy("房屋坐落或住址。"),
           ("地址", "住址", "房屋坐落", "坐落", "房屋地址", "家庭住址"), width=28),
    Column("land_type", "土地性质", HOUSEHOLD, CHOICE, gettext_lazy("从下拉列表选择。留空时新户取“集体土地”。"),
           ("土地性质", "土地类型", "用地性质"), choices=LandType, width=12,
           aliases={"集体": LandType.COLLECTIVE, "国有": LandType.STATE}),
    Column("use", "用途", HOUSEHOLD, CHOICE, gettext_lazy("从下拉列表选择。留空时新户取“住宅”。"),
           ("用途", "房屋用途", "使用性质", "房屋性质"), choices=HouseholdUse, width=10,
           aliases={"住宅用房": HouseholdUse.RESIDENTIAL, "非住宅用房": HouseholdUse.NON_RESIDENTIAL,
                    "商业": HouseholdUse.NON_RESIDENTIAL, "商住": HouseholdUse.MIXED,
                    "商住混合": HouseholdUse.MIXED}),
    Column("member_count", "家庭人数", HOUSEHOLD, INTEGER, gettext_lazy(
           "1–50 的整数（“3人”也可以）。与“家庭成员”表所列人数不一致时只提示，不拒绝。"),
           ("家庭人数", "人数", "人口", "家庭人口", "户籍人数", "家庭成员人数"), width=10),
    Column("building_number", "房屋编号", BUILDING, CODE, gettext_lazy(
           "一户内唯一。可以不填（或没有这一列）：导入时按本户房屋行的先后编为 1、2、3…，本户已填了编号的，"
           "接着最大的编号往后编；同一个文件再次导入编号不变。一户没有房屋时房屋各列整组留空。"),
           ("房屋编号", "房号", "栋号", "幢号", "房屋序号", "楼栋号"), width=10),
    Column("structure", "结构", BUILDING, CHOICE, gettext_lazy(
           "从下拉列表选择（领导小组办公室可在“可选值”页面增加）。留空时新房屋取“砖混”。"),
           ("结构", "房屋结构", "建筑结构"), choices=Structure, width=8,
           aliases={"砖混结构": Structure.BRICK_CONCRETE, "框架结构": Structure.FRAME,
                    "框混": Structure.FRAME, "砖木结构": Structure.BRICK_WOOD, "简易结构": Structure.SIMPLE,
                    "钢混结构": Structure.STEEL_CONCRETE, "钢筋混凝土": Structure.STEEL_CONCRETE,
                    "钢筋混凝土结构": Structure.STEEL_CONCRETE, "钢构": Structure.STEEL, "钢结构房": Structure.STEEL,
                    "木构": Structure.WOOD, "木": Structure.WOOD, "土木结构": Structure.EARTH_WOOD,
                    "石木结构": Structure.STONE_WOOD, "其它": Structure.OTHER}),
    Column("floors", "层数", BUILDING, INTEGER, gettext_lazy("1–100 的整数（“3层”也可以）。"),
           ("层数", "楼层", "层", "总层数", "房屋层数"), width=8),
    Column("build_year", "建成年份", BUILDING, YEAR, gettext_lazy(
           "四位年份，如 2001；写成日期（2001.05.01、2001年5月1日、Excel 日期）时取年份。"),
           ("建成年份", "建成年代", "建造年份", "建房年份", "建成时间", "建造时间", "建房时间", "竣工年份"), width=10),
    Column("certificate_no", "权证号", BUILDING, CODE, gettext_lazy("房屋或宅基地权证号，没有可留空。"),
           ("权证号", "产权证号", "房产证号", "不动产权证号", "宅基地证号", "土地证号", "证号"), width=18),
    Column("legal_area", "合法面积（㎡）", BUILDING, AREA, gettext_lazy(
           "平方米，最多两位小数（多的四舍五入），0–10000；可以带单位（㎡、平方米、m2）。"),
           ("合法面积", "合法建筑面积", "有证面积", "证载面积", "合法面积(m2)", "合法建筑面积(m2)",
            "合法面积(平方米)", "确权面积"), width=14),
    Column("unlicensed_area", "无证面积（㎡）", BUILDING, AREA, gettext_lazy("同上：无证（未登记）建筑面积。"),
           ("无证面积", "无证建筑面积", "未登记面积", "无证面积(m2)", "未登记建筑面积"), width=14),
    Column("legality", "认定结果", BUILDING, CHOICE, gettext_lazy(
           "从下拉列表选择：合法 / 未超期临时 / 违法 / 待认定。留空时新房屋取“待认定”。"),
           ("认定结果", "认定", "合法性认定", "认定情况", "建筑认定结果"), choices=Legality, width=12,
           aliases={"临时": Legality.TEMPORARY, "未超期临时建筑": Legality.TEMPORARY,
                    "违法建筑": Legality.ILLEGAL, "违建": Legality.ILLEGAL, "未认定": Legality.PENDING,
                    "合法建筑": Legality.LEGAL}),
    # 处置方式 (ledger.ways): what the village's plan does with the building; the mode decides what
    # is allowed and what a blank cell means (plan.py checks it against the project's village).
    Column("disposition", "处置方式", BUILDING, CHOICE, gettext_lazy(
           "从下拉列表选择：拆除 / 保留。留空时新房屋按所在村的改造方式取值：拆除新建、拆整结合的村为“拆除”，"
           "整治提升的村为“保留”；已有房屋留空不修改。拆除新建的村只能填“拆除”，整治提升的村只能填“保留”。"
           "拆整结合的村里，住户有一栋“拆除”的房屋即走拆除安置路径，否则走整治路径。"),
           ("处置方式", "拆除或保留", "拆留", "处置", "保留/拆除", "拆除/保留", "拆或留", "房屋处置方式", "处置意见"),
           choices=Disposition, width=10,
           aliases={"拆": Disposition.DEMOLISH, "需拆除": Disposition.DEMOLISH, "须拆除": Disposition.DEMOLISH,
                    "应拆除": Disposition.DEMOLISH, "拆除房屋": Disposition.DEMOLISH, "予以拆除": Disposition.DEMOLISH,
                    "拆迁": Disposition.DEMOLISH, "留": Disposition.KEEP, "保留房屋": Disposition.KEEP,
                    "需保留": Disposition.KEEP, "须保留": Disposition.KEEP, "予以保留": Disposition.KEEP,
                    "不拆": Disposition.KEEP, "不拆除": Disposition.KEEP, "保留整治": Disposition.KEEP,
                    "整治": Disposition.KEEP}),
    # 包户干部: a cadre of the project's street, by name or username (plan.py resolves it; blank keeps the
    # stored one). Last, so that files made before it still line up; a file without it costs nothing.
    Column("cadre", "包户干部", HOUSEHOLD, NAME, gettext_lazy(
           "选填。本户的包户干部，写本街道包户干部的姓名或用户名；同名的干部请写用户名。留空表示不修改。"
           "写的人不是本街道的包户干部时，该户不导入。"),
           ("包户干部", "包户人", "包保干部", "包户责任人", "联系干部", "责任干部"), width=12),
)

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("number", "户号", PERSON, CODE, gettext_lazy("必填。须是“住户房屋”表中的户号。"),
           ("户号", "户编号", "住户编号", "编号"), required=True, width=12),
    Column("name", "姓名", PERSON, NAME, gettext_lazy("必填。家庭成员姓名（户主本人也可以列出，关系填“户主”）。"),
           ("姓名", "成员姓名", "家庭成员", "家庭成员姓名"), required=True, width=12),
    Column("id_number", "身份证号", PERSON, CITIZEN_ID, gettext_lazy("同户主身份证号的规则；可以留空。"),
           ("身份证号", "身份证", "身份证号码", "证件号码", "公民身份号码"), width=22),
    Column("relation", "与户主关系", PERSON, CHOICE, gettext_lazy("必填，从下拉列表选择。"),
           ("与户主关系", "关系", "家庭关系", "与户主的关系"), required=True, choices=Relation, width=12,
           aliases={"本人": Relation.HEAD, "妻": Relation.SPOUSE, "夫": Relation.SPOUSE, "妻子": Relation.SPOUSE,
                    "丈夫": Relation.SPOUSE, "子": Relation.CHILD, "女": Relation.CHILD, "儿子": Relation.CHILD,
                    "女儿": Relation.CHILD, "父亲": Relation.PARENT, "母亲": Relation.PARENT,
                    "孙子": Relation.GRANDCHILD, "孙女": Relation.GRANDCHILD}),
    Column("hukou", "户籍状况", PERSON, CHOICE, gettext_lazy("从下拉列表选择。留空时新成员取“本村农业户口”。"),
           ("户籍状况", "户籍", "户口性质", "户籍性质", "户口类型", "户口"), choices=Hukou, width=14,
           aliases={"农业户口": Hukou.LOCAL_RURAL, "农业": Hukou.LOCAL_RURAL, "城镇户口": Hukou.LOCAL_URBAN,
                    "非农": Hukou.LOCAL_URBAN, "外地": Hukou.OUTSIDE}),
)

HOUSEHOLD_SYNONYMS = synonym_table(HOUSEHOLD_COLUMNS)
PERSON_SYNONYMS = synonym_table(PERSON_COLUMNS)


def find_header(grid: list[list], *, synonyms: dict[str, Column],
                merged: dict[tuple[int, int], object] | None = None) -> HeaderMatch | None:
    """The ledger's header row: 户号 and 户主姓名 (or 姓名, 与户主关系) and ``MIN_HEADER_MATCHES`` in all."""
    return _find_header(grid, synonyms=synonyms, merged=merged, min_matched=MIN_HEADER_MATCHES)
