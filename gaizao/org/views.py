"""Account pages: sign-in, second factor, account security, org tree, accounts (账号管理).

Views parse, call a service or a selector, and render; every write is in ``org.services``.
"""

from __future__ import annotations

import datetime as dt
import json
from base64 import b32encode
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from gaizao.core.errors import AppError
from gaizao.core.scoping import get_in_scope
from gaizao.core.editing import edit_page
from gaizao.org import policies, selectors, services
from gaizao.org.choices import OrgKind
from gaizao.org.forms import (
    ApiTokenForm,
    DeviceRemoveForm,
    LoginForm,
    MembershipFormSet,
    OrgUnitForm,
    PasswordChangeForm,
    UnitBoundaryForm,
    TokenFilterForm,
    TokenForm,
    TokenRevokeForm,
    UserCreateForm,
    UserFilterForm,
    cool_off_minutes,
)
from gaizao.core.requests import client_ip as _ip

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The units drawn on the command map: the district's outline and the streets' areas.
BOUNDED_KINDS = (OrgKind.DISTRICT, OrgKind.STREET)


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: ``next`` if it stays on this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _require(allowed: bool) -> None:
    """A page the access table (org.policies) does not give this user does not exist (404)."""
    if not allowed:
        raise Http404(_("页面不存在。"))


# --- sign-in, lockout, sign-out ------------------------------------------------------------------

@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """The sign-in page (登录). Failures are counted by django-axes; five lock the user name at that
    address; a name failing from many addresses is throttled (services.login_gate, status 429)."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.user)
        if form.user.needs_second_factor:
            return redirect(f"{reverse('org:otp')}?{urlencode({'next': next_url})}")
        return redirect(next_url)
    throttled = form.has_error(NON_FIELD_ERRORS, "throttled")
    return render(request, "org/login.html", {
        "form": form, "next": next_url,
        "failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": cool_off_minutes(),
    }, status=429 if throttled else 200)


def retry_time(until: dt.datetime) -> str:
    """HH:MM in Beijing time, rounded up so the user is never told a minute too early."""
    local = timezone.localtime(until, SHANGHAI)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return local.strftime("%H:%M")


def lockout_response(request: HttpRequest, response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """What django-axes answers a user name locked at this address (AXES_LOCKOUT_CALLABLE): when to
    try again."""
    username = get_client_username(request, credentials) or ""
    until = selectors.lockout_until(username, _ip(request)) if username else None
    if until is None:
        until = timezone.now() + (get_cool_off(request) or dt.timedelta(0))
    context = {
        "username": username,
        "retry_at": retry_time(until),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": cool_off_minutes(),
    }
    return render(request, "org/locked.html", context, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out (退出登录): POST only, so a link or an image cannot sign anyone out."""
    auth_logout(request)
    messages.info(request, _("你已安全退出。"))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- second factor ---------------------------------------------------------------------------------

def _qr_svg(text: str) -> str:
    """The QR code as inline SVG, drawn here (government intranets have no internet)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return mark_safe(image.to_string(encoding="unicode"))  # our own SVG: no user markup in it


def _grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
def otp_view(request: HttpRequest) -> HttpResponse:
    """The second factor (动态口令): enrol a device on first use, then verify a code each sign-in."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified() or not user.needs_second_factor:
        return redirect(next_url)
    form = TokenForm(request.POST if request.method == "POST" else None)
    enrolled = selectors.totp_device_list(user).exists()
    device = None if enrolled else services.totp_device_start(actor=user, ip=_ip(request))
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        try:
            if enrolled:
                device = services.totp_verify(actor=user, token=token, ip=_ip(request))
            else:
                device = services.totp_device_confirm(actor=user, device=device, token=token, ip=_ip(request))
                messages.success(request, _("动态口令绑定成功。以后每次登录都需输入验证器上的 6 位数字。"))
        except AppError as exc:
            form.apply_error(exc)
        else:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(next_url)
    context = {"form": form, "next": next_url, "enrolled": enrolled}
    if not enrolled:
        context.update(qr_svg=_qr_svg(device.config_url), secret=_grouped_secret(device))
    return render(request, "org/otp.html", context, status=400 if form.errors else 200)


# --- account security (账号安全) -------------------------------------------------------------------

def _profile(request: HttpRequest, status: int = 200, **extra) -> HttpResponse:
    user = request.user
    context = {
        "breadcrumbs": [(_("账号安全"), None)],
        "memberships": selectors.user_roles(user),
        "devices": list(selectors.totp_device_list(user)),
        "tokens": list(selectors.apitoken_list(user)),
        "password_form": extra.pop("password_form", None) or PasswordChangeForm(),
        "token_form": extra.pop("token_form", None) or ApiTokenForm(),
        "device_form": extra.pop("device_form", None) or DeviceRemoveForm(),
        **extra,
    }
    return render(request, "org/profile.html", context, status=status)


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    return _profile(request)


