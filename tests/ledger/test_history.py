"""Change history (修改记录) on detail pages: newest first, in Chinese, Beijing time, masked."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.core.models import AuditEntry
from gaizao.ledger import selectors
from gaizao.ledger import services as ledger_services
from tests.ledger.conftest import citizen_id

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_household_history_shows_its_own_members_and_buildings_entries(cast, login_as):
    household = cast.household_a1
    ledger_services.household_update(actor=cast.street_user_a, household=household, version=1,
                                     phone="13999998888", head_name="李四海")
    person = ledger_services.person_add(actor=cast.street_user_a, household=household, name="李小四",
                                        relation="child", id_number=citizen_id(31))
    building = household.buildings.get()
    ledger_services.building_update(actor=cast.street_user_a, building=building, version=1, legality="illegal")
    ledger_services.household_update(actor=cast.admin, household=cast.household_b1, version=1, address="别户")

    response = login_as(cast.leader).get(reverse("ledger:household_detail", args=[household.pk]))
    rows = response.context["history"]
    assert [row.action_label for row in rows] == ["修改房屋", "添加家庭成员", "修改住户", "登记房屋", "登记住户"]
    assert [row.subject for row in rows[:3]] == ["房屋 1", "家庭成员 李小四", "住户 DH-001 李四海"]
    assert rows[0].actor == "王东湖" and rows[-1].actor == "系统管理员"
    changes = {c.label: (c.before, c.after) for c in rows[2].changes}
    assert changes["联系电话"] == ("138****5678", "139****8888")
    assert changes["户主姓名"] == ("李四", "李四海")
    assert {c.label: c.after for c in rows[0].changes}["认定结果"] == "违法"
    assert {c.label: (c.before, c.after) for c in rows[0].changes}["认定结果"] == ("合法", "违法")
    added = {c.label: c.after for c in rows[1].changes}
    assert added["身份证号"] == citizen_id(31)[:6] + "********" + citizen_id(31)[-4:]
    html = response.content.decode()
    assert 'data-testid="history-table"' in html
    for secret in ("13999998888", "13812345678", citizen_id(31), "11010519491231002X"):
        assert secret not in html
    assert "139****8888" in html and "别户" not in html
    entry = AuditEntry.objects.filter(action="household.update", object_id=str(household.pk)).get()
    local = timezone.localtime(entry.created_at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert local in html


def test_stage_events_and_their_corrections_read_in_chinese_in_the_household_history(cast, login_as):
    from gaizao.progress.services import event_correct, household_record_event

    household = cast.household_a1
    first = household_record_event(actor=cast.street_user_a, household=household, kind="surveyed",
                                   on_date="2026-03-01", note="首次入户")
    event_correct(actor=cast.street_user_a, event=first, on_date="2026-03-02", note="日期录错")
    rows = login_as(cast.leader).get(reverse("ledger:household_detail", args=[household.pk])).context["history"]
    assert [row.action_label for row in rows[:2]] == ["更正进度记录", "记录进度"]
    correction = {c.label: (c.before, c.after) for c in rows[0].changes}
    assert correction["事项"] == ("", "入户调查")
    assert correction["日期"] == ("2026-03-01", "2026-03-02")
    assert correction["更正的记录"] == ("", f"#{first.pk}") and correction["说明"] == ("", "日期录错")
    recorded = {c.label: c.after for c in rows[1].changes}
    assert recorded["事项"] == "入户调查" and recorded["日期"] == "2026-03-01"
    assert recorded["当前阶段"] == "入户调查"


def test_reveal_is_listed_without_the_numbers(cast, login_as):
    client = login_as(cast.street_user_a)
    client.post(reverse("ledger:household_reveal", args=[cast.household_a1.pk]))
    rows = client.get(reverse("ledger:household_detail", args=[cast.household_a1.pk])).context["history"]
    assert rows[0].action_label == "查看完整号码"
    assert rows[0].changes[0].after == "户主身份证号、联系电话、家庭成员身份证号"


def test_village_history_includes_projects_and_heritage(cast, login_as):
    ledger_services.village_update(actor=cast.street_user_a, village=cast.village_a, version=1, mode="mixed",
                                   land_area="2500")
    ledger_services.project_update(actor=cast.commander, project=cast.project_a, version=1,
                                   signing_start="2026-03-01")
    ledger_services.heritage_create(actor=cast.street_user_a, village=cast.village_a, kind="old_tree", name="古樟")
    rows = login_as(cast.street_user_a).get(reverse("ledger:village_detail", args=[cast.village_a.pk])).context["history"]
    assert [row.action_label for row in rows] == [
        "登记历史文化要素", "修改项目", "修改城中村", "新建项目", "新建城中村"]
    village_changes = {c.label: (c.before, c.after) for c in rows[2].changes}
    assert village_changes["改造方式"] == ("拆除新建", "拆整结合")
    assert village_changes["用地面积（㎡）"] == ("0.00", "2500.00")
    assert {c.label: c.after for c in rows[0].changes}["类别"] == "古树"
    assert rows[1].actor == "周指挥"


def test_history_is_limited_and_newest_first(cast):
    building = cast.household_a1.buildings.get()
    for i in range(55):
        ledger_services.building_update(actor=cast.admin, building=building, version=1 + i, floors=2 + i)
    rows = selectors.building_history(building)
    assert len(rows) == selectors.HISTORY_LIMIT == 50
    assert [c.after for c in rows[0].changes] == ["56"]
    ids = [row.entry.id for row in rows]
    assert ids == sorted(ids, reverse=True)


def test_unknown_actions_and_system_actor_still_render(cast, login_as):
    from gaizao.core import audit

    audit.record(actor=SYSTEM, action="household.import", obj=cast.household_a1, changes={"rows": 3})
    rows = login_as(cast.street_user_a).get(
        reverse("ledger:household_detail", args=[cast.household_a1.pk])).context["history"]
    assert rows[0].action_label == "household.import" and rows[0].actor == "系统"  # the system actor in Chinese
    assert [(c.label, c.after) for c in rows[0].changes] == [("rows", "3")]
