from django.urls import path

from onboarding.documents import case_views as views

app_name = "case_documents"
urlpatterns = [
    path("<int:pk>/documents/", views.case_documents, name="page"),
    path("<int:pk>/documents/attach/", views.document_upload, name="upload"),
    path("<int:pk>/documents/consent/", views.consent_record_view, name="consent"),
    path("<int:pk>/documents/<uuid:uid>/remove/", views.document_remove_view, name="remove"),
    path("<int:pk>/documents/<uuid:uid>/undo/", views.document_restore_view, name="restore"),
]
