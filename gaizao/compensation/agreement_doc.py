"""A compensation agreement (补偿协议) as 公文: its plain data for ``gaizao.documents.docx`` and the file.

Built from the agreement's row alone (its frozen items, total, terms, signing date and order number) and
the names it stands between (the household, the project): never from the scheme or a calculation, so a
signed agreement prints what was signed whatever changes after it. The contents follow 国有土地上房屋征收与
补偿条例 §25: the option, the amounts, the payment terms, the swap flat's location and area, the relocation and
transition fees, the moving deadline and the transition period; then the project's effectiveness condition
(its signing threshold) and the signatures.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from gaizao.compensation.choices import Option
from gaizao.compensation.models import Agreement

KIND = "compensation_agreement"
_UPPER = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")
FUNCTIONS = {"max": "较大值", "min": "较小值", "clamp": "限定", "round": "四舍五入", "floor": "向下取整",
             "ceil": "向上取整", "abs": "绝对值"}
RELOCATION_KEYS = ("relocation",)
TRANSITION_KEYS = ("transition",)


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def money(value) -> str:
    """12345.6 → 12,345.60 (yuan, two places)."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount:,.2f}"


def area(value) -> str:
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _four(n: int) -> str:
    """0 < n < 10000 in capitals, with the 零 between digits that Chinese amounts write."""
    out, zero = "", False
    for position in range(3, -1, -1):
        digit = n // 10 ** position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _UPPER[digit] + _SMALL_UNITS[position]
    return out


