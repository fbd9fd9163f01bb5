"""What the demo's cadres write (演示走访记录): for each difficulty (难点) of a hard case (攻坚户) the
case's description and its strategy (一户一策), what visits find (沟通情况) and what comes next
(下一步措施); notes on compensation decisions and withdrawals. Plain data for
``gaizao.demo.progress``.
"""

from __future__ import annotations

from dataclasses import dataclass

from gaizao.progress.choices import DifficultyReason, EventKind


def expand(weights: dict) -> tuple:
    """A lookup table where each value appears ``weight`` times (one ``random()`` call per draw)."""
    return tuple(value for value, weight in weights.items() for _ in range(weight))


REASONS = expand({DifficultyReason.PRICE.value: 30, DifficultyReason.AREA.value: 20,
                  DifficultyReason.FAMILY.value: 15, DifficultyReason.HISTORY.value: 10,
                  DifficultyReason.RESETTLEMENT.value: 13, DifficultyReason.ABSENT.value: 7,
                  DifficultyReason.OTHER.value: 5})
CITIES = ("深圳", "东莞", "佛山", "上海", "香港", "澳门", "北京", "杭州")
NUMBERS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Playbook:
    """What cadres write about one kind of difficulty: the case (难点说明, 一户一策) and visits."""

    details: tuple[str, ...]
    strategies: tuple[str, ...]
    talks: tuple[str, ...]
    next_steps: tuple[str, ...]


