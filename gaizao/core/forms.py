"""The one form base (表单基类) every page's form builds on: Tabler classes, Chinese messages,
bounded integers, and running a service from a form (``submit``/``apply_error``).

Forms parse and check input; every write happens in services. A service's ``AppError`` is shown
beside the field it names, out of scope (NotFound) is a 404 like every page.
"""

from __future__ import annotations

from django import forms
from django.core import validators
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from gaizao.core.errors import AppError, NotFound
from gaizao.core.schemas import BIG_MAX, BIG_MIN


# Chinese whatever language the browser asks for (Django's own catalogue would follow it).
CHINESE_ERRORS = {
    "required": _("此项必填。"),
    "invalid_choice": _("所选项无效，请重新选择。"),
}
CHINESE_LIMITS = {
    validators.MaxLengthValidator: _("最多 %(limit_value)d 个字符（现有 %(show_value)d 个）。"),
    validators.MinLengthValidator: _("至少 %(limit_value)d 个字符（现有 %(show_value)d 个）。"),
    validators.MinValueValidator: _("不能小于 %(limit_value)s。"),
    validators.MaxValueValidator: _("不能大于 %(limit_value)s。"),
}
CHINESE_INVALID = {
    forms.IntegerField: _("请输入整数。"),
    forms.DateField: _("请输入有效的日期（年-月-日）。"),
}


def chinese_error_messages(form: forms.BaseForm) -> None:
    """Replace Django's default messages (not the ones a field was given) with Chinese ones."""
    for field in form.fields.values():
        defaults: dict = {}
        for cls in reversed(type(field).__mro__):
            defaults.update(getattr(cls, "default_error_messages", {}))
        ours = dict(CHINESE_ERRORS)
        for kind, message in CHINESE_INVALID.items():
            if isinstance(field, kind):
                ours["invalid"] = message
        for code, message in ours.items():
            if code in field.error_messages and field.error_messages[code] is defaults.get(code):
                field.error_messages[code] = message
        # Length and range limits are validators; new instances, as the field's list is shared.
        field.validators = [
            type(v)(v.limit_value, message=CHINESE_LIMITS[type(v)]) if type(v) in CHINESE_LIMITS else v
            for v in field.validators
        ]


def bound_integers(form: forms.BaseForm) -> None:
    """Give every integer field that names no range the widest one a database holds.

    A number beyond 64 bits cannot be stored or looked up anywhere (OverflowError in the driver);
    bounded here, once for all forms, it is a message beside the field instead of a 500.
    """
    for field in form.fields.values():
        if not isinstance(field, forms.IntegerField) or isinstance(field, (forms.FloatField, forms.DecimalField)):
            continue
        if field.max_value is None:
            field.validators.append(validators.MaxValueValidator(BIG_MAX, message=CHINESE_LIMITS[
                validators.MaxValueValidator]))
        if field.min_value is None:
            field.validators.append(validators.MinValueValidator(BIG_MIN, message=CHINESE_LIMITS[
                validators.MinValueValidator]))


BLANK_CHOICE = "---------"
PLEASE_CHOOSE = _("请选择")


class StyledForm(forms.Form):
    """Tabler classes on every widget, Chinese messages, and ``is-invalid`` on fields in error.

    Edit forms run their service through ``submit``; filter forms read ``value`` after
    ``valid_or_unbound``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_integers(self)
        chinese_error_messages(self)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            # Django's "---------" for "nothing chosen" reads as a glitch: say 请选择 instead
            if getattr(field, "empty_label", None) == BLANK_CHOICE:
                field.empty_label = PLEASE_CHOOSE
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                choices = list(field.choices)
                if choices and choices[0] == ("", BLANK_CHOICE):
                    field.choices = [("", PLEASE_CHOOSE), *choices[1:]]

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def submit(self, call, *, show=None) -> bool:
        """Run a service for this form (``call()``): True when it succeeded.

        Out of scope (NotFound) is a 404 like every page; any other refusal is shown on the form
        (beside the field it names, or by ``show``) and its status kept in ``error_status``.
        """
        try:
            self.result = call()
        except NotFound:
            raise Http404(_("不存在或无权查看。")) from None
        except AppError as exc:
            (show or self.apply_error)(exc)
            self.error_status = exc.status
            return False
        return True

    def apply_error(self, exc: AppError, aliases: dict[str, str] | None = None) -> None:
        """Show a service's error beside the field it names (or above the form)."""
        aliases = aliases or {}
        placed = False
        for name, message in exc.fields.items():
            target = aliases.get(name, name)
            if target in self.fields and target not in self.errors:
                self.add_error(target, message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)

    # --- filter forms (the query string of a list page) -------------------------------------------

    def valid_or_unbound(self) -> bool:
        """An empty query string is a valid request for everything in scope."""
        return not self.is_bound or self.is_valid()

    def value(self, name):
        return self.cleaned_data.get(name) if self.is_bound else None
