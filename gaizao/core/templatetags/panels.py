"""``{% panels "household" household %}``: the panels other apps registered for a ledger page.

The ledger's detail pages do not load an upper app's tags: they loop over core.registry.panels,
and each panel's context callable decides what it shows (None: nothing).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from gaizao.core.registry import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, page: str, obj, wrapper: str = ""):
    """Render each registered panel of ``page`` for ``obj``, in order; ``wrapper`` is each one's CSS class."""
    out = []
    for panel in panels_for(page):
        data = panel.context(context, obj)
        if data is None:
            continue
        # As an inclusion tag does: the page's engine, a fresh context with the CSRF token.
        new_context = context.new(data)
        csrf_token = context.get("csrf_token")
        if csrf_token is not None:
            new_context["csrf_token"] = csrf_token
        html = context.template.engine.get_template(panel.template).render(new_context)
        out.append(f'<div class="{wrapper}">{html}</div>' if wrapper else html)
    return mark_safe("".join(out))
