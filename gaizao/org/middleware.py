"""Second factor for privileged roles (等保: two-factor for privileged users)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# Paths a signed-in user who still owes a second factor may reach.
_OPEN_PREFIXES = ("/account/otp/", "/account/logout/", "/static/", "/healthz", "/i18n/")
# Pages under /api/ that a person opens in the browser (the API's docs).
_API_PAGES = ("/api/docs",)


class RequireSecondFactorMiddleware:
    """Admin and commander accounts reach nothing but the TOTP pages until they are verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.needs_second_factor
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            # the API answers in JSON; its docs page is a page like any other (to the code page, then back)
            if request.path.startswith("/api/") and not request.path.startswith(_API_PAGES):
                return JsonResponse({"message": "该账号须先完成双因素认证（动态口令）。", "fields": {}}, status=403)
            return redirect(reverse("org:otp") + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
