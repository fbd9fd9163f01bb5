"""The scheme pages and API (征收补偿方案): the editor (highlighting with a plain textarea underneath), 检查 with the
problems' lines and a sample calculation, save, publish, versions and their side-by-side diff."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from gaizao.compensation.choices import SchemeStatus
from gaizao.compensation.models import Scheme, Valuation
from gaizao.compensation.samples import scheme_text
from gaizao.compensation.services import schemes as services
from gaizao.core.registry import MENU_GROUPS
from gaizao.ledger.models import Project
from gaizao.portal.navigation import items_for

TEXT = scheme_text("money", project="东湖村一期")
BROKEN = TEXT.replace('formula = "house_value"', 'formula = "house_valu"')  # line 40
BASE = 7  # every signed-in request (session, user, roles and units, session save); see tests/ledger/test_query_counts


def _draft(cast, text=TEXT):
    return services.scheme_create(actor=cast.commander, project=cast.project_a, text=text)


def test_the_editor_is_a_plain_textarea_the_script_highlights(cast, login_as):
    scheme = _draft(cast)
    html = login_as(cast.commander).get(reverse("compensation:scheme_detail", args=[scheme.pk])).content.decode()
    assert 'data-scheme-editor="1"' in html and "<textarea" in html and "relocation_rate = 10" in html
    for script in ("vendor/prism/prism-core.min.js", "vendor/prism/prism-toml.min.js", "compensation/scheme_editor.js"):
        assert script in html
    # without JavaScript the check button posts the form to the check page (formaction), htmx posts it in place
    assert f'formaction="{reverse("compensation:scheme_check", args=[cast.project_a.pk])}"' in html
    assert 'data-testid="publish"' in html and 'data-testid="save"' in html


def test_a_published_version_is_shown_read_only_without_save_or_publish(cast, login_as):
    scheme = services.scheme_publish(actor=cast.commander, scheme=_draft(cast))
    html = login_as(cast.commander).get(reverse("compensation:scheme_detail", args=[scheme.pk])).content.decode()
    assert "readonly" in html and 'data-testid="save"' not in html and 'data-testid="publish"' not in html
    assert scheme.digest in html and 'data-testid="copy"' in html
    assert "disabled" not in html.split('data-scheme-editor="1"')[0].rsplit("<textarea", 1)[1]  # 检查 sends it


def test_a_street_reads_its_projects_schemes_but_gets_no_form_to_write(cast, login_as):
    scheme = _draft(cast)
    client = login_as(cast.street_user_a)
    html = client.get(reverse("compensation:scheme_detail", args=[scheme.pk])).content.decode()
    assert "readonly" in html and 'data-testid="save"' not in html
    assert client.post(reverse("compensation:scheme_detail", args=[scheme.pk]),
                       {"text": TEXT, "version": 1}).status_code == 404
    assert login_as(cast.street_user_b).get(reverse("compensation:scheme_detail", args=[scheme.pk])).status_code == 404


def test_check_answers_htmx_with_each_problem_and_its_line(cast, login_as):
    client = login_as(cast.commander)
    response = client.post(reverse("compensation:scheme_check", args=[cast.project_a.pk]), {"text": BROKEN},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-problem-lines="40"' in html and 'data-goto-line="40"' in html and "house_valu" in html


def test_check_without_javascript_shows_the_whole_editor_with_the_text_as_typed(cast, login_as):
    scheme = _draft(cast)
    client = login_as(cast.commander)
    response = client.post(reverse("compensation:scheme_check", args=[cast.project_a.pk]),
                           {"text": BROKEN, "name": "", "note": "", "version": 1, "scheme": scheme.pk})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "house_valu" in html and "第 40 行" in html
    assert Scheme.objects.get().text == TEXT  # checking writes nothing


def test_check_of_a_good_text_calculates_the_projects_first_households(cast, login_as):
    client = login_as(cast.commander)
    url = reverse("compensation:scheme_check", args=[cast.project_a.pk])
    html = client.post(url, {"text": TEXT}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="check-ok"' in html
    assert cast.household_a1.number in html and cast.household_a2.number in html
    # no signing period yet: each sample names the fact it misses instead of a total
    assert "signing_day" in html and 'data-testid="sample-total"' not in html
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=dt.date(2026, 3, 1))
    building = cast.household_a1.buildings.get()
    Valuation.objects.create(household=cast.household_a1, building=building, unit_price=Decimal("5200"),
                             decoration=Decimal("30000"), valued_on=dt.date(2026, 2, 1), valuer="某评估公司")
    html = client.post(url, {"text": TEXT}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="sample-total"' in html and "房屋价值补偿" in html


def test_check_runs_pasted_test_cases_with_their_expectations(cast, login_as):
    cases = [{"name": "甲", "option": "money", "persons": 3, "signed_on": "2026-03-05", "signing_rate": 95,
              "buildings": [{"legal_area": 100, "unit_price": 5000, "decoration": 20000, "legality": "合法"}],
              "expect": {"total": "1"}}]
    html = login_as(cast.commander).post(reverse("compensation:scheme_check", args=[cast.project_a.pk]),
                                         {"text": TEXT, "cases": json.dumps(cases, ensure_ascii=False)},
                                         HTTP_HX_REQUEST="true").content.decode()
    assert "甲" in html and 'data-testid="sample-total"' in html and 'data-testid="expected-differs"' in html
    bad = login_as(cast.commander).post(reverse("compensation:scheme_check", args=[cast.project_a.pk]),
                                        {"text": TEXT, "cases": "[{"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="cases-error"' in bad and "JSON" in bad


def test_saving_from_the_editor_refuses_a_mistake_beside_the_text(cast, login_as):
    scheme = _draft(cast)
    client = login_as(cast.commander)
    url = reverse("compensation:scheme_detail", args=[scheme.pk])
    refused = client.post(url, {"name": "", "text": BROKEN, "note": "", "version": 1})
    assert refused.status_code == 400 and 'data-testid="error-text"' in refused.content.decode()
    assert "第 40 行" in refused.content.decode()
    fixed = TEXT.replace("relocation_rate = 10 ", "relocation_rate = 11 ")
    saved = client.post(url, {"name": "", "text": fixed.replace("\n", "\r\n"), "note": "", "version": 1})
    assert saved.status_code == 302 and Scheme.objects.get().text == fixed


def test_a_new_version_starts_from_the_latest_text(cast, login_as):
    _draft(cast)
    client = login_as(cast.commander)
    assert "relocation_rate = 10" in client.get(reverse("compensation:scheme_create", args=[cast.project_a.pk])
                                                 ).content.decode()
    response = client.post(reverse("compensation:scheme_create", args=[cast.project_a.pk]),
                           {"name": "二稿", "text": TEXT, "note": ""})
    second = Scheme.objects.get(number=2)
    assert response.status_code == 302 and response["Location"] == reverse("compensation:scheme_detail",
                                                                          args=[second.pk])


def test_publish_and_copy_from_the_page(cast, login_as):
    scheme = _draft(cast)
    client = login_as(cast.commander)
    client.post(reverse("compensation:scheme_publish", args=[scheme.pk]))
    assert Scheme.objects.get().status == SchemeStatus.PUBLISHED
    again = client.post(reverse("compensation:scheme_publish", args=[scheme.pk]), follow=True)
    assert "不能再修改" in again.content.decode()
    client.post(reverse("compensation:scheme_copy", args=[scheme.pk]))
    assert Scheme.objects.get(number=2).status == SchemeStatus.DRAFT


def test_the_diff_shows_two_versions_side_by_side(cast, login_as):
    first = _draft(cast)
    second = services.scheme_create(actor=cast.commander, project=cast.project_a,
                                    text=TEXT.replace("relocation_rate = 10 ", "relocation_rate = 12 "))
    client = login_as(cast.leader)
    response = client.get(reverse("compensation:scheme_diff", args=[second.pk]))
    rows = response.context["rows"]
    changed = [r for r in rows if r.kind != "equal" and r.kind != "gap"]
    assert [(r.kind, r.left_no, r.right_no) for r in changed] == [("replace", 8, 8)]
    assert "relocation_rate = 10" in changed[0].left and "relocation_rate = 12" in changed[0].right
    chosen = client.get(reverse("compensation:scheme_diff", args=[first.pk]),
                        {"against": second.pk, "right": first.pk, "all": "1"})
    assert len(chosen.context["rows"]) == len(TEXT.splitlines())


def test_the_version_list_shows_status_and_the_version_in_force(cast, login_as):
    services.scheme_publish(actor=cast.commander, scheme=_draft(cast))
    _draft(cast)
    html = login_as(cast.street_user_a).get(reverse("compensation:scheme_list", args=[cast.project_a.pk])
                                            ).content.decode()
    assert 'data-testid="in-force"' in html and "已发布" in html and "草稿" in html
    assert 'data-testid="new-scheme"' not in html


@pytest.mark.parametrize("extra", [0, 6])
def test_the_projects_page_costs_the_same_for_any_number_of_versions(cast, login_as, django_assert_num_queries,
                                                                     extra):
    for _i in range(extra):
        _draft(cast)
    client = login_as(cast.street_user_a)
    # the projects with their counts of versions and drafts, the versions in force
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("compensation:projects"))
    assert [p.pk for p in response.context["projects"]] == [cast.project_a.pk]


def test_the_menu_holds_the_compensation_group_with_the_schemes(cast):
    assert "compensation" in MENU_GROUPS
    labels = [entry["label"] for entry in items_for(cast.commander)]
    assert "征收补偿" in [str(label) for label in labels] or "补偿方案" in [str(label) for label in labels]
    assert not any("补偿方案" in str(e.get("label")) for e in items_for(cast.resident))


# ---------------------------------------------------------------- API

def test_api_writes_checks_and_publishes_a_scheme(cast, login_as):
    client = login_as(cast.commander)
    base = f"/api/compensation/projects/{cast.project_a.pk}/schemes"
    refused = client.post(base, {"text": BROKEN}, content_type="application/json")
    assert refused.status_code == 400 and "第 40 行" in refused.json()["message"] and "text" in refused.json()["fields"]
    created = client.post(base, {"text": TEXT, "note": "初稿"}, content_type="application/json")
    assert created.status_code == 201
    scheme = created.json()
    assert scheme["number"] == 1 and scheme["status"] == "draft" and scheme["text"] == TEXT
    check = client.post(f"{base}/check", {"text": BROKEN}, content_type="application/json").json()
    assert check["ok"] is False and check["problems"][0]["line"] == 40
    assert check["problems"][0]["name"] == "items.building_value.formula"
    patched = client.patch(f"/api/compensation/schemes/{scheme['id']}", {"text": TEXT, "note": "二稿", "version": 1},
                           content_type="application/json")
    assert patched.status_code == 200 and patched.json()["note"] == "二稿"
    published = client.post(f"/api/compensation/schemes/{scheme['id']}/publish").json()
    assert published["status"] == "published" and len(published["digest"]) == 64
    again = client.patch(f"/api/compensation/schemes/{scheme['id']}", {"text": TEXT, "version": 2},
                         content_type="application/json")
    assert again.status_code == 409 and "已发布" in again.json()["message"]
    assert [row["number"] for row in client.get(base).json()] == [1]
    copy = client.post(f"/api/compensation/schemes/{scheme['id']}/copy")
    assert copy.status_code == 201 and copy.json()["number"] == 2


def test_api_refuses_the_street_a_write_it_may_not_make(cast, login_as):
    scheme = _draft(cast)
    client = login_as(cast.street_user_a)
    assert client.get(f"/api/compensation/schemes/{scheme.pk}").json()["text"] == TEXT
    assert client.post(f"/api/compensation/schemes/{scheme.pk}/publish").status_code == 404
    assert Scheme.objects.get().status == SchemeStatus.DRAFT


def test_a_projects_first_version_starts_from_a_text_that_passes_the_check(cast, login_as):
    from gaizao.compensation import language

    form = login_as(cast.commander).get(reverse("compensation:scheme_create", args=[cast.project_a.pk])
                                        ).context["form"]
    starter = form.initial["text"]
    assert "东湖村一期" in starter and language.check(starter) == []


@pytest.mark.parametrize("extra", [1, 8])
def test_the_version_list_costs_the_same_for_any_number_of_versions(cast, login_as, django_assert_num_queries,
                                                                    extra):
    for _i in range(extra):
        _draft(cast)
    client = login_as(cast.street_user_a)
    # the project, its versions with their authors and publishers
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("compensation:scheme_list", args=[cast.project_a.pk]))
    assert len(response.context["versions"]) == extra
