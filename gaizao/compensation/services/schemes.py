"""Writing and publishing a project's compensation scheme (征收补偿方案).

A scheme is versioned text in the scheme language (``compensation.language``). The office (领导小组办公室)
writes a draft (起草), saves it as often as it likes, and publishes it (发布): the published version is the
one in force (现行方案), never changed again, and the version it replaces is kept as superseded. A text the
language finds problems in is refused at save — every problem with its line and name in one message — so a
draft always parses and a check before publishing is the same check. Publishing records the text's SM3
digest; after the project's compensation 公示 it is a change of the households' inputs, which the
change-request area guards (four eyes).
"""

from __future__ import annotations

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.compensation import language
from gaizao.compensation.choices import SchemeStatus
from gaizao.compensation.models import Scheme
from gaizao.compensation.policies.schemes import scheme_can_write
from gaizao.core.actors import is_system
from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.services import check_text_values, conditional_update, full_clean, stale
from gaizao.core.writes import writes
from gaizao.ledger.models import Household, Project

NOT_FOUND = "补偿方案不存在或无权操作。"
TEXT_MAX = language.MAX_TEXT


def refuse_problems(text: str) -> language.Scheme:
    """The scheme the text writes, or the language's one refusal (``SchemeError``) listing every problem with its
    line and name; the form shows it beside the text."""
    if len(text) > TEXT_MAX:
        raise AppError(_("方案文本过长（%(n)d 个字符，最多 %(max)d 个）。") % {"n": len(text), "max": TEXT_MAX},
                       fields={"text": _("过长")})
    return language.parse(text)


def _name(name: str, parsed: language.Scheme) -> str:
    """The version's name as given, else the name the text gives in ``[scheme]``."""
    return (name or "").strip() or (parsed.name or "").strip() or _("征收补偿方案")


