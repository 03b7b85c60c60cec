from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("measurements/import/", views.measurement_import, name="measurement-import"),
]
