from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("measurements/import/", views.measurement_import, name="measurement-import"),
    path("new/", views.kpi_create, name="kpi-create"),
    path("<int:pk>/edit/", views.kpi_update, name="kpi-update"),
    path("guardrails/new/<int:key_result_pk>/", views.guardrail_create, name="guardrail-create"),
    path("guardrails/<int:pk>/delete/", views.guardrail_delete, name="guardrail-delete"),
]
