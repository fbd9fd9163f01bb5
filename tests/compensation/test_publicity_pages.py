"""Publicity pages (公示): the list pages at a fixed number of queries whatever the data, the publish form and
the objection forms through the services (refusals beside their field), the documents, the API, and the public
board without login showing only what was published, masked."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from gaizao.compensation.choices import ObjectionStatus
from gaizao.compensation.models import Objection, Publicity
from gaizao.compensation.services.publicity import (objection_answer, objection_publish, objection_record,
                                                    publicity_publish)
from gaizao.core.actors import SYSTEM
from gaizao.ledger import services as ledger_services
from tests.compensation.test_publicity import _calculated
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _round(cast, project=None, **kwargs):
    kwargs.setdefault("kind", "survey")
    kwargs.setdefault("starts_on", TODAY() - dt.timedelta(days=2))
    return publicity_publish(actor=SYSTEM, project=project or cast.project_a, **kwargs)


def _objection(publicity, *, answer=None, publish=False, submitter="张三丰"):
    o = objection_record(actor=SYSTEM, publicity=publicity, submitter=submitter, content="认为面积有误")
    if answer:
        o = objection_answer(actor=SYSTEM, objection=o, version=o.version, answer=answer)
    if publish:
        o = objection_publish(actor=SYSTEM, objection=o, version=o.version)
    return o


def _more(cast, n: int) -> None:
    """n more rounds in project A, each with an objection in each state, and n more projects with a round."""
    for i in range(n):
        p = _round(cast)
        _objection(p)
        _objection(p, answer="已答复")
        _objection(p, answer="已公布", publish=True)
        project = ledger_services.project_create(actor=SYSTEM, village=cast.village_a, code=f"P1{i:02d}",
                                                 name=f"东湖村{i + 2}期")
        ledger_services.household_create(actor=SYSTEM, project=project, number=f"Q{i}", head_name="某某某")
        _round(cast, project)


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("page", ["index", "project", "detail", "public_board", "public_round"])
def test_list_pages_read_a_fixed_number_of_queries_whatever_the_data(cast, client, page, django_assert_num_queries):
    first = _round(cast)
    _objection(first, answer="已公布", publish=True)
    urls = {"index": reverse("compensation:publicity_index"),
            "project": reverse("compensation:publicity_project", args=[cast.project_a.pk]),
            "detail": reverse("compensation:publicity_detail", args=[first.pk]),
            "public_board": reverse("compensation:publicity_public", args=[cast.project_a.code]),
            "public_round": reverse("compensation:publicity_public_round", args=[cast.project_a.code, first.pk])}
    if not page.startswith("public"):
        login(client, cast.street_user_a)
    client.get(urls[page])  # the session and the known values read once
    small = _count(client, urls[page])
    _more(cast, 4)
    for _ in range(3):
        _objection(first, answer="已公布", publish=True)
    assert _count(client, urls[page]) == small
    # signed in: the session, the user, the roles and the units (4) and the session saved (savepoint, update,
    # release: 3), then the page's own — the projects with their rounds counted (1); the project and its rounds
    # counted (2); the round and its objections (2); public: the project and its rounds (2), the project, the round
    # and its published answers (3)
    pinned = {"index": 8, "project": 9, "detail": 9, "public_board": 2, "public_round": 3}
    with django_assert_num_queries(pinned[page]):
        client.get(urls[page])


# ------------------------------------------------------------------------------------------ staff pages

def test_the_street_publishes_a_round_from_the_form(cast, client):
    login(client, cast.street_user_a)
    url = reverse("compensation:publicity_create", args=[cast.project_a.pk])
    assert client.get(url + "?kind=compensation").status_code == 200
    response = client.post(url, {"kind": "survey", "starts_on": TODAY().isoformat(), "days": "10", "title": ""})
    p = Publicity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("compensation:publicity_detail", args=[p.pk])
    assert (p.ends_on - p.starts_on).days == 9 and p.published_by == cast.street_user_a
    page = client.get(response["Location"]).content.decode()
    assert "李*" in page and "李四" not in page and "120.50" in page


def test_the_form_shows_a_refusal_beside_its_field(cast, client):
    login(client, cast.street_user_a)
    url = reverse("compensation:publicity_create", args=[cast.project_a.pk])
    response = client.post(url, {"kind": "survey", "starts_on": "2026-12-10", "ends_on": "2026-12-01"})
    assert response.status_code == 400
    assert "早于开始日期" in response.content.decode() and 'data-testid="error-ends_on"' in response.content.decode()
    response = client.post(url, {"kind": "compensation"})
    assert response.status_code == 400 and "尚无已发布的补偿方案" in response.content.decode()
    response = client.post(url, {"kind": "survey", "days": "61"})
    assert response.status_code == 400 and 'data-testid="error-days"' in response.content.decode()
    response = client.post(url, {"kind": "survey", "household_numbers": "DH-001\nDH-404"})
    assert response.status_code == 400 and 'data-testid="error-household_numbers"' in response.content.decode()
    assert not Publicity.objects.exists()


def test_readers_do_not_get_the_forms(cast, client):
    p = _round(cast)
    login(client, cast.leader)
    assert client.get(reverse("compensation:publicity_create", args=[cast.project_a.pk])).status_code == 404
    page = client.get(reverse("compensation:publicity_detail", args=[p.pk])).content.decode()
    assert p.title in page and 'data-testid="objection-form"' not in page
    assert "发布调查认定结果公示" not in client.get(
        reverse("compensation:publicity_project", args=[cast.project_a.pk])).content.decode()


def test_an_objection_is_recorded_answered_and_published_from_the_round_page(cast, client):
    p = _round(cast)
    login(client, cast.street_user_a)
    url = reverse("compensation:objection_create", args=[p.pk])
    outside = (p.starts_on - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"submitter": "张三", "content": "面积有误", "received_on": outside,
                                 "household_number": "DH-002"})
    assert response.status_code == 400 and "不在公示期" in response.content.decode()
    response = client.post(url, {"submitter": "张三", "content": "面积有误", "household_number": "DH-002"})
    assert response.status_code == 302
    o = Objection.objects.get()
    response = client.post(reverse("compensation:objection_publish", args=[o.pk]), {f"p{o.pk}-version": o.version})
    assert response.status_code == 400 and "尚未答复" in response.content.decode()
    response = client.post(reverse("compensation:objection_answer", args=[o.pk]),
                           {f"o{o.pk}-answer": "经复核无误。", f"o{o.pk}-version": o.version})
    assert response.status_code == 302
    o.refresh_from_db()
    response = client.post(reverse("compensation:objection_publish", args=[o.pk]), {f"p{o.pk}-version": o.version})
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.status == ObjectionStatus.PUBLISHED
    public = client.get(reverse("compensation:publicity_public_round", args=[cast.project_a.code, p.pk]))
    assert "张*" in public.content.decode() and "经复核无误。" in public.content.decode()


def test_the_round_downloads_as_docx_and_xlsx(cast, client):
    _calculated(cast)
    p = publicity_publish(actor=SYSTEM, project=cast.project_a, kind="compensation")
    _objection(p, answer="选择产权调换的，搬迁费按两次计算。", publish=True, submitter="张三")
    _objection(p, answer="未公布的答复")
    login(client, cast.street_user_a)
    response = client.get(reverse("compensation:publicity_docx", args=[p.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(par.text for par in document.paragraphs)
    assert p.title in text and "公示期：" in text and "选择产权调换的，搬迁费按两次计算。" in text
    assert "未公布的答复" not in text and "张三（" not in text and "张*（" in text
    main, details = document.tables[0], document.tables[1]
    assert [c.text for c in main.rows[0].cells] == ["户号", "户主", "补偿方式", "合法面积（㎡）", "补偿合计（元）",
                                                    "产权调换面积（㎡）"]
    assert [c.text for c in main.rows[1].cells][:3] == ["DH-001", "李*", "货币补偿"]
    assert details.rows[0].cells[0].text == "户号" and len(details.rows[0].cells) <= 6
    response = client.get(reverse("compensation:publicity_xlsx", args=[p.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["户号", "户主", "补偿方式", "合法面积（㎡）"] and "房屋价值补偿（元）" in header
    first = [c.value for c in sheet[4]]
    assert first[:2] == ["DH-001", "李*"] and first[header.index("补偿合计（元）")] == Decimal(p.rows[0]["total"])
    assert [c.value for c in sheet[6]][0] == "合计"


def test_the_survey_round_downloads_one_line_per_building(cast, client):
    p = _round(cast)
    login(client, cast.admin)
    sheet = load_workbook(io.BytesIO(client.get(reverse("compensation:publicity_xlsx", args=[p.pk])).content)).active
    assert [c.value for c in sheet[4]] == ["DH-001", "李*", "1", "砖混", "住宅", Decimal("120.50"), Decimal("30.00"),
                                           "合法"]
    assert [c.value for c in sheet[5]][:3] == ["DH-002", "张*", "—"]
    document = Document(io.BytesIO(client.get(reverse("compensation:publicity_docx", args=[p.pk])).content))
    assert document.tables[0].rows[1].cells[7].text == "合法"


# ------------------------------------------------------------------------------------------ public board

def test_the_public_board_needs_no_login_and_shows_only_rounds_begun(cast, client):
    begun = _round(cast, title="已开始的公示")
    _round(cast, starts_on=TODAY() + dt.timedelta(days=3), title="下周的公示")
    response = client.get(reverse("compensation:publicity_public", args=[cast.project_a.code]))
    body = response.content.decode()
    assert response.status_code == 200 and "已开始的公示" in body and "下周的公示" not in body
    upcoming = Publicity.objects.get(title="下周的公示")
    assert client.get(reverse("compensation:publicity_public_round",
                              args=[cast.project_a.code, upcoming.pk])).status_code == 404
    # a round of another project is not reached through this project's address
    other = _round(cast, cast.project_b)
    assert client.get(reverse("compensation:publicity_public_round",
                              args=[cast.project_a.code, other.pk])).status_code == 404
    assert client.get(reverse("compensation:publicity_public", args=["NOPE"])).status_code == 404
    page = client.get(reverse("compensation:publicity_public_round", args=[cast.project_a.code, begun.pk]))
    assert "李*" in page.content.decode() and "李四" not in page.content.decode()


def test_the_public_round_shows_published_answers_only_with_the_submitter_masked(cast, client):
    p = _round(cast)
    _objection(p, answer="公开的答复", publish=True, submitter="欧阳娜娜")
    _objection(p, answer="未公开的答复", submitter="王小明")
    _objection(p, submitter="赵大")
    body = client.get(reverse("compensation:publicity_public_round", args=[cast.project_a.code, p.pk])).content.decode()
    assert "欧**娜" in body and "公开的答复" in body and "欧阳娜娜" not in body
    assert "未公开的答复" not in body and "王小明" not in body and "赵大" not in body


def test_the_staff_pages_need_a_login(client, cast):
    response = client.get(reverse("compensation:publicity_index"))
    assert response.status_code == 302


# ------------------------------------------------------------------------------------------ API

def test_the_api_publishes_and_handles_objections(cast, client):
    login(client, cast.street_user_a)
    base = f"/api/compensation/projects/{cast.project_a.pk}/publicity"
    bad = client.post(base, {"kind": "survey", "days": 90}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["fields"] == {"days": "超出范围"}
    made = client.post(base, {"kind": "survey", "starts_on": TODAY().isoformat()}, content_type="application/json")
    assert made.status_code == 201
    data = made.json()
    assert data["round"] == 1 and data["rows"][0]["name"] == "李*" and data["state"] == "running"
    assert client.get(base).json()[0]["households"] == 2
    objections = f"/api/compensation/publicity/{data['id']}/objections"
    refused = client.post(objections, {"submitter": "张三", "content": "有误",
                                       "received_on": (TODAY() - dt.timedelta(days=1)).isoformat()},
                          content_type="application/json")
    assert refused.status_code == 400 and refused.json()["fields"] == {"received_on": "不在公示期内"}
    o = client.post(objections, {"submitter": "张三", "content": "有误", "household_number": "DH-002"},
                    content_type="application/json").json()
    assert o["household_number"] == "DH-002" and o["status"] == "open"
    answered = client.post(f"/api/compensation/objections/{o['id']}/answer",
                           {"version": o["version"], "answer": "无误"}, content_type="application/json").json()
    stale = client.post(f"/api/compensation/objections/{o['id']}/publish", {"version": o["version"]},
                        content_type="application/json")
    assert stale.status_code == 409
    done = client.post(f"/api/compensation/objections/{o['id']}/publish", {"version": answered["version"]},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "published"
    detail = client.get(f"/api/compensation/publicity/{data['id']}").json()
    assert detail["objections"][0]["status"] == "published"
    login(client, cast.street_user_b)
    assert client.get(base).status_code == 404
    assert client.get(f"/api/compensation/publicity/{data['id']}").status_code == 404


def test_the_menu_shows_publicity_in_the_compensation_group(cast, client):
    from gaizao.core.registry import MENU_GROUPS

    assert str(MENU_GROUPS["compensation"]) == "征收补偿"
    login(client, cast.street_user_a)
    assert reverse("compensation:publicity_index") in client.get("/").content.decode()
    login(client, cast.cadre)
    assert reverse("compensation:publicity_index") not in client.get("/").content.decode()


def test_the_project_panel_lists_the_rounds_for_those_who_read_them(cast, rf):
    from django.template import Context

    from gaizao.core.registry import panels

    p = _round(cast)
    panel = next(entry for entry in panels if entry.name == "compensation.publicity")
    assert panel.page == "project"
    for user, shown in ((cast.street_user_a, True), (cast.leader, True), (cast.street_user_b, False),
                        (cast.cadre, False)):
        request = rf.get("/")
        request.user = user
        data = panel.context(Context({"request": request}), cast.project_a)
        assert (data is not None) == shown
        if shown:
            assert data["rounds"] == [p]
