"""In-platform notifications (站内通知): each user reads their own, marked read when shown; the bell's
count loads after the page (htmx), so no page pays a query for it."""

from __future__ import annotations

import pytest

from gaizao.core.models import Notification
from gaizao.core.notifications import notify
from gaizao.org.services import notify_security_officers

ROLES = ("admin", "commander", "leader", "street_user_a", "street_user_b", "department_user", "cadre",
         "resident", "outsider", "auditor", "security")
BASE = 7  # what every signed-in request pays (tests/ledger/test_query_counts.py)


def notice(user, title: str, **extra) -> Notification:
    notify(recipients=[user], title=title, **extra)
    return Notification.objects.filter(recipient=user).order_by("-id").first()


def test_the_page_lists_the_users_own_newest_first_and_marks_them_read(cast, login_as):
    first = notice(cast.street_user_a, "第一条", body="说明一")
    second = notice(cast.street_user_a, "第二条", body="说明二", link="/ledger/households/")
    others = notice(cast.street_user_b, "别人的通知")
    client = login_as(cast.street_user_a)
    response = client.get("/notifications/")
    assert response.status_code == 200
    assert [n.pk for n in response.context["notifications"]] == [second.pk, first.pk]
    assert all(n.unread for n in response.context["notifications"])
    page = response.content.decode()
    assert "第二条" in page and "说明一" in page and "别人的通知" not in page
    assert f"/notifications/{second.pk}/" in page
    assert Notification.objects.filter(recipient=cast.street_user_a, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=others.pk).read_at is None
    again = client.get("/notifications/")
    assert not any(n.unread for n in again.context["notifications"])


def test_it_answers_404_for_another_users_notification(cast, login_as):
    others = notice(cast.security, "安全通知", link="/account/users/")
    client = login_as(cast.street_user_a)
    assert client.get(f"/notifications/{others.pk}/").status_code == 404
    assert client.get(f"/notifications/{2**63}/").status_code == 404
    assert Notification.objects.get(pk=others.pk).read_at is None


def test_opening_a_notice_marks_it_read_and_follows_its_own_link_only(cast, login_as):
    inside = notice(cast.street_user_a, "内部链接", link="/ledger/households/")
    offsite = notice(cast.street_user_a, "外部链接", link="//evil.example/x")
    client = login_as(cast.street_user_a)
    response = client.get(f"/notifications/{inside.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/ledger/households/"
    assert Notification.objects.get(pk=inside.pk).read_at is not None
    response = client.get(f"/notifications/{offsite.pk}/")
    assert response["Location"] == "/notifications/"


def test_the_badge_counts_the_users_unread_notifications(cast, login_as):
    client = login_as(cast.street_user_a)
    empty = client.get("/notifications/badge/")
    assert empty.status_code == 200
    assert 'data-testid="notification-count"' not in empty.content.decode()
    notice(cast.street_user_a, "一")
    notice(cast.street_user_a, "二")
    notice(cast.street_user_b, "别人的")
    badge = client.get("/notifications/badge/").content.decode()
    assert 'id="notification-count"' in badge
    assert ">2<" in badge
    client.get("/notifications/")
    assert 'data-testid="notification-count"' not in client.get("/notifications/badge/").content.decode()


def test_signed_out_the_page_asks_to_sign_in_and_the_badge_is_empty(client, cast):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]
    response = client.get("/notifications/badge/")
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_the_bell_and_the_page(cast, login_as, role):
    user = getattr(cast, role)
    notice(user, "给每个角色")
    client = login_as(user)
    home = client.get("/").content.decode()
    assert 'data-testid="notification-bell"' in home
    assert 'hx-get="/notifications/badge/"' in home
    response = client.get("/notifications/")
    assert response.status_code == 200
    assert [n.title for n in response.context["notifications"]] == ["给每个角色"]


def test_the_bell_adds_no_query_to_a_page_and_no_inline_script(cast, login_as, django_assert_num_queries):
    client = login_as(cast.street_user_a)
    notice(cast.street_user_a, "未读")
    # the household list's pinned count (tests/ledger/test_query_counts.py): no count of notifications
    with django_assert_num_queries(BASE + 4) as captured:
        page = client.get("/ledger/households/").content.decode()
    assert not any("core_notification" in q["sql"] for q in captured.captured_queries)
    bell = page[page.index('data-testid="notification-bell"'):]
    bell = bell[: bell.index("</a>")]
    assert "<script" not in bell and "onclick" not in bell and "style=" not in bell


def test_the_page_costs_two_queries_whatever_the_number(cast, login_as, django_assert_num_queries):
    for i in range(60):
        notice(cast.street_user_a, f"通知{i}")
    client = login_as(cast.street_user_a)
    # the session, the user, their roles (the menu), the page of notifications (50 + 1), marking
    # them read, the session save (3): a page that asks nothing of the user's units
    with django_assert_num_queries(8):
        response = client.get("/notifications/")
    assert len(response.context["notifications"]) == 50
    older = client.get("/notifications/" + response.context["next_url"])
    assert [n.title for n in older.context["notifications"]] == [f"通知{i}" for i in range(9, -1, -1)]


def test_the_security_officer_reads_a_notice_sent_to_security_officers(cast, login_as):
    notify_security_officers(title="按身份证号查询超限", body="street_a 已暂停", link="/account/users/",
                             kind="id_search_blocked")
    client = login_as(cast.security)
    response = client.get("/notifications/")
    assert [n.title for n in response.context["notifications"]] == ["按身份证号查询超限"]
    assert login_as(cast.street_user_a).get("/notifications/").context["notifications"] == []
