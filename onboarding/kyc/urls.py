from django.urls import path

from onboarding.kyc import views

app_name = "kyc"
urlpatterns = [
    path("", views.review_queue, name="queue"),
    path("figures/", views.review_figures_view, name="figures"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/take/", views.review_take, name="take"),
    path("reviews/<int:pk>/decide/", views.review_decide, name="decide"),
    path(
        "reviews/<int:pk>/documents/<uuid:uid>/check/",
        views.review_document_check,
        name="check",
    ),
    path("reviews/<int:pk>/hits/<int:hit_pk>/", views.review_hit, name="hit"),
]
