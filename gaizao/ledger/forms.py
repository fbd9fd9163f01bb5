"""Forms of the ledger pages: filters (the query string) and edit forms (what services receive)."""

from __future__ import annotations

import json
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gaizao.core.forms import StyledForm
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.core.validators import normalize_citizen_id
from gaizao.ledger import known
from gaizao.ledger.choices import (
    HeritageKind, Hukou, LandType, Legality, ProtectionLevel, Relation, RenovationMode, Stage,
)
from gaizao.ledger.selectors import (
    building_by_ref, cadre_options, community_options, household_filter_options, street_list, street_write_list,
)
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit

# 17 digits and a digit or X: someone typed a citizen ID, so a wrong one deserves a clear message.
_LOOKS_LIKE_ID = re.compile(r"^\d{17}[\dXx]$")


def _with_blank(label, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class FastSelect(forms.Select):
    """A <select> rendered in one pass, without a template per <option>.

    Django renders every option through the template engine (≈ 0.1 ms each); the household list
    has three drop-downs of up to a few dozen options on every page view.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((str(v), mark_safe(" selected") if str(v) in chosen else "", label)
             for v, label in self._choices_flat()),
        )
        attrs_html = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs_html, options)

    def _choices_flat(self):
        for value, label in self.choices:
            if isinstance(label, (list, tuple)):  # an optgroup: flatten (none of ours use them)
                yield from label
            else:
                yield ("" if value is None else getattr(value, "value", value)), label


class VillageFilterForm(StyledForm):
    street = forms.ModelChoiceField(label=_("街道"), queryset=None, required=False, empty_label=_("全部街道"))
    mode = forms.ChoiceField(label=_("改造方式"), required=False,
                             choices=_with_blank(_("全部方式"), RenovationMode.choices))
    batch = forms.IntegerField(label=_("批次"), required=False, min_value=1, max_value=99)
    year = forms.IntegerField(label=_("计划年度"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = street_list(user)

    def filters(self) -> dict:
        street = self.value("street")
        return {
            "street_id": street.pk if street else None,
            "mode": self.value("mode") or "",
            "batch": self.value("batch"),
            "year": self.value("year"),
        }


class HouseholdFilterForm(StyledForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50, widget=forms.TextInput(attrs={
        "placeholder": _("户主姓名、拼音首字母、户号或身份证号"), "autocomplete": "off", "type": "search",
    }))
    street = forms.ModelChoiceField(label=_("街道"), queryset=None, required=False, empty_label=_("全部街道"),
                                    widget=FastSelect)
    village = forms.ModelChoiceField(label=_("城中村"), queryset=None, required=False, empty_label=_("全部城中村"),
                                     widget=FastSelect)
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, required=False, empty_label=_("全部项目"),
                                     widget=FastSelect)
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=_with_blank(_("全部阶段"), Stage.choices),
                              widget=FastSelect)
    land_type = forms.ChoiceField(label=_("土地性质"), required=False,
                                  choices=_with_blank(_("全部"), LandType.choices), widget=FastSelect)
    legality = forms.ChoiceField(label=_("房屋认定"), required=False,
                                 choices=_with_blank(_("全部"), Legality.choices), widget=FastSelect)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        options = household_filter_options(user)
        self.fields["street"].queryset = options.streets
        self.fields["village"].queryset = options.villages
        self.fields["project"].queryset = options.projects

    def clean_q(self) -> str:
        text = unicodedata.normalize("NFKC", self.cleaned_data.get("q") or "").strip()
        folded = re.sub(r"\s+", "", text)
        if _LOOKS_LIKE_ID.match(folded):
            try:
                normalize_citizen_id(folded)
            except ValidationError as exc:
                raise ValidationError(exc.messages[0]) from None
        return text

    def filters(self) -> dict:
        return {
            "q": self.value("q") or "",
            "street_id": getattr(self.value("street"), "pk", None),
            "village_id": getattr(self.value("village"), "pk", None),
            "project_id": getattr(self.value("project"), "pk", None),
            "stage": self.value("stage") or "",
            "land_type": self.value("land_type") or "",
            "legality": self.value("legality") or "",
            "after": self.value("after"),
        }


# --- edit forms --------------------------------------------------------------------------------
# They parse what was typed; the services check it (errors come back beside the field through
# ``apply_error``) and write it. An edit form carries the version it was loaded at.

def _date_field(label):
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _decimal_field(label, *, required=True, help_text=""):
    # No places or range here: the service says what is wrong, naming the field.
    return forms.DecimalField(label=label, required=required, help_text=help_text,
                              widget=forms.TextInput(attrs={"inputmode": "decimal"}))


def _integer_field(label, *, required=True):
    return forms.IntegerField(label=label, required=required, widget=forms.TextInput(attrs={"inputmode": "numeric"}))


def _text_area(label, *, rows=3, required=False, help_text=""):
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


def _keep_current(form, name: str) -> None:
    """A value the office retired (ledger.known) stays choosable on the record that holds it."""
    current = getattr(form.instance, name, None) if form.instance is not None else None
    field = form.fields.get(name)
    if current and field is not None and current not in {value for value, _label in field.choices}:
        field.choices = [*field.choices, (current, current)]


class _EditForm(StyledForm):
    """A ledger edit form. ``wide_fields`` span the whole row in the template."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    wide_fields: tuple[str, ...] = ()
    create_only: tuple[str, ...] = ()

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        if instance is None:
            del self.fields["version"]
        else:
            for name in self.create_only:
                self.fields.pop(name, None)

    def initial_from(self, instance) -> dict:
        initial = {}
        for name in self.base_fields:
            # A relation's id, not the related object: no query to fill a select.
            initial[name] = getattr(instance, f"{name}_id") if hasattr(instance, f"{name}_id") \
                else getattr(instance, name, None)
        initial["version"] = instance.version
        return initial

    def values(self) -> dict:
        """What the service receives: every field but the version (it compares and writes what changed)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    @property
    def version_value(self) -> int | None:
        return self.cleaned_data.get("version")


class VillageForm(_EditForm):
    street = forms.ModelChoiceField(label=_("街道"), queryset=None)
    name = forms.CharField(label=_("村名"), max_length=100)
    code = forms.CharField(label=_("村编码"), max_length=32)
    community = forms.ModelChoiceField(label=_("社区"), queryset=None, required=False, empty_label=_("（不指定）"))
    mode = forms.ChoiceField(label=_("改造方式"), choices=RenovationMode.choices)
    batch = _integer_field(_("批次"))
    year = _integer_field(_("计划年度"))
    land_area = _decimal_field(_("用地面积（㎡）"))
    population = _integer_field(_("人口"))
    notes = _text_area(_("现状说明"))
    boundary = _text_area(
        _("边界（GeoJSON）"), rows=6,
        help_text=_("粘贴村界的 GeoJSON 面数据（测绘单位或地图软件可导出；坐标为 [经度, 纬度]，WGS 84），可以是一个面、多个面或含一个要素的文件内容；留空表示不设边界。"),
    )
    wide_fields = ("notes", "boundary")
    create_only = ("street",)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streets = street_write_list(user)
        if "street" in self.fields:
            self.fields["street"].queryset = streets
        if self.instance is not None:
            self.fields["community"].queryset = community_options(self.instance.street)
        else:
            self.fields["community"].queryset = OrgUnit.objects.filter(
                kind=OrgKind.COMMUNITY, parent__in=streets).order_by("path")

    def initial_from(self, instance) -> dict:
        initial = super().initial_from(instance)
        initial["boundary"] = json.dumps(instance.boundary, ensure_ascii=False) if instance.boundary else ""
        return initial


class ProjectForm(_EditForm):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    code = forms.CharField(label=_("项目编码"), max_length=32)
    phase = _integer_field(_("期次"))
    decision_date = _date_field(_("征收决定日期"))
    signing_start = _date_field(_("签约期开始"))
    signing_end = _date_field(_("签约期结束"))
    signing_threshold = _decimal_field(_("协议生效签约比例（%）"), help_text=_("0 到 100，签约率达到该比例时协议生效。"))
    consultation_threshold = _decimal_field(
        _("意愿征询通过比例（%）"), help_text=_("0 到 100，同意的住户达到该比例时征询通过；未通过的项目不能开始签约期。"))
    land_type = forms.ChoiceField(label=_("征收土地性质"), choices=LandType.choices, initial=LandType.STATE,
                                  help_text=_("国有土地：期满未签约的作补偿决定；集体土地：作责令交出土地决定。"))
    scope = _text_area(_("征收范围"))
    signing_reason = _text_area(_("修改签约期或生效比例的理由"))
    wide_fields = ("scope", "signing_reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is None:  # a new project has no signing under way
            del self.fields["signing_reason"]
        else:
            self.fields["signing_reason"].help_text = _(
                "签约开始后，签约期和协议生效比例只能由领导小组办公室修改，须写明理由（10 到 500 个字）；签约期届满后不能修改。")


class HouseholdForm(_EditForm):
    number = forms.CharField(label=_("户号"), max_length=32)
    head_name = forms.CharField(label=_("户主姓名"), max_length=50)
    head_id_number = forms.CharField(label=_("户主身份证号"), required=False, max_length=40,
                                     help_text=_("18 位身份证号，港澳台居民可填居住证号码（810000、820000、830000 开头）。"
                                                 "显示为脱敏号码；不改动则保留原号码，清空则删除。"))
    # 40: room for what people type around a landline, "(0755) 1234 5678 转 801".
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=40,
                            help_text=_("手机号，或带区号的固定电话（如 020-12345678）。"
                                        "显示为脱敏号码；不改动则保留原号码。"))
    address = forms.CharField(label=_("地址"), required=False, max_length=200)
    land_type = forms.ChoiceField(label=_("土地性质"), choices=LandType.choices)
    use = forms.ChoiceField(label=_("用途"), choices=known.offered_uses)
    member_count = _integer_field(_("家庭人数"))
    cadre = forms.ModelChoiceField(label=_("包户干部"), queryset=None, required=False, empty_label=_("（未指派）"))

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        _keep_current(self, "use")
        self.fields["cadre"].queryset = cadre_options(street)
        for name in ("head_id_number", "phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def initial_from(self, instance) -> dict:
        initial = super().initial_from(instance)
        # The form never holds the full numbers: their masked form stands for "unchanged".
        initial["head_id_number"] = mask_citizen_id(instance.head_id_number)
        initial["phone"] = mask_phone(instance.phone)
        return initial


class PersonForm(_EditForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices)
    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=40,
                                help_text=_("18 位身份证号，港澳台居民可填居住证号码。显示为脱敏号码；不改动则保留原号码。"),
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    hukou = forms.ChoiceField(label=_("户籍状况"), choices=Hukou.choices)

    def initial_from(self, instance) -> dict:
        initial = super().initial_from(instance)
        initial["id_number"] = mask_citizen_id(instance.id_number)
        return initial


class BuildingForm(_EditForm):
    number = forms.CharField(label=_("房屋编号"), max_length=32)
    structure = forms.ChoiceField(label=_("结构"), choices=known.offered_structures)
    floors = _integer_field(_("层数"))
    build_year = _integer_field(_("建成年份"), required=False)
    certificate_no = forms.CharField(label=_("权证号"), required=False, max_length=64)
    legal_area = _decimal_field(_("合法面积（㎡）"))
    unlicensed_area = _decimal_field(_("无证面积（㎡）"))
    legality = forms.ChoiceField(label=_("认定结果"), choices=Legality.choices)
    use = forms.ChoiceField(label=_("用途"), choices=known.offered_uses)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _keep_current(self, "structure")
        _keep_current(self, "use")


class HeritageForm(_EditForm):
    kind = forms.ChoiceField(label=_("类别"), choices=HeritageKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    protection_level = forms.ChoiceField(label=_("保护级别"), choices=ProtectionLevel.choices)
    location = forms.CharField(label=_("位置"), required=False, max_length=200)
    building = forms.CharField(label=_("所在房屋"), required=False, max_length=70,
                               help_text=_("写作“户号/房屋编号”，如 DH-001/1；不在某户房屋上的留空。"))
    photo = forms.FileField(label=_("照片"), required=False,
                            help_text=_("JPG 或 PNG，不超过 5 MB。"),
                            widget=forms.FileInput(attrs={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"}))
    remove_photo = forms.BooleanField(label=_("删除现有照片"), required=False)
    notes = _text_area(_("备注"))
    wide_fields = ("notes",)

    def __init__(self, *args, village, **kwargs):
        self.village = village
        super().__init__(*args, **kwargs)
        if self.instance is None or not self.instance.photo:
            del self.fields["remove_photo"]

    def initial_from(self, instance) -> dict:
        initial = super().initial_from(instance)
        initial["building"] = building_ref(instance.building) if instance.building_id else ""
        initial["photo"] = None
        return initial

    def clean_building(self):
        ref = self.cleaned_data.get("building", "").strip()
        if not ref:
            return None
        building = building_by_ref(self.village, ref)
        if building is None:
            raise ValidationError(_("本村没有房屋「%(ref)s」（写作“户号/房屋编号”，如 DH-001/1）。") % {"ref": ref})
        return building

    def values(self) -> dict:
        values = super().values()
        remove = values.pop("remove_photo", False)
        photo = values.pop("photo", None)
        if photo:
            values["photo"] = photo
        elif remove:
            values["photo"] = None
        return values


def building_ref(building) -> str:
    return f"{building.household.number}/{building.number}"


class DemolishForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    on_date = forms.DateField(label=_("拆除日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    heritage_override_reason = forms.CharField(
        label=_("拆除理由（涉及历史文化要素时必填）"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("该房屋登记有历史文化要素时，须写明确需拆除的理由和批准文件（不少于 10 个字）；只有区指挥部或系统管理员可以填写，"
                    "理由将记入审计日志。"),
    )


class ResidentLinkForm(StyledForm):
    """关联居民账号: the resident account's username (the service finds and checks it)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    resident = forms.CharField(
        label=_("居民账号（用户名）"), required=False, max_length=150,
        help_text=_("填写已开通的居民账号的用户名；该账号须有本街道（或其社区）的“居民”岗位，且未关联其他住户。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "resident-options"}),
    )
    wide_fields = ("resident",)


class CadreAssignForm(StyledForm):
    """分配包户干部 to the households chosen in the list: a cadre by name or username, or none."""

    households = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=False)
    cadre = forms.CharField(label=_("包户干部"), required=False, max_length=150,
                            help_text=_("写姓名或用户名；留空并选择“取消分配”则取消所选住户的包户干部。"),
                            widget=forms.TextInput(attrs={"autocomplete": "off", "list": "cadre-options"}))
    unassign = forms.BooleanField(label=_("取消分配"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id the page sent: the service decides which the user may change (404 otherwise).
        self.fields["households"].choices = [(v, v) for v in (self.data.getlist("households") if self.data else [])
                                             if str(v).isdigit()]
        self.fields["households"].error_messages["invalid_choice"] = _("所选住户有误，请重新勾选。")
