from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("measurements/import/", views.measurement_import, name="measurement-import"),
    path("new/", views.kpi_create, name="kpi-create"),
    path("<int:pk>/edit/", views.kpi_update, name="kpi-update"),
]