PLAYBOOKS: dict[str, Playbook] = {
    DifficultyReason.PRICE.value: Playbook(
        details=("户主认为评估单价（约{price:,}元/㎡）偏低，要求参照周边新建商品房价格补偿。",
                 "对室内装修和附属设施评估金额有异议，认为漏评了天台加建和铺面装修。",
                 "出租屋租金收入较高，担心搬迁后收入减少，要求增加停租补偿。"),
        strategies=("由街道分管领导牵头，请评估机构上门逐项解释评估报告，对照同片区已签约户的补偿标准，讲清“一把尺子量到底”；"
                    "确有漏评的，按程序申请复核评估。",
                    "邀请已签约的邻居和村民代表现身说法，帮户主算清货币补偿和产权调换两本账，讲透按期签约奖励的截止时间。"),
        talks=("与户主逐项核对评估报告，户主仍认为装修补偿偏低，要求复核。",
               "向户主讲解按期签约奖励和搬迁奖励政策，户主表示要与子女商量。",
               "评估机构现场复核附属设施，补评了天台花架，户主态度有所松动。",
               "带户主到已签约的邻居家中交流，了解对方选择产权调换的考虑。"),
        next_steps=("请评估机构出具书面复核说明。", "约户主子女一起面谈。", "整理同片区已签约户补偿对比表，下次带去。"),
    ),
    DifficultyReason.AREA.value: Playbook(
        details=("对面积认定有异议：主张约{extra}㎡加建部分应认定为合法面积。",
                 "房屋测绘面积与宅基地证记载不一致，户主认为测量有误。"),
        strategies=("由自然资源部门、测绘单位和村股份经济合作社联合复核，调阅历史航拍图和报建档案，依规出具认定意见；"
                    "历史原因形成的面积按政策给予适当补助。",
                    "组织第三方测绘单位在户主见证下重新测量，结果现场签字确认；对认定结论有异议的，告知复核和申诉途径。"),
        talks=("陪同测绘单位上门复测，复测结果与原测量基本一致，户主仍有异议。",
               "调阅了历年航拍图，加建部分的建成时间已查实，向户主说明认定依据。",
               "向户主解释无证面积的补助标准，户主认为补助偏低。"),
        next_steps=("协调规划部门出具书面认定意见。", "将复测报告送达户主并签收。", "请村股份经济合作社出具宅基地分配证明。"),
    ),
    DifficultyReason.FAMILY.value: Playbook(
        details=("兄弟姐妹{siblings}人对房屋份额分配意见不一，其中一人长期在外地。",
                 "户主与子女对安置方式意见不一：老人想回迁，子女倾向货币补偿。",
                 "离婚后房屋分割未处理，原配偶不同意签约。"),
        strategies=("请村调解委员会和司法所介入调解，邀请家族长辈参与；必要时引导通过公证或诉讼明确份额，先签协议、后按份额分配补偿款。",
                    "分别听取各家庭成员的意见，找准分歧所在，提供货币补偿与产权调换相结合的组合方案，兼顾老人和子女的诉求。"),
        talks=("召集家庭成员到村委会协商，初步同意按份额分配，仍有一人未表态。",
               "司法所调解员参加，讲解继承和析产的法律规定，双方分歧有所缩小。",
               "与户主的女儿电话沟通，她同意回来参加下次家庭会议。"),
        next_steps=("约在外地的共有人视频协商。", "请司法所出具调解方案。", "准备组合安置方案测算表。"),
    ),
    DifficultyReason.HISTORY.value: Playbook(
        details=("宅基地上世纪八十年代由村集体划拨，手续不全，与邻户存在界址纠纷。",
                 "房屋因借贷纠纷被法院查封，须先解除查封。",
                 "房屋曾部分转让给外村人，受让人要求分得补偿。"),
        strategies=("成立由街道、村委会、规划和不动产登记部门组成的专班，查清历史档案，逐项理清产权和界址；"
                    "涉法涉诉问题请法律顾问出具意见，分步推进。",
                    "请法律顾问梳理法律关系，协调法院、债权人等相关方，依法先解决权属问题，再签订补偿协议。"),
        talks=("调取村集体宅基地分配档案，找到了当年的划拨记录。",
               "与邻户一起到现场确认界址，双方同意以原墙基为界。",
               "法律顾问向户主说明解除查封的程序和所需材料。"),
        next_steps=("协调不动产登记中心补办确权手续。", "请法律顾问出具书面意见。", "约相关权利人三方协商。"),
    ),
    DifficultyReason.ABSENT.value: Playbook(
        details=("产权人长期在{city}务工，电话时通时不通，家中只有老人居住。",
                 "产权人已移居海外，委托手续尚未办理。"),
        strategies=("通过亲属、村小组长和原工作单位多渠道联系，视频或异地上门沟通；邮寄补偿方案和评估报告，"
                    "指导办理委托公证，必要时依法公告送达。",),
        talks=("通过其弟弟联系上产权人，约定近期回村面谈。",
               "视频连线产权人，解释补偿方案，对方要求邮寄书面材料。",
               "产权人电话无人接听，向其母亲转达了签约期安排。"),
        next_steps=("邮寄评估报告和补偿方案。", "指导办理委托公证。", "托亲属再次转达签约时间安排。"),
    ),
    DifficultyReason.RESETTLEMENT.value: Playbook(
        details=("要求安置房选在低楼层并靠近原址，或多分一套供子女使用。",
                 "家中有重病老人，过渡期临时安置有特殊困难。",
                 "在自家房屋经营小作坊，要求安置商铺。"),
        strategies=("讲清安置房源、选房顺序和摇号规则；对特殊困难家庭协调民政部门落实过渡期周转房和临时安置补助；"
                    "按政策可选择货币补偿与产权调换相结合。",),
        talks=("带户主参观安置房样板间，户主对户型较满意，仍担心楼层。",
               "落实过渡期周转房一套，户主表示满意，但要求先看房。",
               "讲解选房顺序：按签约先后排序，早签约早选房。"),
        next_steps=("提供安置房源楼层分布表。", "协调民政部门办理临时救助。", "安排户主实地看周转房。"),
    ),
    DifficultyReason.OTHER.value: Playbook(
        details=("在自家房屋经营小卖部，担心停业损失得不到补偿。",
                 "要求先解决孙子入学问题再谈签约。",
                 "对改造方案本身有意见，认为应保留原村貌。"),
        strategies=("由街道和相关部门联合研究个性化诉求，依法依规能解决的即时解决，不能解决的耐心解释；停产停业损失按评估结果补偿。",),
        talks=("向户主说明停产停业损失的补偿办法，户主表示理解。",
               "协调教育部门说明入学政策，户主的诉求已部分解决。",
               "介绍改造规划中的历史风貌保护内容，户主态度缓和。"),
        next_steps=("请相关部门出具书面答复。", "再次上门听取意见。"),
    ),
}
# Said of any case, mixed with the playbook's own lines so that a case's visits do not repeat.
COMMON_TALKS = ("再次上门，户主态度较上次缓和，表示会认真考虑补偿方案。", "户主不在家，与其家属沟通，转达了签约政策和时间安排。",
                "电话沟通，约定下周上门面谈。", "街道分管领导随同上门，听取户主意见并现场答复了部分问题。",
                "户主情绪较大，以倾听为主，未深入谈补偿问题。")
COMMON_NEXT_STEPS = ("继续跟进，下周再次上门。", "向街道专班汇报，研究解决办法。", "整理户主诉求，报项目指挥部研究。")
CLOSING = {  # the last visit of a case that closes: the household leaves the path by vacating
    EventKind.VACATED.value: (("户主已腾空房屋、交付钥匙，办理完交房手续。", "经多次沟通，户主一家按期搬离，今日腾空交房。"),
                              "协助办理过渡安置，跟进安置房交付。"),
}
WITHDRAWN_NOTES = ("经复核，房屋位于改造红线范围外，撤出改造范围。", "规划调整，该户房屋纳入保留区域，撤出改造范围。",
                   "房屋列为历史建筑原址保护，撤出改造范围。")


