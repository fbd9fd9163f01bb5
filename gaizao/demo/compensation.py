"""The demo's compensation (演示征收补偿): two projects with complete schemes — one money-heavy, one
swap-heavy — published by the office; the valuer's results for every valued household; every household
calculated; the survey results and the compensation list published (公示), with residents' objections
answered and one answer published; two change requests after 公示 (one approved and re-published, one
rejected); and the agreements (补偿协议) of the signed households, with their signing order numbers.

The two projects are the demolition projects whose signing period is open on the demo's day (else the
ones with the most valued households). Everything goes through the compensation services, but two
things the demo's history already holds: the valuations of households valued before today (written in
bulk on the day each was valued, as the history's 评估 events say) and the signatures of households that
signed before today (their agreements are generated through the service, then marked signed on their
day, in the order they signed: the history has their 签约 events).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.utils import timezone

from gaizao.compensation.choices import AgreementStatus, PublicityKind
from gaizao.compensation.models import Agreement, Objection, Publicity, Valuation
from gaizao.compensation.samples import scheme_text
from gaizao.compensation.selectors.calculations import calculation_current
from gaizao.compensation.services.agreements import agreement_generate
from gaizao.compensation.services.calculations import household_calculate, project_calculate
from gaizao.compensation.services.changes import change_approve, change_reject, change_request
from gaizao.compensation.services.publicity import (objection_answer, objection_publish, objection_record,
                                                    publicity_publish)
from gaizao.compensation.services.schemes import scheme_create, scheme_publish
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.ledger.choices import Disposition, Stage
from gaizao.ledger.models import Building, Household, Project
from gaizao.org.choices import Role
from gaizao.org.models import Membership, User

VALUERS = ("云溪房地产土地估价有限公司", "广信资产评估事务所", "粤华房地产评估有限公司")
APPRAISERS = ("陈立", "黄敏", "刘洋", "周婷")
PRICES = {"brick_concrete": (5600, 6800), "frame": (6200, 7600), "brick_wood": (4200, 5200),
          "steel_concrete": (6000, 7200)}
OBJECTIONS = (
    ("我家二层加建部分已于2008年取得村镇规划许可，公示认定为无证，请复核。",
     "经复核，该加建部分许可证明已补充提交，按规定调整认定结果，将通过变更申请重新公示。"),
    ("评估单价低于同片区去年成交价，申请复核评估。",
     "已委托评估机构复核，复核单价与原评估一致，维持原评估结果；如仍有异议，可申请鉴定。"),
    ("家庭人数少登记了一人（新生儿），请更正。", ""),
)


def _evidence(name: str) -> SimpleUploadedFile:
    """A one-page PDF standing for the scanned evidence."""
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
           b"trailer<</Root 1 0 R>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _projects(today: dt.date) -> list[Project]:
    valued = Count("households", filter=Q(households__valued_on__isnull=False))
    rows = (Project.objects.filter(village__mode="demolish_rebuild", signing_start__isnull=False)
            .annotate(valued=valued).filter(valued__gt=0).select_related("village"))
    open_now = [p for p in rows if p.signing_start <= today <= (p.signing_end or today)]
    chosen = sorted(open_now, key=lambda p: (-p.valued, p.pk))[:2]
    if len(chosen) < 2:
        rest = sorted((p for p in rows if p not in chosen), key=lambda p: (-p.valued, p.pk))
        chosen += rest[:2 - len(chosen)]
    return chosen


def _street_staff(project: Project) -> User | None:
    member = (Membership.objects.filter(role=Role.STREET, org_unit_id=project.village.street_id)
              .select_related("user").order_by("user__username").first())
    return member.user if member else None


def _value(project: Project, rng: random.Random) -> int:
    """The valuer's results for every household valued before today, dated on its 评估 day."""
    rows = []
    for building_id, household_id, structure, valued_on in (
            Building.objects.filter(household__project=project, household__valued_on__isnull=False,
                                    disposition=Disposition.DEMOLISH)
            .order_by("household_id", "pk").values_list("pk", "household_id", "structure", "household__valued_on")):
        low, high = PRICES.get(structure, (3800, 4800))
        rows.append(Valuation(
            household_id=household_id, building_id=building_id, unit_price=Decimal(rng.randrange(low, high, 10)),
            decoration=Decimal(rng.randrange(0, 60000, 100)), valued_on=valued_on, valuer=rng.choice(VALUERS),
            appraiser=rng.choice(APPRAISERS), report_no=f"{project.code}-PG-{building_id:05d}"))
    Valuation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _calculate(project: Project, *, main: str, other: str, rng: random.Random) -> int:
    """Every valued household under the project's main option; one in five chose the other."""
    outcome = project_calculate(actor=SYSTEM, project=project, option=main, skip_incomplete=True)
    valued = list(Household.objects.filter(project=project, valued_on__isnull=False).order_by("pk")
                  .values_list("pk", flat=True))
    for pk in valued:
        if rng.random() < 0.2:
            try:
                household_calculate(actor=SYSTEM, household=pk, option=other)
            except AppError:
                continue
    return outcome["calculated"]


