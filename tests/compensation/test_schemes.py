"""Schemes (征收补偿方案): versions written, saved, copied and published through the services; a text with problems
refused at save with each problem's line and name; a published version immutable; the office only."""

from __future__ import annotations

import datetime as dt

import pytest

from gaizao.compensation.choices import PublicityKind, SchemeStatus
from gaizao.compensation.models import Publicity, Scheme
from gaizao.compensation.samples import scheme_text
from gaizao.compensation.services import schemes as services
from gaizao.core.audit import AuditEntry
from gaizao.core.crypto import sm3_hex
from gaizao.core.errors import AppError, Conflict, PermissionDenied

TEXT = scheme_text("money", project="东湖村一期")
SMALL_CYCLE = '''[scheme]
name = "循环"
[values]
p = { formula = "q + 1" }
q = { formula = "p + 1" }
[items.x]
label = "x"
formula = "p"
'''
# Each mistake the issue names, with the line and the name the refusal must give.
MISTAKES = {
    "syntax": (TEXT.replace("relocation_rate = 10 ", "relocation_rate = = 10 "), "第 8 行", "TOML"),
    "unknown name": (TEXT.replace('formula = "house_value"', 'formula = "house_valu"'), "第 40 行",
                     "items.building_value.formula"),
    "division by zero": (TEXT.replace('formula = "house_value"', 'formula = "house_value / 0"'), "第 40 行", "除数为零"),
    "cycle": (SMALL_CYCLE, "第 4 行", "循环"),
    "missing parameter": (TEXT.replace("relocation_rate = 10 ", "relocation_ratex = 10 "), "第 57 行",
                          "relocation_rate"),
}


def _draft(cast, text=TEXT, **kwargs):
    return services.scheme_create(actor=cast.commander, project=cast.project_a, text=text, **kwargs)


def test_a_draft_takes_the_next_number_and_the_name_its_text_gives(cast):
    first = _draft(cast)
    second = _draft(cast, name="第二稿", note="调整搬迁费")
    assert (first.number, second.number) == (1, 2)
    assert first.status == SchemeStatus.DRAFT and first.name == "东湖村一期征收补偿方案（货币补偿为主）"
    assert second.name == "第二稿" and second.created_by == cast.commander
    entry = AuditEntry.objects.filter(action="compensation.scheme_create").latest("id")
    assert entry.changes["after"]["digest"] == sm3_hex(TEXT.encode())


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_text_with_a_mistake_is_refused_at_save_naming_its_line_and_name(cast, mistake):
    text, line, name = MISTAKES[mistake]
    with pytest.raises(AppError) as refused:
        _draft(cast, text=text)
    assert line in refused.value.message and name in refused.value.message
    assert "text" in refused.value.fields
    assert not Scheme.objects.exists()


def test_a_draft_saved_with_a_mistake_keeps_its_text(cast):
    scheme = _draft(cast)
    with pytest.raises(AppError):
        services.scheme_update(actor=cast.commander, scheme=scheme, version=scheme.version,
                               text=MISTAKES["unknown name"][0], name="", note="")
    scheme.refresh_from_db()
    assert scheme.text == TEXT and scheme.version == 1


def test_a_browser_text_with_crlf_is_saved_with_one_line_ending(cast):
    scheme = _draft(cast, text=TEXT.replace("\n", "\r\n"))
    assert scheme.text == TEXT


def test_saving_a_draft_moves_its_version_and_a_stale_save_is_refused(cast):
    scheme = _draft(cast)
    changed = TEXT.replace("relocation_rate = 10 ", "relocation_rate = 12 ")
    saved = services.scheme_update(actor=cast.commander, scheme=scheme, version=1, text=changed, name="", note="改")
    assert saved.version == 2 and Scheme.objects.get().text == changed
    with pytest.raises(Conflict):
        services.scheme_update(actor=cast.admin, scheme=scheme, version=1, text=TEXT, name="", note="")
    entry = AuditEntry.objects.filter(action="compensation.scheme_update").get()
    assert entry.changes["digest"] == [sm3_hex(TEXT.encode()), sm3_hex(changed.encode())]


def test_publishing_records_the_digest_and_supersedes_the_version_in_force(cast):
    first = services.scheme_publish(actor=cast.commander, scheme=_draft(cast))
    assert first.status == SchemeStatus.PUBLISHED and first.digest == sm3_hex(TEXT.encode())
    assert first.published_by == cast.commander and first.published_at is not None
    second = services.scheme_publish(actor=cast.admin, scheme=services.scheme_copy(actor=cast.admin, scheme=first))
    first.refresh_from_db()
    assert (first.status, second.status) == (SchemeStatus.SUPERSEDED, SchemeStatus.PUBLISHED)
    assert second.number == 2 and second.text == first.text
    entry = AuditEntry.objects.filter(action="compensation.scheme_publish").latest("id")
    assert entry.changes == {"number": 2, "digest": second.digest, "supersedes": 1}


def test_a_published_version_is_immutable(cast):
    scheme = services.scheme_publish(actor=cast.commander, scheme=_draft(cast))
    with pytest.raises(Conflict) as refused:
        services.scheme_update(actor=cast.commander, scheme=scheme, version=scheme.version, text=TEXT, name="x",
                               note="")
    assert "已发布" in refused.value.message and "复制" in refused.value.message
    with pytest.raises(Conflict):
        services.scheme_publish(actor=cast.commander, scheme=scheme)
    scheme.refresh_from_db()
    assert scheme.name != "x"


def test_copying_any_version_makes_a_new_draft(cast):
    first = services.scheme_publish(actor=cast.commander, scheme=_draft(cast))
    copy = services.scheme_copy(actor=cast.commander, scheme=first)
    assert copy.status == SchemeStatus.DRAFT and copy.number == 2 and "第 1 版" in copy.note


@pytest.mark.parametrize("role", ["street_user_a", "leader", "cadre", "resident"])
def test_only_the_office_writes_schemes(cast, role):
    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=getattr(cast, role), project=cast.project_a, text=TEXT)
    scheme = _draft(cast)
    with pytest.raises(PermissionDenied):
        services.scheme_publish(actor=getattr(cast, role), scheme=scheme)


def test_after_the_compensation_publicity_a_new_version_needs_a_change_request(cast):
    services.scheme_publish(actor=cast.commander, scheme=_draft(cast))
    Publicity.objects.create(project=cast.project_a, kind=PublicityKind.COMPENSATION, title="公示",
                             starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 10), rows=[])
    draft = _draft(cast)
    with pytest.raises(AppError) as refused:
        services.scheme_publish(actor=cast.commander, scheme=draft)
    assert refused.value.status == 409 and "变更申请" in refused.value.message
    draft.refresh_from_db()
    assert draft.status == SchemeStatus.DRAFT
    assert Scheme.objects.get(status=SchemeStatus.PUBLISHED).number == 1
