"""The progress card on the household page (进度): ``{% household_progress household %}``.

It shows the current stage, the date of each stage, and the events with their corrections and
attachments; to those who may write, the form to record the next event and a correction form on
each event. Two queries, whatever the number of events: the events (with their actors) and the
household's attachments; a third, the buildings with their heritage elements, only when 拆除 is
among the kinds offered (the override's field, or the notice that the office must record it).
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from gaizao.core.registry import panel_sent_back
from gaizao.ledger.policies import heritage_can_override
from gaizao.ledger.selectors import household_can_write
from gaizao.ledger.services.buildings import building_facts
from gaizao.progress.choices import EventKind, ResettlementMode
from gaizao.progress.forms import CorrectionForm, EventForm
from gaizao.progress.selectors.events import household_events
from gaizao.progress.services.events import guarded
from gaizao.progress.stages import DATE_FIELDS, FUNNEL, FUNNELS, State, suggested_kinds

register = template.Library()

PANEL = "progress.events"  # its name in core.registry.panels (progress.registrations)


def stage_rows(household) -> list[dict]:
    """Each stage of the household's way (进度路径) with its date; 补偿决定 and 撤出 only when it has them."""
    rows = []
    for kind in FUNNELS.get(household.way, FUNNEL):
        if kind == EventKind.SIGNED and household.decision_on:
            rows.append({"kind": EventKind.DECISION.value, "label": EventKind.DECISION.label,
                         "date": household.decision_on})
        rows.append({"kind": kind.value, "label": kind.label, "date": getattr(household, DATE_FIELDS[kind])})
    if household.withdrawn_on:
        rows.append({"kind": EventKind.WITHDRAWN.value, "label": EventKind.WITHDRAWN.label,
                     "date": household.withdrawn_on})
    return rows


def event_rows(household, *, can_write: bool) -> list[dict]:
    events = list(household_events(household.pk))
    by_id = {event.pk: event for event in events}
    corrected = {event.corrects_id for event in events if event.corrects_id}
    modes = dict(ResettlementMode.choices)
    rows = []
    for event in events:
        original = by_id.get(event.corrects_id) if event.corrects_id else None
        kind = original.kind if event.kind == EventKind.VOID and original is not None else event.kind
        actor = event.actor
        rows.append({
            "event": event,
            "label": EventKind(kind).label,
            "void": event.kind == EventKind.VOID,
            "corrects": original,
            "struck": event.pk in corrected,
            "correctable": can_write and event.kind != EventKind.VOID and event.pk not in corrected,
            "mode": modes.get(event.resettlement_mode, ""),
            "who": (actor.full_name or actor.username) if actor is not None else _("系统"),
            "attachments": event.files,
        })
    return rows


@register.inclusion_tag("progress/events/household_progress.html", takes_context=True)
def household_progress(context, household):
    """The progress card; a form the progress pages sent back with its error comes through the
    request (``core.editing.page_again``: the household page is the ledger's and knows nothing of it)."""
    user = context["request"].user
    own = bool(context.get("own"))
    sent = panel_sent_back(context, PANEL)
    can_write = not own and household_can_write(user, household)
    state = State.of(household)
    kinds = suggested_kinds(state, household.project) if can_write else []
    record_form = sent.get("record_form")
    if can_write and record_form is None:
        record_form = EventForm(kinds=kinds, initial={"version": household.version})
    heritage = []  # what a 拆除 of this household would bring down that carries a heritage element
    if EventKind.DEMOLISHED in kinds or (record_form is not None and record_form.is_bound
                                         and record_form.data.get("kind") == EventKind.DEMOLISHED):
        heritage = [{"number": b.number, "elements": "、".join(b.heritage_labels())}
                    for b in guarded(building_facts([household.pk]).get(household.pk, []))]
    rows = [] if own else event_rows(household, can_write=can_write)
    correct_event = sent.get("correct_event")
    for row in rows:
        if row["correctable"]:
            sent_here = correct_event is not None and correct_event == row["event"].pk
            row["form"] = sent["correct_form"] if sent_here else CorrectionForm(
                initial={"version": household.version, "on_date": row["event"].on_date},
                prefix=f"c{row['event'].pk}")
            row["open"] = sent_here
    return {
        "household": household,
        "stage_label": household.get_stage_display(),
        "stages": stage_rows(household),
        "mode_label": dict(ResettlementMode.choices).get(household.resettlement_mode, ""),
        "rows": rows,
        "own": own,
        "can_write": can_write,
        "record_form": record_form,
        "kinds_left": bool(kinds),
        "heritage": heritage,
        "can_override": bool(heritage) and heritage_can_override(user),
        "csrf_token": context.get("csrf_token"),
    }
