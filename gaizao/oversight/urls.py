from gaizao.oversight.views import assessment, bulletins, inspections, orders, records

app_name = "oversight"

urlpatterns = [*orders.urlpatterns, *inspections.urlpatterns, *assessment.urlpatterns, *records.urlpatterns,
               *bulletins.urlpatterns]
