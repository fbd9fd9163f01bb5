"""Two complete compensation schemes (补偿方案) in the scheme language: the demo's, the tests' and the
documentation's (docs/compensation-schemes.md shows them with their cases).

- ``money``: state land, most households take money (货币补偿为主): building value by the valuation,
  relocation fee (twice for a swap), three months' transition fee for money, monthly for a swap with
  the late-delivery steps, a registration reward, an early-signing reward of max(area × rate, a floor
  per certificate) by the day of signing, a money-option reward as a share of the value with a cap, a
  whole-project signing-rate reward in steps, business suspension loss clamped between a floor and a
  ceiling; the swap area is not less than the old legal area.
- ``swap``: collective land, most households take a flat (产权调换为主): the swap area by persons, the
  legal area per person clamped between a minimum and a maximum per person, priced at cost, with the
  value difference settled; relocation twice; transition monthly until delivery with the late steps.
"""

from __future__ import annotations

MONEY = """\
[scheme]
name = "{project}征收补偿方案（货币补偿为主）"
options = ["money", "swap"]
rounding = "0.01"

[params]
signing_start = {start}
relocation_rate = 10          # 搬迁费，元/㎡
relocation_min = 1000         # 搬迁费每户不低于
transition_rate = 12          # 临时安置费，元/㎡/月
money_transition_months = 3   # 货币补偿一次性支付的月数
transition_months = 24        # 产权调换的过渡期（月）
registration_reward = 2000    # 按期登记奖励，元/户
early_floor = 5000            # 提前签约奖励每证不低于
money_reward_rate = 0.10      # 选择货币补偿奖励：房屋价值的 10%
money_reward_cap = 80000      # 不超过 8 万元/户
loss_rate = 0.05              # 停产停业损失：房屋价值的 5%
loss_floor = 5000
loss_ceiling = 100000
flat_price = 6800             # 安置房结算价，元/㎡
min_area = 45                 # 最低面积保障：每户不少于 45㎡
subsidy_price = 3000          # 不足部分按 3000 元/㎡ 补助

[tables.early_rate]           # 提前签约奖励单价，按签约第几日
by = "signing_day"
brackets = [{{ upto = 15, value = 200 }}, {{ upto = 30, value = 100 }}, {{ value = 0 }}]

[tables.rate_reward]          # 整体签约率奖励，按项目签约率（%）
by = "signing_rate"
brackets = [{{ upto = 89.99, value = 0 }}, {{ upto = 94.99, value = 3000 }}, {{ upto = 99.99, value = 5000 }}, {{ value = 8000 }}]

[values]
legal_total = {{ label = "合法面积合计", per = "building", formula = "legal_area", when = {{ legality = ["合法", "未超期临时"], disposition = "拆除" }} }}
house_value = {{ label = "房屋评估价值", per = "building", formula = "legal_area * unit_price + decoration", when = {{ legality = ["合法", "未超期临时"], disposition = "拆除" }} }}
business_value = {{ label = "经营用房评估价值", per = "building", formula = "legal_area * unit_price", when = {{ legality = ["合法"], use = ["非住宅", "混合"], disposition = "拆除" }} }}

[items.building_value]
label = "房屋价值补偿"
options = ["money"]
formula = "house_value"

[items.swap_area]
label = "产权调换面积"
kind = "area"
options = ["swap"]
formula = "legal_total"       # 不小于原合法面积
round = "0.01"

[items.swap_difference]
label = "产权调换差价"
options = ["swap"]
formula = "house_value - swap_area * flat_price"
note = "负数为被征收人应补交的差价"

[items.relocation]
label = "搬迁费"
formula = "legal_total * relocation_rate"
multiplier = {{ swap = 2 }}
min = "relocation_min"

[items.transition]
label = "临时安置费"
formula = "legal_total * transition_rate * money_transition_months"
options = ["money"]

[items.transition_swap]
label = "临时安置费（过渡期）"
options = ["swap"]
formula = "legal_total * transition_rate * (transition_months + 1.5 * min(late_months, 12) + 1.75 * clamp(late_months - 12, 0, 12) + 2 * max(late_months - 24, 0))"

[items.business_loss]
label = "停产停业损失"
if = "business_value > 0"
formula = "clamp(business_value * loss_rate, loss_floor, loss_ceiling)"

[items.registration]
label = "按期登记奖励"
formula = "registration_reward"

[items.early_signing]
label = "提前签约奖励"
formula = "max(legal_total * early_rate, certificates * early_floor) if early_rate > 0 else 0"

[items.money_reward]
label = "选择货币补偿奖励"
options = ["money"]
formula = "house_value * money_reward_rate"
max = "money_reward_cap"

[items.signing_rate_reward]
label = "整体签约率奖励"
formula = "rate_reward"
round = "1"

[items.small_area_subsidy]
label = "最低面积保障补助"
options = ["money"]
if = "legal_total < min_area"
formula = "(min_area - legal_total) * subsidy_price"
"""

