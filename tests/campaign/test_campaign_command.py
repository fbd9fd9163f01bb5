"""`gaizao campaign status` and `gaizao campaign agreements`: the same figures as the pages, from the
rollups; the current 责任书 of every street written as DOCX files that open."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from gaizao.campaign.services import agreements
from gaizao.campaign.services import campaign as services
from tests.campaign.helpers import make_campaign
from tests.progress.test_dashboard import open_signing, sign


def run(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("campaign", *[str(a) for a in args], stdout=out, stderr=err)
        return 0, out.getvalue(), err.getvalue()
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)


@pytest.fixture
def campaign(cast):
    today = dt.date.today()
    c = make_campaign(cast.commander, starts_on=today - dt.timedelta(days=50), ends_on=today + dt.timedelta(days=50))
    services.target_set(actor=cast.commander, campaign=c, metric="signed", street=cast.street_a, target="2")
    services.target_set(actor=cast.commander, campaign=c, metric="signed", street=cast.street_b, target="1")
    open_signing(cast.project_a)
    sign(cast.admin, [cast.household_a1], on=today)
    return c


def test_status_json_has_one_object_per_street_with_targets_and_lights(cast, campaign):
    code, out, _err = run("status", "--json")
    assert code == 0
    rows = {row["street"]: row for row in json.loads(out)}
    [a] = rows[cast.street_a.code]["targets"]
    assert {k: a[k] for k in ("key", "target", "done", "rate", "expected_rate", "light")} == {
        "key": "signed", "target": "2", "done": "1", "rate": "50.00", "expected_rate": "50.00", "light": "green"}
    assert rows[cast.street_b.code]["targets"][0]["light"] == "red"


def test_status_for_one_street_and_in_text(cast, campaign):
    code, out, _err = run("status", "--street", cast.street_b.code)
    assert code == 0 and "西岭街道" in out and "东湖街道" not in out and "红" in out


def test_status_as_a_street_user_sees_only_its_street(cast, campaign):
    code, out, _err = run("status", "--json", "--user", cast.street_user_a.username)
    assert code == 0 and [row["street"] for row in json.loads(out)] == [cast.street_a.code]


def test_an_unknown_street_exits_1(cast, campaign):
    code, _out, err = run("status", "--street", "999")
    assert code == 1 and "找不到街道" in err


def test_without_a_campaign_it_says_so(cast):
    code, _out, err = run("status")
    assert code == 1 and "还没有攻坚行动" in err


def test_agreements_writes_every_streets_current_version_as_docx(cast, campaign, tmp_path, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for street in (cast.street_a, cast.street_b):
        a = agreements.agreement_draft(actor=cast.commander, campaign=campaign, street=street)
        agreements.agreement_issue(actor=cast.commander, agreement=a)
        agreements.agreement_sign(actor=cast.commander, agreement=a, scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4"))
    services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a, target="3")
    code, out, _err = run("agreements", "--out", tmp_path / "out")
    assert code == 0 and "2 份" in out
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["东湖街道-目标责任书-第1版.docx", "西岭街道-目标责任书-第1版.docx"]  # v2 is a draft: v1 holds
    text = "\n".join(p.text for p in Document(tmp_path / "out" / files[0]).paragraphs)
    assert "东湖街道" in text
    cells = [c.text for t in Document(tmp_path / "out" / files[0]).tables for row in t.rows for c in row.cells]
    assert "2 户" in cells  # the signed version's target, not today's 3


def test_agreements_without_any_exits_1(cast, campaign, tmp_path):
    code, _out, err = run("agreements", "--out", tmp_path)
    assert code == 1 and "还没有生成" in err
