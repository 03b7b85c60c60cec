from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective-detail"),
]
