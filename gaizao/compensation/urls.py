from gaizao.compensation.views import agreements, changes, publicity, schemes, valuations

app_name = "compensation"

urlpatterns = [*schemes.urlpatterns, *valuations.urlpatterns, *publicity.urlpatterns, *changes.urlpatterns,
               *agreements.urlpatterns]
