from django.urls import path

from onboarding.operations import views

app_name = "operations"
urlpatterns = [
    path("failures/", views.failure_list, name="failures"),
    path("failures/export.csv", views.failure_export, name="export"),
    path("failures/bulk/", views.failure_bulk, name="bulk"),
    path("failures/<int:pk>/", views.failure_detail, name="failure"),
    path("failures/<int:pk>/act/", views.failure_act, name="act"),
    path("cases/<int:pk>/erase/", views.case_erase_view, name="erase"),
]