def _publicity(project: Project, *, commander: User, street: User, today: dt.date, objections: bool) -> int:
    """The survey results a month before signing began and the compensation list in its period on the demo's
    day, with objections on it. Published and answered through the services on the real day (they refuse
    a period that has ended), then dated back to the demo's calendar, as the demo's history is."""
    now = timezone.localdate()
    survey = publicity_publish(actor=commander, project=project, kind=PublicityKind.SURVEY, starts_on=now,
                               ends_on=now + dt.timedelta(days=7))
    listing = publicity_publish(actor=commander, project=project, kind=PublicityKind.COMPENSATION, starts_on=now,
                                ends_on=now + dt.timedelta(days=7))
    households = list(Household.objects.filter(project=project, valued_on__isnull=False).order_by("pk")[:12])
    made = []
    for index, (content, answer) in enumerate(OBJECTIONS if objections else ()):
        household = households[index % len(households)] if households else None
        objection = objection_record(actor=street, publicity=listing, content=content, received_on=now,
                                     submitter=household.head_name if household else "村民",
                                     household=household.pk if household else None)
        if answer:
            objection = objection_answer(actor=commander, objection=objection, version=objection.version,
                                         answer=answer, answered_on=now)
            if index == 1:
                objection = objection_publish(actor=commander, objection=objection, version=objection.version)
        made.append(objection.pk)
    survey_start = min(project.signing_start, today) - dt.timedelta(days=30)
    Publicity.objects.filter(pk=survey.pk).update(starts_on=survey_start, ends_on=survey_start + dt.timedelta(days=7))
    starts = today - dt.timedelta(days=4)
    Publicity.objects.filter(pk=listing.pk).update(starts_on=starts, ends_on=starts + dt.timedelta(days=7))
    for index, pk in enumerate(made):
        received = starts + dt.timedelta(days=min(index + 1, 4))
        Objection.objects.filter(pk=pk).update(received_on=received)
        Objection.objects.filter(pk=pk, answered_on__isnull=False).update(answered_on=min(received + dt.timedelta(days=1),
                                                                                          today))
    return len(made)


