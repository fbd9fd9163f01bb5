"""Security headers (安全响应头) on every response: the Content-Security-Policy and the
browser-feature and cross-origin headers that Django's SecurityMiddleware does not set.

Django's own middleware already sends X-Content-Type-Options, Referrer-Policy,
Cross-Origin-Opener-Policy, HSTS (behind HTTPS) and X-Frame-Options; this one adds the rest, so
that an injected ``<script>`` or ``onerror=`` never runs even where escaping were to fail.

Django 5.2 has no CSP of its own (6.0 brings one) and django-csp would add a dependency and a
settings vocabulary for one fixed policy: a small middleware says it in a dozen lines.
"""

from __future__ import annotations

from django.conf import settings

# The pages load scripts from our own static files only (data comes in json_script blocks and
# data- attributes); ECharts runs without eval, htmx is told not to evaluate (allowEval false).
# style-src-attr stays open: ECharts writes its tooltips as HTML with style="..." attributes, and
# Tabler's markup and a few templates use them; a style attribute cannot run script. <style>
# elements are refused (style-src-elem), so htmx is told not to inject its indicator styles.
# style-src keeps 'unsafe-inline' only for browsers that predate the -elem/-attr split.
# img-src: data: for Tabler's inline SVG icons (in its CSS), blob: for ECharts' "save as image".
BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "style-src-elem": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Features no page uses. A file input with capture="environment" opens the phone's camera
# without the camera permission, so camera=() does not stop the cadre's visit photos.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb",
    )
)


def content_security_policy(*, extra_img_src=(), report_uri: str = "") -> str:
    """The policy as a header value; a district's tile server joins img-src only. Every page has
    this one policy, the API docs too (Swagger UI is served from our static files)."""
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    policy["img-src"] += list(extra_img_src)
    parts = [f"{name} {' '.join(sources)}" for name, sources in policy.items()]
    if report_uri:
        parts.append(f"report-uri {report_uri}")
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Adds the CSP, Permissions-Policy and Cross-Origin-Resource-Policy to every response
    (pages, API answers, downloads, static files), unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read per response (not once at start-up) so that override_settings in tests applies;
        # building the string costs microseconds.
        extra = getattr(settings, "CSP_EXTRA_IMG_SRC", [])
        tiles = getattr(settings, "MAP_TILES_ORIGIN", "")  # the map's offline tile server, when configured
        if tiles and tiles not in extra:
            extra = [*extra, tiles]
        report_uri = getattr(settings, "CSP_REPORT_URI", "")
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(extra_img_src=extra, report_uri=report_uri),
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
