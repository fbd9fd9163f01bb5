"""The numbered pages of accounts say how many there are and link the next page, filters kept."""

from __future__ import annotations

import pytest

from gaizao.org.models import User

pytestmark = pytest.mark.django_db


def test_the_account_list_past_fifty_accounts_has_a_footer_with_the_count_and_the_next_page(client, cast):
    User.objects.bulk_create([User(username=f"bulk{i:03d}", full_name=f"批量{i}") for i in range(60)])
    total = User.objects.count()
    client.force_login(cast.security)
    html = client.get("/account/users/?q=&status=").content.decode()
    assert f"共 {total} 个账号，第 1/2 页" in html
    assert "page=2" in html and "下一页" in html