@login_required
@require_POST
@sensitive_post_parameters()
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)

    def save(form):
        user = services.user_change_password(actor=request.user, old_password=form.cleaned_data["old_password"],
                                             new_password=form.cleaned_data["new_password1"], ip=_ip(request))
        update_session_auth_hash(request, user)  # this session stays signed in
        return user

    return edit_page(request, form, save=save, show=lambda exc: form.apply_error(exc, aliases={"password": "new_password1"}),
                     message=_("密码已修改。"), done=lambda user: reverse("org:profile"),
                     page=lambda status: _profile(request, status=status, password_form=form))


@login_required
@require_POST
def token_create_view(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid() and form.submit(lambda: services.apitoken_create(
            actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data.get("days"), ip=_ip(request))):
        token, key = form.result
        # Not an edit page's redirect: the key is shown on this response only and stored nowhere.
        return _profile(request, new_token=token, new_token_key=key)
    return _profile(request, status=getattr(form, "error_status", 400), token_form=form)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner revokes one of their own tokens from the profile page; anyone else's is 404 here."""
    token = get_in_scope(selectors.apitoken_list(request.user), pk=pk)
    services.apitoken_revoke(actor=request.user, token=token, ip=_ip(request))
    messages.success(request, _("令牌「%(name)s」已吊销。") % {"name": token.name})
    return redirect("org:profile")


@login_required
@require_POST
@sensitive_post_parameters()
def device_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_in_scope(selectors.totp_device_list(request.user), pk=pk)
    form = DeviceRemoveForm(request.POST)
    return edit_page(request, form, save=lambda form: services.totp_device_remove(
        actor=request.user, device=device, password=form.cleaned_data["password"], ip=_ip(request)),
        message=_("动态口令设备已解绑。下次登录时需重新绑定。"), done=lambda result: reverse("org:profile"),
        page=lambda status: _profile(request, status=status, device_form=form))


# --- org tree ---------------------------------------------------------------------------------------

@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    """The org tree (组织机构) the user may see."""
    return render(request, "org/unit_list.html", {
        "breadcrumbs": [(_("组织机构"), None)],
        "nodes": selectors.orgunit_tree(request.user),
        "can_create": policies.orgunit_writer(request.user),
    })


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    _require(policies.orgunit_writer(request.user))
    units = selectors.orgunit_scope(request.user)
    form = OrgUnitForm(request.POST if request.method == "POST" else None, units=units,
                       initial={"parent": request.GET.get("parent")})

    def save(form):
        data = form.cleaned_data
        return services.orgunit_create(actor=request.user, code=data["code"], name=data["name"], kind=data["kind"],
                                       parent=data["parent"], sort_order=data.get("sort_order") or 0,
                                       boundary=data.get("boundary"))

    return edit_page(request, form, save=save, done=lambda unit: reverse("org:unit_list"),
                     message=lambda unit: _("已新建组织机构「%(name)s」。") % {"name": unit.name},
                     page=lambda status: render(request, "org/unit_form.html", {
                         "breadcrumbs": [(_("组织机构"), reverse("org:unit_list")), (_("新建"), None)],
                         "form": form,
                     }, status=status))


@login_required
def unit_boundary(request: HttpRequest, pk: int) -> HttpResponse:
    """An existing district's or street's boundary on the command map (边界): the administrator's page."""
    _require(policies.orgunit_writer(request.user))
    unit = get_in_scope(selectors.orgunit_scope(request.user).filter(kind__in=BOUNDED_KINDS), pk=pk)
    current = selectors.orgunit_boundary(unit)
    form = UnitBoundaryForm(request.POST if request.method == "POST" else None,
                            initial={"boundary": json.dumps(current, ensure_ascii=False) if current else ""})

    def save(form):
        services.orgunit_set_boundary(actor=request.user, unit=unit, boundary=form.cleaned_data["boundary"],
                                      ip=_ip(request))
        return unit

    return edit_page(request, form, save=save, done=lambda unit: reverse("org:unit_list"),
                     message=lambda unit: _("已保存「%(name)s」的边界。") % {"name": unit.name},
                     page=lambda status: render(request, "org/unit_boundary.html", {
                         "breadcrumbs": [(_("组织机构"), reverse("org:unit_list")), (unit.name, None)],
                         "form": form, "unit": unit, "has_boundary": current is not None,
                     }, status=status))


# --- accounts (账号管理: admin and the security officer) -----------------------------------------------

@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require(policies.account_manager(request.user))
    filters = UserFilterForm(request.GET or None)
    query = status = ""
    if filters.is_valid():
        query, status = filters.cleaned_data["q"], filters.cleaned_data["status"]
    page = Paginator(selectors.user_list(user=request.user, query=query, status=status), 50).get_page(
        request.GET.get("page"))
    locks = selectors.lockout_list()
    locked: dict[str, dt.datetime] = {}
    for lock in locks:  # a name locked at several addresses: the last lock to end
        locked[lock.username] = max(lock.until, locked.get(lock.username, lock.until))
    throttles = list(selectors.login_throttles())
    names = list(locked) + [t.username for t in throttles]
    known = set(selectors.user_scope(request.user).filter(username__in=names).values_list("username", flat=True))
    rows = [{"user": u, "locked_until": retry_time(locked[u.username]) if u.username in locked else None}
            for u in page.object_list]
    params = {k: v for k, v in (("q", query), ("status", status)) if v}
    return render(request, "org/user_list.html", {
        "breadcrumbs": [(_("账号管理"), None)],
        "filters": filters,
        "page": page,
        "rows": rows,
        "query_string": urlencode(params),
        "locked": [{"username": lock.username, "ip": lock.ip_address, "until": retry_time(lock.until),
                    "known": lock.username in known} for lock in locks],
        "throttled": [{"username": t.username, "since": t.started_at, "refused": t.refused,
                       "known": t.username in known} for t in throttles],
        "can_create": policies.account_writer(request.user),
        "can_set_active": policies.account_status_writer(request.user),
        "can_unlock": policies.signin_guard(request.user),  # and reset second factors
        "can_see_tokens": policies.apitoken_overseer(request.user),
    })


@login_required
@sensitive_post_parameters()
def user_create(request: HttpRequest) -> HttpResponse:
    _require(policies.account_writer(request.user))
    bound = request.method == "POST"
    form = UserCreateForm(request.POST if bound else None)
    formset = MembershipFormSet(request.POST if bound else None, prefix="m",
                                form_kwargs={"units": selectors.orgunit_scope(request.user)})

    def save(form):
        data = form.cleaned_data
        return services.user_create(actor=request.user, username=data["username"], password=data["password1"],
                                    full_name=data["full_name"], memberships=formset.pairs(), ip=_ip(request))

    return edit_page(request, form, formsets=[formset], save=save,
                     show=lambda exc: form.apply_error(exc, aliases={"password": "password1"}),
                     message=lambda user: _("已创建账号「%(name)s」。") % {"name": user.username},
                     done=lambda user: reverse("org:user_list"),
                     page=lambda status: render(request, "org/user_form.html", {
                         "breadcrumbs": [(_("账号管理"), reverse("org:user_list")), (_("新建账号"), None)],
                         "form": form,
                         "formset": formset,
                     }, status=status))


def _back_to_list(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target.startswith(reverse("org:user_list")):
        return redirect(target)
    return redirect("org:user_list")


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    _require(policies.account_status_writer(request.user))
    user = get_in_scope(selectors.user_scope(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user=user, active=active, ip=_ip(request))
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        text = _("账号「%(name)s」已启用。") if active else _("账号「%(name)s」已停用。")
        messages.success(request, text % {"name": user.username})
    return _back_to_list(request)


@login_required
@require_POST
def user_unlock(request: HttpRequest) -> HttpResponse:
    _require(policies.signin_guard(request.user))
    username = request.POST.get("username", "")
    try:
        services.user_unlock(actor=request.user, username=username, ip=_ip(request))
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("账号「%(name)s」已解除锁定。") % {"name": username})
    return _back_to_list(request)


@login_required
@require_POST
def user_reset_otp(request: HttpRequest, pk: int) -> HttpResponse:
    _require(policies.signin_guard(request.user))
    user = get_in_scope(selectors.user_scope(request.user), pk=pk)
    services.user_reset_second_factor(actor=request.user, user=user, ip=_ip(request))
    messages.success(request, _("已重置「%(name)s」的动态口令，其下次登录时需重新绑定。") % {"name": user.username})
    return _back_to_list(request)


# --- every account's API tokens (the security officer) ------------------------------------------------

@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """All accounts' API tokens (接口令牌) with owner, expiry and status; the security officer revokes."""
    _require(policies.apitoken_overseer(request.user))
    filters = TokenFilterForm(request.GET or None)
    owner = status = ""
    if filters.is_valid():
        owner, status = filters.cleaned_data["owner"].strip(), filters.cleaned_data["status"]
    page = Paginator(selectors.apitoken_overview(user=request.user, owner=owner, status=status), 50).get_page(
        request.GET.get("page"))
    params = {k: v for k, v in (("owner", owner), ("status", status)) if v}
    return render(request, "org/token_list.html", {
        "breadcrumbs": [(_("账号管理"), reverse("org:user_list")), (_("接口令牌"), None)],
        "filters": filters,
        "page": page,
        "revoke_form": TokenRevokeForm(),
        "query_string": urlencode(params),
    })


@login_required
@require_POST
def token_admin_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The security officer revokes any account's token, with an optional reason (audited)."""
    _require(policies.apitoken_overseer(request.user))
    token = get_in_scope(selectors.apitoken_scope(request.user).select_related("user"), pk=pk)
    form = TokenRevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.apitoken_revoke(actor=request.user, token=token, reason=reason, ip=_ip(request))
    messages.success(request, _("已吊销「%(owner)s」的令牌「%(name)s」。") % {
        "owner": token.user.username, "name": token.name})
    target = request.POST.get("next") or ""
    return redirect(target if target.startswith(reverse("org:token_list")) else "org:token_list")
