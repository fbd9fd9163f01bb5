from gaizao.compensation.views import agreements, calculations, changes, publicity, schemes, valuations

app_name = "compensation"

urlpatterns = [*schemes.urlpatterns, *calculations.urlpatterns, *valuations.urlpatterns, *publicity.urlpatterns,
               *changes.urlpatterns, *agreements.urlpatterns]
