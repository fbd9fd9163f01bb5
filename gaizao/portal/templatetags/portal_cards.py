"""``{% home_card card %}``: one registered home card, rendered with the context its app returned."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def home_card(context, card: dict):
    return context.template.engine.get_template(card["template"]).render(context.new(card["context"]))
