from django.urls import path

from okrs import views, views_lifecycle, views_reviews

app_name = "okrs"

urlpatterns = [
    path("objectives/new/", views.objective_create, name="objective-create"),
    path("objectives/<int:pk>/edit/", views.objective_update, name="objective-update"),
    path("objectives/<int:pk>/key-results/new/", views.key_result_create, name="key-result-create"),
    path("key-results/<int:pk>/edit/", views.key_result_update, name="key-result-update"),
    path("key-results/<int:pk>/check-ins/", views.check_in_create, name="check-in-create"),
    path("objectives/<int:pk>/lifecycle/", views_lifecycle.objective_lifecycle, name="objective-lifecycle"),
    path("objectives/<int:pk>/state/", views_lifecycle.objective_transition, name="objective-transition"),
    path("objectives/<int:pk>/reopen/", views_lifecycle.objective_reopen, name="objective-reopen"),
    path("key-results/<int:pk>/score/", views_lifecycle.key_result_score, name="key-result-score"),
    path("cycles/<int:pk>/close/", views_lifecycle.cycle_close, name="cycle-close"),
    path("cycles/<int:pk>/summary/", views_lifecycle.cycle_summary, name="cycle-summary"),
    path("objectives/<int:pk>/review/", views_reviews.objective_review, name="objective-review"),
    path("objectives/<int:pk>/reviewers/", views_reviews.objective_reviewers, name="objective-reviewers"),
    path(
        "objectives/<int:pk>/review/submit/",
        views_reviews.objective_review_submit,
        name="objective-review-submit",
    ),
    path(
        "objectives/<int:pk>/review/decide/",
        views_reviews.objective_review_decide,
        name="objective-review-decide",
    ),
]