def _changes(project: Project, *, commander: User, street: User) -> dict:
    """Two change requests after 公示: a building's legal area corrected (approved by the office: a second
    person), and a valuation review asked (rejected with the office's reason)."""
    candidates = list(Household.objects.filter(project=project, valued_on__isnull=False, signed_on__isnull=True)
                      .exclude(stage=Stage.WITHDRAWN).order_by("pk")[:4])
    done = {"approved": 0, "rejected": 0}
    if len(candidates) < 2:
        return done
    first, second = candidates[0], candidates[1]
    building = first.buildings.filter(disposition=Disposition.DEMOLISH).order_by("pk").first()
    if building is not None:
        change = change_request(
            actor=street, household=first, kind="building", reason="经复测，该房屋二层阳台面积漏计，合法面积应增加 6.5 平方米。",
            payload={"op": "building_update", "building": building.pk,
                     "changes": {"legal_area": str(building.legal_area + Decimal("6.50"))}},
            evidence=_evidence("复测报告.pdf"))
        change_approve(actor=commander, change=change, version=change.version, note="复测报告属实，同意变更。")
        done["approved"] += 1
    building = second.buildings.filter(disposition=Disposition.DEMOLISH).order_by("pk").first()
    current = Valuation.objects.filter(building=building, in_force=True).first() if building else None
    if current is not None:
        change = change_request(
            actor=street, household=second, kind="valuation", reason="被征收人认为装修评估偏低，申请复核装修部分。",
            payload={"op": "valuation", "building": building.pk,
                     "entry": {"unit_price": str(current.unit_price), "decoration": str(current.decoration + 20000),
                               "valued_on": current.valued_on.isoformat(), "valuer": current.valuer,
                               "kind": "review"}},
            evidence=_evidence("装修清单.pdf"))
        change_reject(actor=commander, change=change, version=change.version,
                      note="复核报告未出具，装修清单与现场勘查不符，不予变更。")
        done["rejected"] += 1
    return done


def _agreements(project: Project, *, actor: User, rng: random.Random) -> int:
    """The agreements of the households that signed before today, in the order they signed."""
    signed = list(Household.objects.filter(project=project, signed_on__isnull=False).order_by("signed_on", "pk"))
    made = 0
    order = 0
    for household in signed:
        calculation = calculation_current(household)
        if calculation is None:
            continue  # a household the calculation skipped (not valued): no agreement
        flat = ""
        if calculation.option != "money":
            flat = (f"{project.village.name}安置区 {rng.randint(1, 12)} 栋 {rng.randint(1, 3)} 单元 "
                    f"{rng.randint(2, 28)}{rng.randint(1, 4):02d} 室")
        try:
            agreement = agreement_generate(actor=actor, household=household, swap_flat=flat)
        except AppError:
            continue
        order += 1
        Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.SIGNED, signed_on=household.signed_on,
                                                         order_no=order, signed_recorded_by=actor)
        made += 1
    return made


def demo_compensation(*, today: dt.date, rng: random.Random) -> dict:
    """Schemes, valuations, calculations, 公示 with objections, change requests and agreements (see above)."""
    counts = {"schemes": 0, "valuations": 0, "calculations": 0, "objections": 0, "changes_approved": 0,
              "changes_rejected": 0, "agreements": 0}
    commander = User.objects.filter(memberships__role=Role.COMMANDER).order_by("username").first()
    if commander is None:
        return counts
    for index, project in enumerate(_projects(today)):
        street = _street_staff(project) or commander
        main, other = ("money", "swap") if index == 0 else ("swap", "money")
        scheme = scheme_create(actor=commander, project=project, note="演示方案",
                               text=scheme_text(main, project=project.name,
                                                start=project.signing_start.isoformat()))
        scheme_publish(actor=commander, scheme=scheme)
        counts["schemes"] += 1
        counts["valuations"] += _value(project, rng)
        counts["calculations"] += _calculate(project, main=main, other=other, rng=rng)
        counts["objections"] += _publicity(project, commander=commander, street=street, today=today,
                                           objections=index == 0)
        counts["agreements"] += _agreements(project, actor=street, rng=rng)
        if index == 0:
            done = _changes(project, commander=commander, street=street)
            counts["changes_approved"] += done["approved"]
            counts["changes_rejected"] += done["rejected"]
            # the re-publication the approval made starts on the demo's day
            Publicity.objects.filter(project=project, starts_on__gt=today).update(
                starts_on=today, ends_on=today + dt.timedelta(days=7))
    return counts
