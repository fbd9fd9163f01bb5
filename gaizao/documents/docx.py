"""公文 as DOCX (官方版式 GB/T 9704-2012), rendered from templates a district can replace with its own.

    from gaizao.documents import docx
    data = docx.render("notice", context)        # the district's uploaded template for the kind, else the shipped one
    docx.render_default("notice", context)       # always the shipped template
    docx.sample_context("notice")                # realistic sample data (validates an upload, makes previews)
    docx.KINDS                                   # kind -> label

Templates are Word documents with Jinja in their text (docxtpl): ``{{ title }}``; ``{%p for para in paragraphs %}``
… ``{%p endfor %}`` around paragraphs; ``{%tr for row in t.rows %}`` in a table row; ``{%tc for h in t.header %}``
in a cell. The shipped ones live in ``default_templates/`` and are built by ``build_templates.py``; the
administrator uploads a replacement per kind on the 公文模板 page (``services.template_upload``), which must
render the sample data first.

Context (plain str, lists and dicts; a missing key renders as nothing, so every key is optional):

- every kind: ``issuer`` 发文机关, ``number`` 发文字号 (期号 for minutes, 编号 for an agreement), ``title``,
  ``recipients`` 主送机关,
  ``paragraphs`` [str], ``sections`` [{"heading", "paragraphs": [str]}] (headings numbered 一、二、 by the caller),
  ``tables`` [{"caption", "header": [str], "rows": [[str]]}], ``signatures`` [{"party", "signer", "date"}],
  ``date`` 成文日期, ``cc`` 抄送, ``printer`` 印发机关, ``printed_on`` 印发日期, ``attachments`` [str] 附件说明;
- agreement 目标责任书: ``street``, ``campaign``, ``version`` (int), ``duties`` [str], ``assessment`` [str];
  ``tables[0]`` is the targets table (指标, 目标值, 节点要求: its rows are read as three columns);
- minutes 会议纪要: ``meeting`` {"title", "held_on", "place", "chair", "attendees", "observers" (列席), "agenda"},
  ``decisions`` [str]; attendees/observers a str or a list of names;
- report_digest 汇报汇总: ``period``, ``streets`` [{"name", "status", "figures": [[label, value]], "work_done",
  "problems", "next_plan", "help_needed"}];
- supervision 督办通知: ``level`` (一般/重点/挂牌督办), ``subject``, ``requirement``, ``deadline``;
- bulletin 工作通报: ``period`` (the dates, under the title); each of ``sections`` may carry its own ``tables``
  [{"caption", "header", "rows"}] printed after its paragraphs (the rankings, the overdue items);
- publicity 公示: ``period`` (公示期, under the title); ``tables`` (the list: tables of many columns print in
  五号), then ``sections`` (how to raise an objection, the objections answered), 署名 and 成文日期;
- compensation_agreement 补偿协议 (房屋征收补偿协议): ``number`` 协议编号, ``order_no`` 签约顺序号 (text),
  ``parties`` [{"role", "name"}] (甲方, 乙方 …), ``paragraphs`` (the preamble), ``sections`` [{"heading",
  "paragraphs"}] (the terms, numbered by the caller), ``tables`` [{"title", "header", "rows"}] (the amounts),
  ``conditions`` [str] (生效条件, e.g. the signing threshold), ``signatures`` [{"role", "name"}] side by side,
  ``signed_on`` 签约日期 (text).

Filters a template may use besides Jinja's own: ``cn_number`` (3 → 三, for 一、二、 and （一）) and ``names``
(a list joined with 、; a str as it is). Templates run in Jinja's sandbox: an uploaded file cannot reach
Python objects beyond the data it is given.
"""

from __future__ import annotations

import copy
import io
import threading
from collections import OrderedDict
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from docxtpl import DocxTemplate
from jinja2 import ChainableUndefined
from jinja2.sandbox import SandboxedEnvironment

from gaizao.documents.samples import SAMPLES

KINDS: dict[str, str] = {
    "notice": _("通知"),
    "agreement": _("目标责任书"),
    "minutes": _("会议纪要"),
    "report_digest": _("汇报汇总"),
    "supervision": _("督办通知"),
    "bulletin": _("工作通报"),
    "publicity": _("公示"),
    "compensation_agreement": _("补偿协议"),
}
DEFAULTS = Path(__file__).resolve().parent / "default_templates"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_DIGITS = "零一二三四五六七八九"


def cn_number(value) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五, 100 → 一百 (for 一、二、 and （一）); other values as they are."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return str(value)
    if not 0 <= n < 1000:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _DIGITS[hundreds] + "百"
        if tens == 0 and ones:
            return out + "零" + _DIGITS[ones]
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if ones:
        out += _DIGITS[ones]
    return out


def names(value) -> str:
    """A list of names joined with 、; a str (or anything else) as it is."""
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=True)
    env.filters["cn_number"] = cn_number
    env.filters["names"] = names
    return env


_ENV = _environment()


def sample_context(kind: str) -> dict:
    """Realistic sample data for ``kind`` (a fresh copy: change it freely)."""
    _check_kind(kind)
    return copy.deepcopy(SAMPLES[kind])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r} (one of {', '.join(KINDS)})")


def default_template(kind: str) -> bytes:
    """The shipped template of ``kind`` (the .docx file itself)."""
    _check_kind(kind)
    return (DEFAULTS / f"{kind}.docx").read_bytes()


def render_bytes(template: bytes, context: dict) -> bytes:
    """Render one template (the .docx's bytes) with ``context``. Errors are docxtpl's and Jinja's own."""
    document = DocxTemplate(io.BytesIO(template))
    document.render(context, _ENV, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_default(kind: str, context: dict) -> bytes:
    """``context`` in the shipped template of ``kind``, whatever the district uploaded."""
    return render_bytes(default_template(kind), context)


# The district's templates by their checksum: an upload is read from storage once per process.
_CACHE: OrderedDict[str, bytes] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 16


def _district_template(kind: str) -> bytes | None:
    from gaizao.documents.models import DocumentTemplate

    found = DocumentTemplate.objects.filter(kind=kind, active=True).only("file", "sha256").first()
    if found is None:
        return None
    with _CACHE_LOCK:
        data = _CACHE.get(found.sha256)
        if data is not None:
            _CACHE.move_to_end(found.sha256)
            return data
    with found.file.open("rb") as handle:
        data = handle.read()
    with _CACHE_LOCK:
        _CACHE[found.sha256] = data
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return data


def current_template(kind: str) -> bytes:
    """The template ``render`` uses for ``kind``: the district's uploaded one, else the shipped one."""
    _check_kind(kind)
    return _district_template(kind) or default_template(kind)


def render(kind: str, context: dict) -> bytes:
    """``context`` as a DOCX of ``kind``: in the district's uploaded template for it, else the shipped one.

    One query (which template is in use). An uploaded template rendered the sample data when it was
    accepted; should it fail on real data, the error propagates (the caller's page shows a 500 and the
    log names the template), never a half-written file.
    """
    _check_kind(kind)
    return render_bytes(current_template(kind), context)