# --- the holdouts' legal path (补偿决定的法定程序) ------------------------------------------------

LEGAL_ADVANCED = 200  # cases taken past the decision (the rest wait at 作出决定); bounds the demo's time
DOCUMENT_PREFIX = "征补决"


def legal_paths(*, rng, today) -> int:
    """Open a legal case for every household under a 补偿决定, take some of them along the path
    (送达 → 公告 → a reconsideration or a lawsuit for a few → 催告 → 申请强制执行 → 裁定 → 执行完毕),
    each step only when the rules allow it on its date, and end the cases of households that signed
    or moved out afterwards. Through the services (audited); returns the number of cases."""
    import datetime as dt
    from collections import defaultdict

    from gaizao.core.actors import SYSTEM
    from gaizao.core.errors import AppError
    from gaizao.ledger.models import Household
    from gaizao.progress import legal
    from gaizao.progress.models import LegalCase
    from gaizao.progress.services.legal import legal_follow_events, legal_step_record

    households = list(Household.objects.filter(decision_on__isnull=False).order_by("pk").only(
        "pk", "number", "project_id", "street_id", "village_id", "decision_on", "signed_on", "vacated_on"))
    by_day = defaultdict(list)
    for household in households:
        by_day[household.decision_on].append(household)
    for day, group in sorted(by_day.items()):
        legal_follow_events(actor=SYSTEM, households=group, kind="decision", on=day, ip=None)
    cases = {c.household_id: c for c in LegalCase.objects.filter(ended_on=None, household__in=households)}
    days = lambda low, high: dt.timedelta(days=rng.randint(low, high))  # noqa: E731
    ways = [w.value for w in legal.ServiceWay]
    advanced = [h for h in households if rng.random() < 0.8][:LEGAL_ADVANCED]
    for household in advanced:
        case = cases.get(household.pk)
        if case is None:
            continue
        ends = [d for d in (household.signed_on, household.vacated_on) if d is not None and d >= household.decision_on]
        stop = min([today, *[d - dt.timedelta(days=1) for d in ends]])
        served = household.decision_on + days(2, 7)
        plan = [("served", served, {"way": rng.choice(ways[:4]) if rng.random() < 0.9 else "notice",
                                    "document_number": f"{DOCUMENT_PREFIX}〔{household.decision_on.year}〕"
                                                       f"{rng.randint(1, 300)}号"}),
                ("announced", served + days(1, 5), {})]
        branch, last = rng.random(), served + days(1, 5)
        if branch < 0.15:
            filed = served + days(10, 55)
            revoked = rng.random() < 0.15
            plan += [("recon_filed", filed, {}),
                     ("recon_decided", filed + days(40, 60), {"result": "revoked" if revoked else "upheld"})]
            last = filed + days(40, 60) + dt.timedelta(days=legal.AFTER_RECONSIDERATION_DAYS + 1)
        elif branch < 0.25:
            filed = served + days(30, 150)
            judged = filed + days(60, 150)
            plan += [("lit_filed", filed, {}), ("lit_judged", judged, {"result": "dismissed"})]
            last = judged + dt.timedelta(days=1)
        else:
            last = legal.add_months(served, legal.LITIGATION_MONTHS) + dt.timedelta(days=1)
        urged = last + days(1, 20)
        applied = urged + days(10, 20)
        ruling = applied + days(20, 40)
        granted = rng.random() < 0.9
        plan += [("urged", urged, {}), ("applied", applied, {}),
                 ("ruling", ruling, {"result": "granted" if granted else "refused"})]
        if granted and rng.random() < 0.7:
            plan.append(("enforced", ruling + days(10, 30), {}))
        on = None
        for kind, day, extra in plan:
            on = max(day, on or day)  # the plan's dates never go back
            if on > stop:
                break
            try:
                legal_step_record(actor=SYSTEM, case=case, kind=kind, on_date=on, **extra)
            except AppError:
                break  # the rules refuse it on that day: the case waits there
            case.refresh_from_db()
            if case.ended_on:
                break
    for household in households:
        for kind, day in (("signed", household.signed_on), ("vacated", household.vacated_on)):
            if day is not None and day >= household.decision_on:
                legal_follow_events(actor=SYSTEM, households=[household], kind=kind, on=day, ip=None)
                break
    return LegalCase.objects.count()
