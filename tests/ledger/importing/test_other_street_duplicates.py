"""A duplicate ID in another street's household is refused without saying where it is registered.

Street A imports a file whose heads and members are already registered: in street B (the reason
says only that the person is registered in the district, and to ask the district office), and in
another project of street A's own (the reason names that project and household, which A may read).
Every place a reason reaches is checked: the plan, the upload page and its stored job summary, the
error report workbook, and the command line's JSON and error report.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from gaizao.ledger import services as ledger_services
from gaizao.ledger.importing import jobs
from gaizao.ledger.importing.engine import ledger_import_preview
from gaizao.ledger.models import ImportJob
from tests.ledger.importing.conftest import Ledger, cid, household_row, run_ledger

ELSEWHERE = "本区另一户（不在你的管辖范围内）"  # what a reason says instead of the household (ledger.identity)
# What street A must not learn about street B's records.
B_SECRETS = ("P002", "XL-077", "西岭", "王七", "王小七")

B_HEAD, B_MEMBER = cid(71, birth="19700707"), cid(72, birth="20000707")
A_HEAD, A_MEMBER = cid(81, birth="19750808"), cid(82, birth="20050808")


pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def registered(cast):
    """A head and a member in street B (P002), and in street A's second project (P003)."""
    b = ledger_services.household_create(actor=cast.admin, project=cast.project_b, number="XL-077",
                                         head_name="王七", head_id_number=B_HEAD)
    ledger_services.person_add(actor=cast.admin, household=b, name="王小七", relation="child", id_number=B_MEMBER)
    project_a2 = ledger_services.project_create(actor=cast.admin, village=cast.village_a, code="P003",
                                                name="东湖村二期")
    a = ledger_services.household_create(actor=cast.admin, project=project_a2, number="DHX-5",
                                         head_name="钱八", head_id_number=A_HEAD)
    ledger_services.person_add(actor=cast.admin, household=a, name="钱小八", relation="child", id_number=A_MEMBER)
    return cast


def _file(tmp_path):
    """DH-301 is headed by B's head and lists B's member; DH-302 likewise with street A's own."""
    return Ledger(
        households=[household_row("DH-301", "王七", 301, 户主身份证号=B_HEAD),
                    household_row("DH-302", "钱八", 302, 户主身份证号=A_HEAD)],
        persons=[["DH-301", "王小七", B_MEMBER, "子女", "本村农业户口"],
                 ["DH-302", "钱小八", A_MEMBER, "子女", "本村农业户口"]],
    ).write(tmp_path / "重复.xlsx")


def _text_of_workbook(data: bytes) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(value) for sheet in workbook.worksheets
                     for row in sheet.iter_rows(values_only=True) for value in row if value is not None)


def _assert_hides_b_and_shows_a(text: str) -> None:
    for secret in B_SECRETS:
        assert secret not in text, secret
    assert text.count(ELSEWHERE) >= 2  # the head and the member from street B
    assert "P003" in text and "DHX-5" in text  # street A's own household is named


def _reasons(errors) -> dict[tuple[str, str], str]:
    return {(e["household"], e["column"]): e["reason"] for e in errors}


def test_the_preview_hides_another_streets_household_and_names_the_users_own(registered, tmp_path):
    plan = ledger_import_preview(actor=registered.street_user_a, project_code="P001", path=_file(tmp_path))
    reasons = _reasons(plan.summary()["rejected"])
    assert reasons[("DH-301", "户主身份证号")] == "该身份证号已是本区另一户（不在你的管辖范围内）的户主；一人只能是一户的户主。如有疑问请联系区领导小组办公室。"
    assert reasons[("DH-301", "身份证号")] == "该身份证号已是本区另一户（不在你的管辖范围内）的家庭成员；一人只能是一户的家庭成员。如有疑问请联系区领导小组办公室。"
    assert "P003" in reasons[("DH-302", "户主身份证号")] and "DHX-5" in reasons[("DH-302", "户主身份证号")]
    assert "P003" in reasons[("DH-302", "身份证号")] and "DHX-5" in reasons[("DH-302", "身份证号")]
    _assert_hides_b_and_shows_a(str(plan.summary()))


def test_the_upload_page_job_summary_and_error_report_hide_another_streets_household(
        registered, login_as, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "start", lambda job_id, runner: runner(job_id))
    client = login_as(registered.street_user_a)
    with open(_file(tmp_path), "rb") as handle:
        response = client.post(reverse("ledger:import_start"), {"project": "P001", "file": handle})
    job = ImportJob.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert job.status == ImportJob.Status.PREVIEWED

    page = client.get(reverse("ledger:import_job", args=[job.pk])).content.decode()
    _assert_hides_b_and_shows_a(page)
    _assert_hides_b_and_shows_a(str(job.summary))

    report = client.get(reverse("ledger:import_errors", args=[job.pk]))
    assert report.status_code == 200
    _assert_hides_b_and_shows_a(_text_of_workbook(b"".join(report.streaming_content)))


def test_the_command_run_as_a_street_user_hides_another_streets_household(registered, tmp_path):
    errors = tmp_path / "errors.xlsx"
    result = run_ledger("import", _file(tmp_path), "--project", "P001", "--user", "street_a", "--json",
                        "--dry-run", "--errors", errors)
    assert result.code == 2
    _assert_hides_b_and_shows_a(result.stdout)
    _assert_hides_b_and_shows_a(_text_of_workbook(errors.read_bytes()))
    text = run_ledger("import", _file(tmp_path), "--project", "P001", "--user", "street_a", "--dry-run")
    _assert_hides_b_and_shows_a(text.stdout)


def test_the_system_operator_at_the_command_line_sees_where(registered, tmp_path):
    result = run_ledger("import", _file(tmp_path), "--project", "P001", "--json", "--dry-run")
    reasons = " ".join(row["reason"] for row in result.json["rejected"])
    assert "P002" in reasons and "XL-077" in reasons and ELSEWHERE not in reasons


def test_the_district_office_may_read_every_street_and_sees_where(registered, tmp_path):
    plan = ledger_import_preview(actor=registered.commander, project_code="P001", path=_file(tmp_path))
    reasons = " ".join(e.reason for e in plan.errors)
    assert "P002" in reasons and "XL-077" in reasons and ELSEWHERE not in reasons
