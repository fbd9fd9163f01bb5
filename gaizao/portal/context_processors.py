from django.conf import settings

from gaizao.portal import navigation


def site(request):
    user = getattr(request, "user", None)
    return {
        "DISTRICT_NAME": settings.DISTRICT_NAME,
        "nav_items": navigation.items_for(user) if user is not None else [],
    }
