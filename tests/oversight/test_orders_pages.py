"""The supervision order pages and API: the list and its query count, the detail with the steps each
role may take, the whole flow through the pages, the candidates and the one-click 督办, the DOCX
route, and the API's one error shape."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from gaizao.campaign.services import campaign as campaign_services
from gaizao.oversight.choices import OrderStatus
from gaizao.oversight.models import SupervisionOrder
from gaizao.oversight.services import orders as services
from tests.campaign.helpers import make_campaign
from tests.oversight.orders_helpers import draft, fed_back, issued, pdf

pytestmark = pytest.mark.usefixtures("media")


def _many(cast, n: int, start: int = 0):
    for i in range(start, start + n):
        unit = (cast.street_a, cast.street_b, cast.department)[i % 3]
        order = issued(cast, title=f"督办事项{i}", unit=unit)
        if i % 2:
            SupervisionOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))


def test_the_list_page_and_the_api_cost_the_same_whatever_the_orders(cast, login_as,
                                                                    django_assert_max_num_queries):
    client = login_as(cast.commander)
    _many(cast, 3)
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse("oversight:order_list")).status_code == 200
    with django_assert_max_num_queries(12) as api_few:
        assert client.get("/api/oversight/orders").status_code == 200
    _many(cast, 9, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("oversight:order_list") + "?colour=red").content.decode()
    assert html.count('data-testid="order-row"') == 6
    with django_assert_max_num_queries(len(api_few.captured_queries)):
        items = client.get("/api/oversight/orders?colour=red").json()["items"]
    assert len(items) == 6 and {i["colour"] for i in items} == {"red"}


def test_the_list_shows_the_colours_and_filters_by_unit_level_and_status(cast, login_as):
    red = issued(cast, title="超期的督办")
    SupervisionOrder.objects.filter(pk=red.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    issued(cast, title="西岭的督办", unit=cast.street_b, level="listed")
    draft(cast, title="办公室的草稿")
    client = login_as(cast.street_user_a)
    html = client.get(reverse("oversight:order_list")).content.decode()
    assert "超期的督办" in html and 'data-colour="red"' in html and "超期 3 天" in html
    assert "西岭的督办" not in html and "办公室的草稿" not in html
    office = login_as(cast.commander)
    html = office.get(reverse("oversight:order_list") + f"?unit={cast.street_b.pk}&level=listed").content.decode()
    assert "西岭的督办" in html and "超期的督办" not in html
    html = office.get(reverse("oversight:order_list") + "?status=draft").content.decode()
    assert "办公室的草稿" in html and "西岭的督办" not in html
    assert login_as(cast.cadre).get(reverse("oversight:order_list")).status_code == 404
    leader_page = login_as(cast.leader).get(reverse("oversight:order_list")).content.decode()
    assert 'data-testid="order-review-queue"' in leader_page


def test_a_draft_is_404_to_the_unit_and_another_units_order_too(cast, login_as):
    order = draft(cast)
    client = login_as(cast.street_user_a)
    assert client.get(reverse("oversight:order_detail", args=[order.pk])).status_code == 404
    assert client.get(f"/api/oversight/orders/{order.pk}").status_code == 404
    order = issued(cast, title="东湖的督办")
    services.order_receive(actor=cast.street_user_a, order=order)
    other = login_as(cast.street_user_b)
    response = other.post(reverse("oversight:order_feedback", args=[order.pk]), {"text": "冒名"})
    assert response.status_code == 404
    response = other.post(f"/api/oversight/orders/{order.pk}/feedback", {"text": "冒名"})
    assert response.status_code == 404 and response.json()["message"]


def test_the_whole_flow_through_the_pages(cast, login_as):
    office = login_as(cast.commander)
    response = office.post(reverse("oversight:order_create"), {
        "title": "东湖村签约推进督办", "requirement": "逐户落实。", "unit": cast.street_a.pk, "level": "key",
        "deadline_workdays": "5"})
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("oversight:order_detail", args=[order.pk])
    html = office.get(response["Location"]).content.decode()
    assert 'data-testid="submit-form"' in html and 'data-testid="review-form"' not in html
    assert office.post(reverse("oversight:order_submit", args=[order.pk]), {"version": order.version}).status_code \
        == 302
    leader = login_as(cast.leader)
    html = leader.get(reverse("oversight:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="review-form"' in html and 'data-testid="cancel-form"' not in html
    assert leader.post(reverse("oversight:order_review", args=[order.pk]), {"approve": "1"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED and order.number
    street = login_as(cast.street_user_a)
    html = street.get(reverse("oversight:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="receive-form"' in html and 'data-testid="verify-form"' not in html
    assert street.post(reverse("oversight:order_receive", args=[order.pk])).status_code == 302
    refused = street.post(reverse("oversight:order_feedback", args=[order.pk]), {"text": ""})
    assert refused.status_code == 400 and "必填" in refused.content.decode()
    assert street.post(reverse("oversight:order_feedback", args=[order.pk]),
                       {"text": "已完成。", "files": [pdf()]}).status_code == 302
    office = login_as(cast.commander)
    html = office.get(reverse("oversight:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="verify-form"' in html and "佐证.pdf" in html and "已完成。" in html
    evidence = order.evidence.get()
    download = office.get(reverse("oversight:order_evidence", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    refused = office.post(reverse("oversight:order_verify", args=[order.pk]), {"passed": "0", "reason": ""})
    assert refused.status_code == 400
    assert office.post(reverse("oversight:order_verify", args=[order.pk]), {"passed": "1"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    html = office.get(reverse("oversight:order_detail", args=[order.pk])).content.decode()
    assert 'data-colour="done"' in html and "核验通过，督办单销号" in html


def test_a_stale_page_is_409(cast, login_as):
    order = draft(cast)
    client = login_as(cast.commander)
    services.order_update(actor=cast.commander, order=order, title="别人改过")
    response = client.post(reverse("oversight:order_submit", args=[order.pk]), {"version": order.version})
    assert response.status_code == 409
    response = client.post(f"/api/oversight/orders/{order.pk}/submit", json.dumps({"version": order.version}),
                           content_type="application/json")
    assert response.status_code == 409 and "已被他人修改" in response.json()["message"]


def test_the_api_refuses_self_verification_in_the_one_error_shape(cast, client):
    from gaizao.core.actors import SYSTEM
    from gaizao.org import services as org_services
    from gaizao.org.choices import Role
    from tests.conftest import login

    both = org_services.user_create(actor=SYSTEM, username="both", password="", full_name="两岗人员",
                                    memberships=[(Role.COMMANDER, cast.office), (Role.STREET, cast.street_a)],
                                    password_hash="!")
    order = fed_back(cast, user=both)
    login(client, both)
    detail = client.get(f"/api/oversight/orders/{order.pk}").json()
    assert "verify" not in detail["actions"] and "cancel" in detail["actions"]
    response = client.post(f"/api/oversight/orders/{order.pk}/verify", json.dumps({"passed": True}),
                           content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "fields"} and "本人反馈" in body["message"]


def test_the_api_runs_the_lifecycle(cast, client):
    from tests.conftest import login

    login(client, cast.commander)
    created = client.post("/api/oversight/orders", json.dumps({
        "title": "API督办", "requirement": "按期反馈。", "unit_id": cast.department.pk, "deadline_workdays": 4}),
        content_type="application/json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["actions"] == ["update", "submit", "cancel"]
    patched = client.patch(f"/api/oversight/orders/{pk}", json.dumps({"version": created.json()["version"],
                                                                      "level": "listed"}),
                           content_type="application/json")
    assert patched.status_code == 200 and patched.json()["level"] == "listed"
    bad = client.post("/api/oversight/orders", json.dumps({"title": "x", "requirement": "y", "unit_id": 999999}),
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["fields"] == {"unit_id": "不是本区的街道或部门"}
    assert client.post(f"/api/oversight/orders/{pk}/submit", "{}", content_type="application/json").status_code == 200
    login(client, cast.leader)
    reviewed = client.post(f"/api/oversight/orders/{pk}/review", json.dumps({"approve": True}),
                           content_type="application/json")
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "issued"
    login(client, cast.department_user)
    assert client.post(f"/api/oversight/orders/{pk}/receive", "{}", content_type="application/json").json()[
        "status"] == "received"
    fed = client.post(f"/api/oversight/orders/{pk}/feedback", {"text": "已办结", "files": [pdf()]})
    assert fed.status_code == 200 and fed.json()["evidence"][0]["name"] == "佐证.pdf"
    login(client, cast.commander)
    done = client.post(f"/api/oversight/orders/{pk}/verify", json.dumps({"passed": True}),
                       content_type="application/json")
    assert done.json()["status"] == "closed" and done.json()["colour"] == "done"
    assert client.get("/api/oversight/orders/counts").json()["done"] == 1


def test_the_candidates_page_raises_an_order_in_one_click(cast, login_as):
    today = timezone.localdate()
    campaign = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=100),
                             ends_on=today + dt.timedelta(days=100))
    campaign_services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                                 target="10")
    campaign_services.milestone_set(actor=cast.commander, campaign=campaign, metric="signed", due_on=today, rate="40")
    client = login_as(cast.commander)
    html = client.get(reverse("oversight:order_candidates") + f"?campaign={campaign.pk}").content.decode()
    assert "东湖街道签约户数红灯" in html and 'data-testid="raise-order"' in html
    response = client.post(reverse("oversight:order_raise"), {"kind": "target", "campaign": campaign.pk,
                                                               "street": cast.street_a.pk, "metric": "signed"})
    order = SupervisionOrder.objects.get()
    assert response["Location"] == reverse("oversight:order_detail", args=[order.pk])
    assert order.title == "东湖街道签约户数落后序时进度 40 个百分点"
    html = client.get(reverse("oversight:order_candidates") + f"?campaign={campaign.pk}").content.decode()
    assert "东湖街道签约户数红灯" not in html
    again = client.post(reverse("oversight:order_raise"), {"kind": "target", "campaign": campaign.pk,
                                                            "street": cast.street_a.pk, "metric": "signed"})
    assert again.status_code == 302 and SupervisionOrder.objects.count() == 1
    assert login_as(cast.street_user_a).get(reverse("oversight:order_candidates")).status_code == 404
    assert login_as(cast.leader).post(reverse("oversight:order_raise"), {"kind": "task"}).status_code == 404


def test_the_docx_route_gives_the_notice(cast, login_as):
    import docx as python_docx

    order = issued(cast)
    response = login_as(cast.street_user_a).get(reverse("oversight:order_docx", args=[order.pk]))
    assert response.status_code == 200
    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(response.content)).paragraphs)
    assert order.number in text and "督办通知" in text
    assert login_as(cast.street_user_b).get(reverse("oversight:order_docx", args=[order.pk])).status_code == 404


def test_the_office_edits_a_draft_on_its_page_and_only_a_draft(cast, login_as):
    order = draft(cast)
    client = login_as(cast.commander)
    page = client.get(reverse("oversight:order_edit", args=[order.pk]))
    assert page.status_code == 200 and "东湖村签约推进督办" in page.content.decode()
    response = client.post(reverse("oversight:order_edit", args=[order.pk]), {
        "version": order.version, "title": "东湖村签约攻坚督办", "requirement": "逐户落实。", "unit": cast.street_a.pk,
        "level": "listed", "deadline_workdays": "3"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.title, order.level, order.deadline_workdays) == ("东湖村签约攻坚督办", "listed", 3)
    refused = client.post(reverse("oversight:order_edit", args=[order.pk]), {
        "version": order.version, "title": "", "requirement": "逐户落实。", "unit": cast.street_a.pk})
    assert refused.status_code == 400 and "必填" in refused.content.decode()
    stale = client.post(reverse("oversight:order_edit", args=[order.pk]), {
        "version": order.version - 1, "title": "旧页面", "requirement": "逐户落实。", "unit": cast.street_a.pk})
    assert stale.status_code == 409
    assert login_as(cast.street_user_a).get(reverse("oversight:order_edit", args=[order.pk])).status_code == 404
    assert login_as(cast.leader).get(reverse("oversight:order_create")).status_code == 404


def test_only_the_office_drafts_through_the_api(cast, client):
    from tests.conftest import login

    login(client, cast.street_user_a)
    response = client.post("/api/oversight/orders", json.dumps({"title": "x", "requirement": "y"}),
                           content_type="application/json")
    assert response.status_code == 404 and response.json()["message"]
    login(client, cast.commander)
    response = client.post("/api/oversight/orders", json.dumps({"title": "关于东湖村的督办", "requirement": "按期。",
                                                                "subject_kind": "village",
                                                                "subject_id": cast.village_a.pk}),
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["unit_id"] == cast.street_a.pk
    again = client.post("/api/oversight/orders", json.dumps({"title": "重复", "requirement": "按期。",
                                                             "subject_kind": "village",
                                                             "subject_id": cast.village_a.pk}),
                        content_type="application/json")
    assert again.status_code == 400 and "关于东湖村的督办" in again.json()["message"]
    assert again.json()["fields"] == {"subject_id": "已有未办结的督办单"}


def test_the_candidates_page_costs_the_same_whatever_the_overdue_tasks(cast, login_as,
                                                                       django_assert_max_num_queries):
    from gaizao.campaign.models import Task
    from tests.campaign.helpers import make_task

    campaign = make_campaign(cast.commander)
    client = login_as(cast.commander)

    def overdue(n):
        for i in range(n):
            task = make_task(cast, campaign, title=f"逾期任务{Task.objects.count()}")
            Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))

    overdue(2)
    url = reverse("oversight:order_candidates") + f"?campaign={campaign.pk}"
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).content.decode().count('data-testid="candidate"') == 2
    overdue(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count('data-testid="candidate"') == 10