def _next_number(project: Project) -> int:
    return (Scheme.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1


def _load(scheme: Scheme | int, *, lock: bool = True) -> Scheme:
    pk = scheme if isinstance(scheme, int) else scheme.pk
    rows = Scheme.objects.select_related("project")
    found = (rows.select_for_update(of=("self",)) if lock else rows).filter(pk=pk).first()
    if found is None:
        raise NotFound(_(NOT_FOUND))
    return found


def _user(actor):
    return None if is_system(actor) else actor


def _check_version(scheme: Scheme, version) -> None:
    if version is None or isinstance(version, bool) or not str(version).isdigit():
        raise AppError(_("缺少版本号 version：请先读取该方案，再带着读取到的版本号提交修改。"), fields={"version": _("必填")})
    if int(version) != scheme.version:
        raise stale(scheme, version=int(version))


def refuse_published(scheme: Scheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise Conflict(_("「%(s)s」%(status)s，不能再修改；如需调整，请复制为新的草稿后修改并发布。")
                       % {"s": scheme, "status": scheme.get_status_display()})


def _text(value) -> str:
    # One line ending (a browser's textarea sends CRLF): the digest and the line numbers of the text saved.
    return ("" if value is None else str(value)).replace("\r\n", "\n").replace("\r", "\n")


@writes(policy=scheme_can_write)
def scheme_create(*, actor, project: Project, name: str = "", text: str, note: str = "",
                  ip: str | None = None) -> Scheme:
    """Write a new draft of the project's scheme (起草补偿方案): the next version number; a text with
    problems is refused with every problem's line and name."""
    text = _text(text)
    parsed = refuse_problems(text)
    scheme = Scheme(project=project, number=_next_number(project), name=_name(name, parsed), text=text,
                    note=(note or "").strip(), status=SchemeStatus.DRAFT, created_by=_user(actor))
    full_clean(scheme, exclude=["project", "created_by", "published_by"])
    scheme.save(force_insert=True)
    writes.audit(action="compensation.scheme_create", obj=scheme,
                 changes={"after": {"project": project.name, "number": scheme.number, "name": scheme.name,
                                    "digest": sm3_hex(text.encode())}})
    return scheme


@writes(policy=scheme_can_write)
def scheme_update(*, actor, scheme: Scheme | int, version, text: str, name: str = "", note: str = "",
                  ip: str | None = None) -> Scheme:
    """Save a draft's text, name and note (保存草稿); a published or superseded version is immutable."""
    current = _load(scheme)
    refuse_published(current)
    _check_version(current, version)
    text = _text(text)
    parsed = refuse_problems(text)
    values = {"text": text, "name": _name(name, parsed), "note": (note or "").strip()}
    check_text_values(Scheme, values)
    before = {k: getattr(current, k) for k in values}
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        return current
    for k, v in values.items():
        setattr(current, k, v)
    full_clean(current, exclude=["project", "created_by", "published_by"])
    current.version = conditional_update(Scheme, pk=current.pk, version=current.version, values=changed,
                                         extra_filter=Q(status=SchemeStatus.DRAFT), what=current)
    audit = {k: [before[k], v] for k, v in changed.items() if k != "text"}
    if "text" in changed:
        audit["digest"] = [sm3_hex(before["text"].encode()), sm3_hex(text.encode())]
    writes.audit(action="compensation.scheme_update", obj=current, changes=audit)
    return current


@writes(policy=scheme_can_write)
def scheme_copy(*, actor, scheme: Scheme | int, note: str = "", ip: str | None = None) -> Scheme:
    """A new draft from any version (复制为新草稿): the same text, the next number."""
    source = _load(scheme, lock=False)
    copy = Scheme(project=source.project, number=_next_number(source.project), name=source.name, text=source.text,
                  note=(note or "").strip() or _("由第 %(n)d 版复制") % {"n": source.number},
                  status=SchemeStatus.DRAFT, created_by=_user(actor))
    full_clean(copy, exclude=["project", "created_by", "published_by"])
    copy.save(force_insert=True)
    writes.audit(action="compensation.scheme_copy", obj=copy,
                 changes={"from": source.number, "number": copy.number, "digest": sm3_hex(copy.text.encode())})
    return copy


def _guard_after_publicity(project: Project, scheme: Scheme) -> None:
    """After the project's compensation 公示 a new scheme changes every household's inputs: the change-request
    area decides (``changes.guard_inputs``) whether it may go ahead without an approved request."""
    try:
        from gaizao.compensation.services import changes
    except ModuleNotFoundError as exc:  # the change-request area not written yet
        if exc.name != "gaizao.compensation.services.changes":
            raise
        return
    guard = getattr(changes, "guard_inputs", None)
    if guard is None:
        return
    ids = list(Household.objects.filter(project=project).values_list("pk", flat=True))
    guard(ids, what=_("补偿方案（%(p)s 第 %(n)d 版）") % {"p": project.name, "n": scheme.number},
          project_ids=[project.pk])


@writes(policy=scheme_can_write)
def scheme_publish(*, actor, scheme: Scheme | int, ip: str | None = None) -> Scheme:
    """Publish a draft (发布方案): it is in force from now, immutable, with its text's SM3 digest; the version in
    force before it is superseded (kept)."""
    current = _load(scheme)
    refuse_published(current)
    refuse_problems(current.text)  # the language may have grown stricter since the draft was saved
    project = current.project
    _guard_after_publicity(project, current)
    previous = Scheme.objects.select_for_update().filter(project=project, status=SchemeStatus.PUBLISHED).first()
    now = timezone.now()
    if previous is not None:
        Scheme.objects.filter(pk=previous.pk, status=SchemeStatus.PUBLISHED).update(
            status=SchemeStatus.SUPERSEDED, updated_at=now)
    digest = sm3_hex(current.text.encode())
    publisher = _user(actor)
    current.version = conditional_update(Scheme, pk=current.pk, version=current.version,
                                         values={"status": SchemeStatus.PUBLISHED, "digest": digest,
                                                 "published_by_id": getattr(publisher, "pk", None),
                                                 "published_at": now},
                                         extra_filter=Q(status=SchemeStatus.DRAFT), what=current)
    current.status, current.digest, current.published_by, current.published_at = (
        SchemeStatus.PUBLISHED, digest, publisher, now)
    writes.audit(action="compensation.scheme_publish", obj=current,
                 changes={"number": current.number, "digest": digest,
                          "supersedes": previous.number if previous is not None else None})
    return current
