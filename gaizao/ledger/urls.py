from django.urls import include, path

from gaizao.ledger import views
from gaizao.ledger.views import known as known_views

app_name = "ledger"

urlpatterns = [
    path("villages/", views.village_list, name="village_list"),
    path("villages/new/", views.village_create, name="village_create"),
    path("villages/<int:pk>/", views.village_detail, name="village_detail"),
    path("villages/<int:pk>/edit/", views.village_edit, name="village_edit"),
    path("villages/<int:village_pk>/projects/new/", views.project_create, name="project_create"),
    path("villages/<int:village_pk>/heritage/new/", views.heritage_create, name="heritage_create"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:project_pk>/households/new/", views.household_create, name="household_create"),
    path("households/", views.household_list, name="household_list"),
    path("households/assign-cadre/", views.household_assign_cadre, name="household_assign_cadre"),
    path("households/cadre-options/", views.cadre_options, name="cadre_options"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/resident/", views.household_resident, name="household_resident"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<int:household_pk>/persons/new/", views.person_create, name="person_create"),
    path("households/<int:household_pk>/buildings/new/", views.building_create, name="building_create"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building_edit"),
    path("buildings/<int:pk>/demolish/", views.building_demolish, name="building_demolish"),
    path("heritage/<int:pk>/", views.heritage_detail, name="heritage_detail"),
    path("heritage/<int:pk>/edit/", views.heritage_edit, name="heritage_edit"),
    path("heritage/<int:pk>/photo/", views.heritage_photo, name="heritage_photo"),
    path("my-household/", views.my_household, name="my_household"),
    path("known-values/", known_views.known_values, name="known_values"),
    path("import/", include("gaizao.ledger.importing.urls")),
]
