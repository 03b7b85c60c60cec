from django.urls import path, register_converter

from insights import views

app_name = "insights"


class ExportExtension:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportExtension, "export")

urlpatterns = [
    path("data-quality/", views.data_quality, name="data-quality"),
    path("initiatives/", views.initiative_list, name="initiative-list"),
    path("initiatives/new/", views.initiative_create, name="initiative-create"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative-detail"),
    path("initiatives/<int:pk>/edit/", views.initiative_update, name="initiative-update"),
    path("initiatives/<int:pk>/delete/", views.initiative_delete, name="initiative-delete"),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/new/", views.review_create, name="review-create"),
    path("reviews/<int:pk>/", views.review_detail, name="review-detail"),
    path("reviews/<int:pk>/notes/", views.review_notes, name="review-notes"),
    path("reviews/<int:pk>/agenda/", views.review_action, name="review-action"),
    path("reviews/<int:pk>/action-items/", views.action_item_create, name="action-item-create"),
    path(
        "reviews/<int:pk>/action-items/<int:item_pk>/toggle/",
        views.action_item_toggle,
        name="action-item-toggle",
    ),
    path("reviews/<int:pk>/export.<export:extension>", views.review_export, name="review-export"),
]