SWAP = """\
[scheme]
name = "{project}征收补偿方案（产权调换为主）"
options = ["swap", "money"]
rounding = "0.01"

[params]
signing_start = {start}
relocation_rate = 20          # 搬迁费，元/㎡，产权调换搬出、搬入各计一次
transition_rate = 15          # 临时安置费，元/㎡/月
transition_months = 36        # 高层安置房过渡期（月）
money_transition_months = 6
min_per_person = 30           # 人均安置面积不低于 30㎡
max_per_person = 50           # 不超过 50㎡
cost_price = 3000             # 安置面积内按成本价结算，元/㎡
registration_reward = 3000
early_floor = 8000
money_reward_rate = 0.05
money_reward_cap = 50000

[tables.early_rate]
by = "signing_day"
brackets = [{{ upto = 10, value = 300 }}, {{ upto = 20, value = 150 }}, {{ value = 0 }}]

[tables.rate_reward]
by = "signing_rate"
brackets = [{{ upto = 89.99, value = 0 }}, {{ upto = 97.99, value = 5000 }}, {{ value = 10000 }}]

[tables.structure_factor]     # 结构成新系数
keys = ["structure"]
rows = [{{ structure = "框架", value = 1.05 }}, {{ structure = ["砖混", "钢混"], value = 1.0 }}, {{ structure = "砖木", value = 0.9 }}]
default = 0.8

[values]
legal_total = {{ label = "合法面积合计", per = "building", formula = "legal_area", when = {{ legality = ["合法", "未超期临时"], disposition = "拆除" }} }}
house_value = {{ label = "房屋评估价值", per = "building", formula = "legal_area * unit_price * structure_factor + decoration", when = {{ legality = ["合法", "未超期临时"], disposition = "拆除" }} }}

[items.swap_area]
label = "产权调换面积"
kind = "area"
options = ["swap"]
formula = "clamp(legal_total / persons, min_per_person, max_per_person) * persons"
round = "0.01"

[items.swap_difference]
label = "产权调换差价"
options = ["swap"]
formula = "house_value - swap_area * cost_price"
note = "负数为被征收人应补交的差价"

[items.building_value]
label = "房屋价值补偿"
options = ["money"]
formula = "house_value"

[items.relocation]
label = "搬迁费"
formula = "legal_total * relocation_rate"
multiplier = {{ swap = 2 }}

[items.transition_swap]
label = "临时安置费（过渡期）"
options = ["swap"]
formula = "legal_total * transition_rate * (transition_months + 1.5 * min(late_months, 12) + 1.75 * clamp(late_months - 12, 0, 12) + 2 * max(late_months - 24, 0))"

[items.transition]
label = "临时安置费"
options = ["money"]
formula = "legal_total * transition_rate * money_transition_months"

[items.registration]
label = "按期登记奖励"
formula = "registration_reward"

[items.early_signing]
label = "提前签约奖励"
formula = "max(legal_total * early_rate, certificates * early_floor) if early_rate > 0 else 0"

[items.money_reward]
label = "选择货币补偿奖励"
options = ["money"]
formula = "house_value * money_reward_rate"
max = "money_reward_cap"

[items.signing_rate_reward]
label = "整体签约率奖励"
formula = "rate_reward"
round = "1"
"""

TEXTS = {"money": MONEY, "swap": SWAP}


def scheme_text(kind: str = "money", *, project: str = "示范村", start: str = "2026-03-01") -> str:
    """A complete scheme of the given kind (money / swap) for a project, its signing period from ``start``."""
    return TEXTS[kind].format(project=project, start=start)
