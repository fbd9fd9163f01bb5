"""The whole compensation flow as its users click it (issue 14, "Done when"): the office writes a project's scheme in
the editor (a misspelt name is named with its line, then fixed), the same text is checked with
`gaizao compensation calc` and published; the valuer's result is recorded on the valuation page; the project is
calculated (测算) and on a household's page every amount opens to its formula and inputs; the compensation list is
published in 公示 and the public page shows it with the heads' names masked; an objection is recorded, answered and
the answer published; after 公示 the street asks for a change with evidence, cannot approve it itself, the office (a
second person) approves it and the list is published again, the household's page naming who approved it; an
agreement is generated, its DOCX read, and the signature recorded with signing order number 1."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import docx
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from gaizao.compensation.choices import AgreementStatus, ChangeStatus, PublicityKind, SchemeStatus
from gaizao.compensation.models import Agreement, Calculation, ChangeRequest, Publicity, Scheme, Valuation
from gaizao.compensation.samples import scheme_text
from gaizao.ledger.choices import Stage
from gaizao.ledger.models import Household, Project
from tests.browser.conftest import screenshot
from tests.browser.test_every_role_walk import sign_in
from tests.compensation.samples_valuations import building_of, decide, value

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media")]

START = "2026-03-01"
# One case of the money-heavy sample, as `gaizao compensation calc` reads it (docs/compensation-schemes.md).
CASE = {"name": "张家", "option": "money", "persons": 4, "signed_on": "2026-03-10", "signing_rate": 93.5,
        "buildings": [{"number": "1", "legal_area": 120.5, "legality": "合法", "structure": "砖混",
                       "certificate_no": "X1", "unit_price": 5200, "decoration": 30000}]}
CASE_TOTAL = "756903.00"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _context(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _docx_text(path) -> str:
    document = docx.Document(str(path))
    words = [p.text for p in document.paragraphs]
    for table in document.tables:
        words.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(words)


def _calc(tmp_path, text: str) -> dict:
    """The scheme text and one case through `gaizao compensation calc --json`, as the office tests a scheme."""
    scheme_file, cases_file = tmp_path / "方案.toml", tmp_path / "cases.json"
    scheme_file.write_text(text, encoding="utf-8")
    cases_file.write_text(json.dumps([CASE], ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("compensation", "calc", "--scheme", str(scheme_file), "--input", str(cases_file), "--json",
                 stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.fixture
def decided(cast):
    """Project A's signing period from 2026-03-01; its two households surveyed and decided (认定), each with a legal
    building; household_a2 already valued (the rest of the valuer's list), household_a1 waiting for its valuation.
    The heads have three-character names, so the masking (李*国) shows."""
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=dt.date.fromisoformat(START))
    Household.objects.filter(pk=cast.household_a1.pk).update(head_name="李建国")
    Household.objects.filter(pk=cast.household_a2.pk).update(head_name="张晓三")
    for household in (cast.household_a1, cast.household_a2):
        household.refresh_from_db()
    building_of(cast, cast.household_a2, "1", legal_area=Decimal("80.00"))
    for household in (cast.household_a1, cast.household_a2):
        decide(cast, household)
    value(cast, cast.household_a2, cast.household_a2.buildings.get(), price="5000", decoration="20000", on=4)
    cast.household_a1.refresh_from_db()
    return cast


def test_a_scheme_is_written_checked_published_and_households_are_calculated_published_changed_and_signed(
        decided, live_server, browser, tmp_path):
    cast = decided
    base = live_server.url
    project, a1 = Project.objects.get(pk=cast.project_a.pk), cast.household_a1
    building = a1.buildings.get()
    today = timezone.localdate()
    errors: list[str] = []
    office_context, office = _context(browser)
    office.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(office, base, cast.commander)

    # 1. the office writes the scheme: a misspelt name is named with its line; fixed, checked, saved
    office.goto(f"{base}/compensation/projects/{project.pk}/schemes/new/")
    good = scheme_text("money", project=project.name, start=START)
    broken = good.replace('formula = "house_value"', 'formula = "house_valu"', 1)
    line = next(n for n, text in enumerate(broken.splitlines(), start=1) if text == 'formula = "house_valu"')
    editor = office.locator("textarea[data-scheme-editor]")
    editor.fill(broken)
    office.get_by_test_id("check").click()
    problem = office.get_by_test_id("problem").first
    expect(problem).to_contain_text(f"第 {line} 行")
    expect(problem).to_contain_text("house_valu")
    editor.fill(good)
    office.get_by_test_id("check").click()
    expect(office.get_by_test_id("check-ok")).to_be_visible()
    expect(office.get_by_test_id("problem")).to_have_count(0)
    office.get_by_test_id("save").click()
    office.wait_for_load_state()
    expect(office.get_by_test_id("scheme-status")).to_have_text("草稿")
    scheme = Scheme.objects.get(project=project)
    assert scheme.text == good and scheme.status == SchemeStatus.DRAFT

    # … checked with `gaizao compensation calc` before publication: the saved text, one case, its total
    result = _calc(tmp_path, scheme.text)
    (case,) = result["cases"]
    assert case["total"] == CASE_TOTAL, case
    assert {item["key"] for item in case["items"]} >= {"building_value", "relocation", "early_signing"}

    office.get_by_test_id("publish").click()
    office.wait_for_load_state()
    expect(office.get_by_test_id("scheme-status")).to_have_text("已发布")
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.PUBLISHED

    # 2. the valuer's result for household_a1's building, recorded on its valuation page
    office.goto(f"{base}/compensation/valuations/households/{a1.pk}/")
    form = office.get_by_test_id("valuation-form")
    form.get_by_label("房屋", exact=True).select_option(label=building.number)
    form.get_by_label("评估单价（元/㎡）").fill("5200")
    form.get_by_label("装修评估（元）").fill("30000")
    form.get_by_label("评估日期").fill((today - dt.timedelta(days=3)).isoformat())
    form.get_by_label("评估机构").fill("云溪房地产估价有限公司")
    form.get_by_role("button", name="保存").click()
    office.wait_for_load_state()
    expect(office.locator("body")).to_contain_text(f"已录入房屋 {building.number} 的")
    valuation = Valuation.objects.get(building=building, in_force=True)
    assert (valuation.unit_price, valuation.decoration) == (Decimal("5200"), Decimal("30000"))
    a1.refresh_from_db()
    assert a1.stage == Stage.VALUED

    # 3. the project calculated (测算); on the household's page every line opens to its formula and inputs
    office.goto(f"{base}/compensation/projects/{project.pk}/calculations/")
    office.get_by_test_id("project-calculate").click()
    office.wait_for_load_state()
    expect(office.locator("body")).to_contain_text("已测算 2 户")
    expect(office.get_by_test_id("household-row")).to_have_count(2)
    calculation = Calculation.objects.get(household=a1, current=True)
    assert calculation.option == "money" and calculation.scheme_id == scheme.pk
    office.goto(f"{base}/ledger/households/{a1.pk}/")
    panel = office.get_by_test_id("calculation-panel")
    items = panel.get_by_test_id("calculation-items").locator("details.calc-item")
    assert items.count() == len(calculation.items)
    for item in calculation.items:
        expect(panel.get_by_test_id(f"item-{item['key']}")).to_have_count(1)
    expect(panel.get_by_test_id("calculation-total")).to_contain_text(str(calculation.total))
    value_item = panel.get_by_test_id("item-building_value")
    expect(value_item.get_by_test_id("formula")).not_to_be_visible()
    value_item.locator("summary").click()
    expect(value_item.get_by_test_id("formula")).to_be_visible()
    expect(value_item.get_by_test_id("formula")).to_contain_text("house_value")
    house_value = value_item.locator("[data-testid=input][data-input=house_value]")
    expect(house_value).to_be_visible()
    expect(house_value).to_contain_text("house_value = 656600")  # 120.50 ㎡ × 5200 + 30000
    expect(house_value).to_contain_text("legal_area * unit_price + decoration")
    relocation = panel.get_by_test_id("item-relocation")
    relocation.locator("summary").click()
    expect(relocation.get_by_test_id("formula")).to_contain_text("legal_total * relocation_rate")
    expect(relocation.locator("[data-testid=input][data-input=legal_total]")).to_contain_text("120.5")
    screenshot(office, "compensation-flow-household-calculation")

    # 4. the compensation list published in 公示; the public page (no login) masks the heads' names
    office.goto(f"{base}/compensation/projects/{project.pk}/publicity/")
    office.get_by_test_id("publish-compensation").click()
    office.wait_for_load_state()
    office.get_by_test_id("publicity-form").get_by_test_id("publish").click()
    office.wait_for_load_state()
    first_round = Publicity.objects.get(project=project, kind=PublicityKind.COMPENSATION)
    assert office.url == f"{base}/compensation/publicity/{first_round.pk}/"
    rows = office.get_by_test_id("publicity-rows")
    expect(rows.locator(f"tr[data-household='{a1.number}']")).to_contain_text(a1.number)

    public_context, public = _context(browser)
    public.goto(f"{base}/compensation/public/{project.code}/")
    public.get_by_test_id("public-rounds").get_by_role("link").filter(has_text=first_round.title).click()
    public.wait_for_load_state()
    public_rows = public.get_by_test_id("publicity-rows")
    expect(public_rows.locator(f"tr[data-household='{a1.number}']")).to_contain_text("李*国")
    expect(public_rows.locator(f"tr[data-household='{cast.household_a2.number}']")).to_contain_text("张*三")
    for full in ("李建国", "张晓三", a1.head_id_number, a1.phone):
        assert full not in public.content(), full
    screenshot(public, "compensation-flow-public-list")

    # 5. an objection recorded, answered, the answer published; the public page shows it
    objection_form = office.get_by_test_id("objection-form")
    objection_form.get_by_label("提出人").fill("赵小六")
    objection_form.get_by_label("涉及的户号").fill(a1.number)
    objection_form.get_by_label("异议内容").fill("DH-001 的合法面积少算了，应为 130.50 平方米。")
    objection_form.get_by_test_id("record-objection").click()
    office.wait_for_load_state()
    objection = first_round.objections.get()
    card = office.get_by_test_id(f"objection-{objection.pk}")
    expect(card.get_by_test_id("objection-status")).to_have_text("待答复")
    card.locator("details summary").click()
    answer_form = office.get_by_test_id(f"answer-form-{objection.pk}")
    answer_form.get_by_label("答复", exact=True).fill("经复核，该户房屋补测面积为 130.50 平方米，将按变更程序更正后重新公示。")
    office.get_by_test_id(f"answer-{objection.pk}").click()
    office.wait_for_load_state()
    office.get_by_test_id(f"publish-answer-{objection.pk}").click()
    office.wait_for_load_state()
    card = office.get_by_test_id(f"objection-{objection.pk}")
    expect(card.get_by_test_id("objection-status")).to_have_text("答复已公布")
    public.reload()
    answers = public.get_by_test_id("public-objections")
    expect(answers).to_contain_text("将按变更程序更正后重新公示")
    expect(answers).to_contain_text("赵*六")
    assert "赵小六" not in public.content()

    # 6. after 公示, the street asks for a change of the building's legal area, with evidence
    street_context, street = _context(browser)
    sign_in(street, base, cast.street_user_a)
    street.goto(f"{base}/ledger/households/{a1.pk}/")
    changes = street.get_by_test_id("changes-panel")
    changes.get_by_test_id("request-change").click()
    changes.get_by_role("link", name="房屋面积、用途、结构").click()
    street.wait_for_load_state()
    assert street.url == f"{base}/compensation/households/{a1.pk}/changes/new/building/"
    expect(street.get_by_test_id("publicity-note")).to_contain_text("已于")
    street.get_by_test_id(f"target-building-{building.number}").click()
    street.wait_for_load_state()
    change_form = street.get_by_test_id("change-form")
    change_form.get_by_label("合法面积（㎡）").fill("130.50")
    change_form.get_by_label("变更理由").fill("补测面积为 130.50 平方米，原测绘漏算阁楼，见补测报告。")
    change_form.get_by_label("证明材料").set_input_files(
        [{"name": "补测报告.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    street.get_by_test_id("submit-change").click()
    street.wait_for_load_state()
    change = ChangeRequest.objects.get(household=a1)
    assert street.url == f"{base}/compensation/changes/{change.pk}/"
    assert change.status == ChangeStatus.PENDING and change.requested_by_id == cast.street_user_a.pk
    expect(street.get_by_test_id("items-diff").get_by_test_id("item-building_value")).to_be_visible()
    expect(street.get_by_test_id("changed-input").first).to_be_visible()
    # … and cannot approve it: no button, and a posted approval is refused, nothing changed
    expect(street.get_by_test_id("approve-form")).to_have_count(0)
    expect(street.get_by_test_id("waiting")).to_be_visible()
    token = next(c["value"] for c in street_context.cookies() if c["name"] == "csrftoken")
    refused = street.request.post(f"{base}/compensation/changes/{change.pk}/approve/",
                                  form={"approve-version": str(change.version), "approve-note": "同意"},
                                  headers={"X-CSRFToken": token, "Referer": street.url})
    assert refused.status in (403, 404), refused.status
    change.refresh_from_db()
    building.refresh_from_db()
    assert change.status == ChangeStatus.PENDING and building.legal_area == Decimal("120.50")

    # the office (a second person) approves it: applied, recalculated and published again
    office.goto(f"{base}/compensation/changes/{change.pk}/")
    approve = office.get_by_test_id("approve-form")
    approve.get_by_label("审核意见").fill("补测报告属实，同意变更。")
    office.get_by_test_id("approve").click()
    office.wait_for_load_state()
    expect(office.get_by_test_id("change-status").first).to_have_text("已批准")
    expect(office.get_by_test_id("decided-by")).to_contain_text(cast.commander.full_name)
    change.refresh_from_db()
    building.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.decided_by_id == cast.commander.pk
    assert building.legal_area == Decimal("130.50")
    rounds = Publicity.objects.filter(project=project, kind=PublicityKind.COMPENSATION).order_by("round")
    assert [r.round for r in rounds] == [1, 2] and change.publicity_id == rounds[1].pk
    office.goto(f"{base}/compensation/projects/{project.pk}/publicity/")
    expect(office.get_by_test_id("publicity-rounds").get_by_role("link", name=rounds[1].title)).to_be_visible()
    public.goto(f"{base}/compensation/public/{project.code}/{rounds[1].pk}/")
    again = public.get_by_test_id("publicity-rows").locator(f"tr[data-household='{a1.number}']")
    expect(again.get_by_test_id("changed")).to_be_visible()
    expect(again).to_contain_text("130.50")
    public_context.close()
    street.goto(f"{base}/ledger/households/{a1.pk}/")
    row = street.get_by_test_id("changes-panel").get_by_test_id(f"change-{change.pk}")
    expect(row.get_by_test_id("change-status")).to_have_text("已批准")
    expect(row.get_by_test_id("decided-by")).to_contain_text(cast.commander.full_name)
    expect(row.get_by_test_id("requested-by")).to_contain_text(cast.street_user_a.full_name)
    screenshot(street, "compensation-flow-household-change")
    street_context.close()

    # 7. the agreement generated from the household's page, its DOCX read, the signature recorded
    calculation = Calculation.objects.get(household=a1, current=True)
    office.goto(f"{base}/ledger/households/{a1.pk}/")
    agreement_panel = office.get_by_test_id("agreement-panel")
    agreement_panel.locator("details summary").click()
    office.get_by_test_id("agreement-panel-generate-submit").click()
    office.wait_for_load_state()
    agreement = Agreement.objects.get(household=a1)
    assert office.url == f"{base}/compensation/agreements/{agreement.pk}/"
    assert agreement.total == calculation.total and agreement.status == AgreementStatus.DRAFT
    total = f"{calculation.total:,.2f}"
    expect(office.get_by_test_id("agreement-total")).to_have_text(total)
    expect(office.get_by_test_id("agreement-order-no")).to_have_text("—")
    with office.expect_download() as download:
        office.get_by_test_id("download").click()
    draft = _docx_text(download.value.path())
    assert total in draft and agreement.number in draft
    assert "签约户数达到征收范围内总户数的" in draft and "时生效" in draft  # the effectiveness condition
    assert "签约顺序号" not in draft  # a draft has no order number yet

    sign = office.get_by_test_id("sign-form")
    sign.get_by_label("签约日期").fill(today.isoformat())
    office.get_by_test_id("sign").click()
    office.wait_for_load_state()
    expect(office.get_by_test_id("agreement-status")).to_have_text("已签约")
    expect(office.get_by_test_id("agreement-order-no")).to_have_text("1")
    expect(office.get_by_test_id("agreement-frozen")).to_be_visible()
    with office.expect_download() as download:
        office.get_by_test_id("download").click()
    signed = _docx_text(download.value.path())
    assert "签约顺序号：1" in signed and total in signed
    assert f"{today.year}年{today.month}月{today.day}日" in signed
    agreement.refresh_from_db()
    a1.refresh_from_db()
    assert (agreement.status, agreement.order_no, agreement.signed_on) == (AgreementStatus.SIGNED, 1, today)
    assert a1.stage == Stage.SIGNED and a1.signed_on == today
    office.goto(f"{base}/ledger/households/{a1.pk}/")
    expect(office.get_by_test_id("agreement-panel-status")).to_contain_text("签约顺序号 1")
    screenshot(office, "compensation-flow-agreement-signed")
    office_context.close()
    assert not errors, errors
