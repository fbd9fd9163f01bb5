"""The public signing board (签约公示大屏): figures, the signing order with masked names, live refresh."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaizao.core.actors import SYSTEM
from gaizao.ledger.models import Household, Project
from gaizao.progress.selectors.dashboard import latest_signings, signing_board
from gaizao.progress.services.events import event_correct, household_record_event
from gaizao.progress.signing import judge_due
from tests.progress.test_dashboard import days_ago, make_households, open_signing, sign

BOARD = "/progress/board/{}/"
LIVE = "/progress/board/{}/live/"


@pytest.fixture
def signing(cast):
    """Project A in its signing period; household_a1 (李四) signed 5 days ago."""
    open_signing(cast.project_a, start=30, end=-10)
    Household.objects.filter(pk=cast.household_a1.pk).update(address="东湖村三巷 8 号")
    sign(cast.admin, [cast.household_a1], on=days_ago(5), ready_on=days_ago(20))
    return cast


def test_the_board_is_public_and_shows_the_figures(signing, client):
    response = client.get(BOARD.format("P001"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "东湖村一期" in html and "签约公示" in html
    board = response.context["b"]
    assert board.signed == 1 and board.summary.households == 2
    assert '<div class="board-value" data-testid="board-signed">1</div>' in html
    assert '<div class="board-value board-rate" data-testid="board-rate">50.0%</div>' in html
    assert "协议生效比例 90%" in html and "生效线 90%" in html
    assert board.days_left == 11  # today and the next ten days
    assert '<div class="board-value" data-testid="board-days">11<small>天</small></div>' in html
    assert board.to_threshold == 1  # ⌈90% × 2⌉ = 2 needed, 1 signed
    assert 'hx-get="/progress/board/P001/live/"' in html and 'hx-trigger="every 15s"' in html


def test_names_are_masked_and_no_id_phone_or_address_is_shown(signing, client):
    homes = make_households(signing.admin, signing.project_a, 1, prefix="M")
    Household.objects.filter(pk=homes[0].pk).update(head_name="欧阳娜娜")
    sign(signing.admin, homes, on=days_ago(1), ready_on=days_ago(2))
    html = client.get(BOARD.format("P001")).content.decode()
    assert "<td>李*</td>" in html and "李四" not in html
    assert "<td>欧**娜</td>" in html and "欧阳娜娜" not in html
    assert "DH-001" in html and "M-000" in html  # the household numbers are shown as they are
    household = Household.objects.get(pk=signing.household_a1.pk)
    for secret in (household.head_id_number, household.phone, "13812345678", "11010519491231002X",
                   "110105********002X", "138****5678", household.address, homes[0].phone):
        assert secret not in html
    live = client.get(LIVE.format("P001")).content.decode()
    assert "李四" not in live and "13812345678" not in live and "东湖村三巷" not in live


def test_unknown_project_is_404(cast, client):
    assert client.get(BOARD.format("NOPE")).status_code == 404
    assert client.get(LIVE.format("NOPE")).status_code == 404


def test_the_signing_order_is_numbered_newest_first(signing, client):
    homes = make_households(signing.admin, signing.project_a, 3, prefix="O")
    sign(signing.admin, homes[:2], on=days_ago(3), ready_on=days_ago(4))
    sign(signing.admin, homes[2:], on=days_ago(1), ready_on=days_ago(4))
    rows = client.get(LIVE.format("P001")).context["b"].signings
    assert [(r.order, r.number, r.on_date) for r in rows] == [
        (4, "O-002", days_ago(1)), (3, "O-001", days_ago(3)), (2, "O-000", days_ago(3)), (1, "DH-001", days_ago(5))]


def test_the_partial_shows_a_new_signing(signing, client):
    before = client.get(LIVE.format("P001"))
    assert before.context["b"].signed == 1 and "DH-002" not in before.content.decode()
    sign(signing.admin, [signing.household_a2], on=days_ago(0), ready_on=days_ago(2))
    after = client.get(LIVE.format("P001"))
    html = after.content.decode()
    assert after.context["b"].signed == 2
    assert '<tr class="is-newest"><td class="num">2</td><td>DH-002</td><td>张*</td>' in html
    assert 'data-testid="board-rate">100.0%' in html
    assert 'id="board-live"' in html and 'hx-trigger="every 15s"' in html  # keeps polling
    assert "<html" not in html  # only the live part


def test_a_voided_signing_drops_out_and_a_corrected_one_shows_once(signing, client):
    sign(signing.admin, [signing.household_a2], on=days_ago(3), ready_on=days_ago(20))
    a1 = signing.household_a1.events.get(kind="signed")
    a2 = signing.household_a2.events.get(kind="signed")
    event_correct(actor=signing.admin, event=a1, note="误录", void=True)
    event_correct(actor=signing.admin, event=a2, note="日期有误", on_date=days_ago(2))
    board = client.get(LIVE.format("P001")).context["b"]
    assert board.signed == 1
    assert [(r.order, r.number, r.on_date) for r in board.signings] == [(1, "DH-002", days_ago(2))]
    # signed again after the void: shown once, with the new date
    household_record_event(actor=signing.admin, household=signing.household_a1, kind="signed", on_date=days_ago(1))
    board = client.get(LIVE.format("P001")).context["b"]
    assert [(r.order, r.number) for r in board.signings] == [(2, "DH-001"), (1, "DH-002")]


def test_only_the_latest_30_are_shown(signing):
    homes = make_households(signing.admin, signing.project_a, 32, prefix="L")
    sign(signing.admin, homes, on=days_ago(1), ready_on=days_ago(2))
    board = signing_board("P001")
    assert board.signed == 33 and len(board.signings) == 30
    assert board.signings[0].order == 33 and board.signings[-1].order == 4


def test_a_lapsed_project_says_so(cast, client):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(60), signing_end=days_ago(10))
    sign(cast.admin, [cast.household_a1], on=days_ago(20), ready_on=days_ago(30))
    judge_due(actor=SYSTEM)  # the hourly sweep
    html = client.get(BOARD.format("P001")).content.decode()
    assert 'data-testid="board-lapsed">签约期满未达生效比例，协议未生效，待办公室处置</div>' in html
    assert "已结束" in html
    board = signing_board("P001")
    assert board.signing.lapsed and board.days_left is None


def test_before_the_period_it_counts_down_to_the_start(cast, client):
    open_signing(cast.project_b, start=-7, end=-30)
    board = client.get(BOARD.format("P002")).context["b"]
    assert board.days_to_start == 7 and board.days_left is None
    assert board.signings == [] and board.signing.code == "not_started"
    assert "尚无住户签约" in client.get(BOARD.format("P002")).content.decode()


def test_another_project_s_signings_are_not_shown(signing, client):
    open_signing(signing.project_b)
    sign(signing.admin, [signing.household_b1], on=days_ago(1), ready_on=days_ago(2))
    html = client.get(LIVE.format("P001")).content.decode()
    assert "XL-001" not in html
    assert [r.number for r in latest_signings(signing.project_b, total=1)] == ["XL-001"]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_fixed(signing, client):
    # the project, its rollups, its signing judgement, its latest signings (joined to the households):
    # nothing per row
    assert _count(client, LIVE.format("P001")) == 4
    assert _count(client, BOARD.format("P001")) == 4
    homes = make_households(signing.admin, signing.project_a, 40, prefix="Q")
    sign(signing.admin, homes, on=days_ago(1), ready_on=days_ago(2))
    assert _count(client, LIVE.format("P001")) == 4
    assert _count(client, BOARD.format("P001")) == 4


def test_the_last_day_of_the_period_still_counts(cast):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(10), signing_end=days_ago(0))
    board = signing_board("P001")
    assert board.days_left == 1 and board.signing.code == "open"
    after = signing_board("P001", today=days_ago(-1))
    assert after.days_left is None and after.signing.code == "due"  # ended: judged by the next sweep


def test_a_project_without_households_shows_no_rate(cast, client):
    from gaizao.ledger import services as ledger_services

    ledger_services.project_create(actor=cast.admin, village=cast.village_b, code="P002-2", name="西岭村二期")
    response = client.get(BOARD.format("P002-2"))
    board = response.context["b"]
    assert board.to_threshold is None and board.signing.rate is None
    html = response.content.decode()
    assert 'data-testid="board-rate">—</div>' in html and "尚无住户纳入范围" in html and "已达到" not in html
