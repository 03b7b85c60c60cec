from django.urls import path

from okrs import views

app_name = "okrs"

urlpatterns = [
    path("objectives/new/", views.objective_create, name="objective-create"),
    path("objectives/<int:pk>/edit/", views.objective_update, name="objective-update"),
    path("objectives/<int:pk>/key-results/new/", views.key_result_create, name="key-result-create"),
    path("key-results/<int:pk>/edit/", views.key_result_update, name="key-result-update"),
    path("key-results/<int:pk>/check-ins/", views.check_in_create, name="check-in-create"),
]