def cn_money(value) -> str:
    """An amount in yuan in capitals (大写金额): 1234567.8 → 壹佰贰拾叁万肆仟伍佰陆拾柒元捌角整."""
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        return "负" + cn_money(-amount)
    cents = int(amount * 100)
    yuan, fen = divmod(cents, 100)
    jiao, fen = divmod(fen, 10)
    text = ""
    if yuan:
        groups = []
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append(group)
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or group < 1000):
                text += "零"
            text += _four(group) + _BIG_UNITS[index]
            pending_zero = False
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _UPPER[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _UPPER[fen] + "分"
    else:
        text += "整"
    return text


def issuer() -> str:
    """The party that expropriates (房屋征收部门): the district's leading group office unless configured."""
    return getattr(settings, "GAIZAO_DOCUMENT_ISSUER", "") or _("城中村改造工作领导小组办公室")


def effectiveness_condition(project) -> str:
    """The project's condition for agreements to take effect (协议生效条件), as printed in every agreement."""
    threshold = f"{Decimal(project.signing_threshold).normalize():f}"
    if project.signing_start and project.signing_end:
        return _("本协议自本项目签约期（%(s)s至%(e)s）内签约户数达到征收范围内总户数的%(t)s%%时生效；"
                 "未达到的，本协议不生效。") % {"s": cn_date(project.signing_start), "e": cn_date(project.signing_end),
                                          "t": threshold}
    return _("本协议自本项目签约期内签约户数达到征收范围内总户数的%(t)s%%时生效；未达到的，本协议不生效。") % {
        "t": threshold}


def _lines(agreement: Agreement) -> list[dict]:
    return [line for line in agreement.items if line.get("applies", True)]


def _amount_of(lines: list[dict], keys: tuple[str, ...], words: tuple[str, ...]) -> Decimal | None:
    """The sum of the money lines a fee is made of: by the scheme's key, else by the words of its label."""
    found = [line for line in lines if (line.get("kind") or "money") == "money" and (
        line.get("key") in keys or any(w in str(line.get("label", "")) for w in words))]
    if not found:
        return None
    return sum((Decimal(str(line.get("amount") or 0)) for line in found), Decimal("0"))


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = {"**": "^", "*": " × ", "/": " ÷ ", "+": " + ", "-": " − "}


def method(line: dict) -> str:
    """How a line was computed, in numbers a resident reads: the formula with each name replaced by the value the
    calculation used (legal_area * unit_price → 120.50 × 5200); a line computed per building says so; a formula
    whose names are not all among its inputs is not printed in code."""
    formula = str(line.get("formula") or "")
    inputs = {str(k): str(v) for k, v in (line.get("inputs") or {}).items()}
    names = [n for n in _NAME.findall(formula) if n not in FUNCTIONS]
    if formula and names and all(n in inputs for n in names):
        text = _NAME.sub(lambda m: inputs.get(m.group(0), FUNCTIONS.get(m.group(0), m.group(0))), formula)
        text = re.sub(r"\s*(\*\*|[*/+-])\s*", lambda m: _OPERATORS[m.group(1)], text)
        return text.strip()
    buildings = line.get("buildings") or []
    if buildings:
        return _("逐栋计算，共%(n)d栋") % {"n": len(buildings)}
    return ""


def item_lines(agreement: Agreement) -> list[dict]:
    """The lines that apply, as the page and the document show them: label, method in numbers, amount with its unit."""
    out = []
    for line in _lines(agreement):
        kind = line.get("kind") or "money"
        if kind == "money":
            value = money(line.get("amount"))
        elif kind == "area":
            value = area(line.get("amount")) + " ㎡"
        else:
            value = str(line.get("amount") or "")
        out.append({"label": str(line.get("label") or line.get("key") or ""), "method": method(line), "amount": value,
                    "kind": kind, "note": str(line.get("note") or "")})
    return out


def _item_rows(agreement: Agreement) -> list[list[str]]:
    rows = [[str(n), line["label"], line["method"], line["amount"]]
            for n, line in enumerate(item_lines(agreement), start=1)]
    rows.append(["", _("合计（货币）"), "", money(agreement.total)])
    return rows


def agreement_context(agreement: Agreement) -> dict:
    """The agreement as the ``compensation_agreement`` 公文 prints it (plain data, from the frozen row)."""
    frozen = agreement.parties or {}  # as it stood when the agreement was made; the live rows for an older row
    household, project = agreement.household, agreement.project
    project_name = frozen.get("project_name", project.name)
    number = frozen.get("household_number", household.number)
    head = frozen.get("head_name", household.head_name)
    address = frozen.get("address", household.address)
    condition = frozen.get("condition") or effectiveness_condition(project)
    office = issuer()
    lines = _lines(agreement)
    option = Option(agreement.option)
    swap = agreement.option in (Option.SWAP, Option.MIXED)
    total = money(agreement.total)
    sections = []
    place = address or _("%(p)s征收范围内") % {"p": project_name}
    sections.append({"heading": _("被征收房屋"), "paragraphs": [
        _("乙方（户号 %(n)s）位于%(a)s的房屋，列入%(p)s征收范围。") % {"n": number, "a": place, "p": project_name}]})
    sections.append({"heading": _("补偿方式"), "paragraphs": [_("乙方选择%(o)s。") % {"o": option.label}]})
    sections.append({"heading": _("补偿金额"), "paragraphs": [
        _("甲方应支付乙方补偿款合计人民币%(t)s元（大写：%(u)s），各项明细见本协议所附《补偿明细表》。")
        % {"t": total, "u": cn_money(agreement.total)}]})
    if swap:
        flat = agreement.swap_flat or _("（待定）")
        size = area(agreement.swap_area) if agreement.swap_area is not None else _("（待定）")
        sections.append({"heading": _("产权调换房屋"), "paragraphs": [
            _("甲方提供位于%(f)s的房屋用于产权调换，调换面积%(s)s平方米。调换房屋价值与被征收房屋价值的差价按本项目"
              "征收补偿方案结算。") % {"f": flat, "s": size}]})
    fees = []
    relocation = _amount_of(lines, RELOCATION_KEYS, ("搬迁费",))
    transition = _amount_of(lines, TRANSITION_KEYS, ("临时安置", "过渡费"))
    fees.append(_("搬迁费人民币%(m)s元。") % {"m": money(relocation)} if relocation is not None
                else _("本协议不含搬迁费。"))
    fees.append(_("临时安置费（过渡费）人民币%(m)s元。") % {"m": money(transition)} if transition is not None
                else _("本协议不含临时安置费。"))
    sections.append({"heading": _("搬迁费和临时安置费"), "paragraphs": fees})
    periods = [_("乙方应于%(d)s前搬迁完毕，将被征收房屋腾空并交付甲方。") % {"d": cn_date(agreement.move_deadline)}]
    if agreement.transition_months:
        periods.append(_("过渡期限为%(m)d个月，自乙方腾空交房之日起计算；逾期交付调换房屋的，甲方按本项目征收补偿方案"
                         "增发临时安置费。") % {"m": agreement.transition_months})
    else:
        periods.append(_("本协议不设过渡期限。"))
    sections.append({"heading": _("搬迁期限和过渡期限"), "paragraphs": periods})
    sections.append({"heading": _("支付方式和期限"),
                     "paragraphs": [p for p in agreement.payment_terms.splitlines() if p.strip()]})
    sections.append({"heading": _("其他约定"), "paragraphs": [
        _("本协议订立后，一方当事人不履行本协议约定义务的，另一方当事人可以依法提起诉讼。"),
        _("本协议一式四份，甲方执三份，乙方执一份，具有同等法律效力。"),
    ]})
    for n, section in enumerate(sections, start=1):
        from gaizao.documents.docx import cn_number

        section["heading"] = f"{cn_number(n)}、{section['heading']}"
    return {
        "issuer": office,
        "number": agreement.number,
        "title": _("%(p)s房屋征收补偿协议") % {"p": project_name},
        "parties": [
            {"role": _("甲方（房屋征收部门）"), "name": office},
            {"role": _("乙方（被征收人）"), "name": _("%(h)s（户号 %(n)s）") % {"h": head, "n": number}},
        ],
        "paragraphs": [_("根据《国有土地上房屋征收与补偿条例》和本项目征收补偿方案，甲乙双方在平等、自愿的基础上，"
                         "就乙方房屋征收补偿事宜达成如下协议。")],
        "sections": sections,
        "tables": [{"title": _("补偿明细表"), "header": [_("序号"), _("项目"), _("计算方法"), _("金额（元）/面积")],
                    "rows": _item_rows(agreement)}],
        "conditions": [condition],
        "signatures": [{"role": _("甲方（盖章）"), "name": office},
                       {"role": _("乙方（签字）"), "name": head}],
        "signed_on": cn_date(agreement.signed_on),
        "order_no": str(agreement.order_no) if agreement.order_no else "",
    }


def agreement_docx(agreement: Agreement) -> bytes:
    from gaizao.documents import docx

    return docx.render(KIND, agreement_context(agreement))


def agreement_filename(agreement: Agreement) -> str:
    return f"{agreement.number}-{agreement.household.head_name}-补偿协议.docx"
