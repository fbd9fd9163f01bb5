from django.urls import path

from gaizao.documents import views

app_name = "documents"

urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/<str:kind>/current.docx", views.template_current, name="template_current"),
    path("templates/<str:kind>/default.docx", views.template_default, name="template_default"),
    path("templates/<str:kind>/preview.docx", views.template_preview, name="template_preview"),
    path("templates/<str:kind>/upload/", views.template_upload, name="template_upload"),
    path("templates/<str:kind>/revert/", views.template_revert, name="template_revert"),
]
