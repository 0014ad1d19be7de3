from django.urls import path

from onboarding.documents import views

app_name = "documents"
urlpatterns = [
    path("<uuid:uid>/", views.document_file, name="file"),
    path("<uuid:uid>/preview/<int:page>/", views.document_preview, name="preview"),
    path("<uuid:uid>/thumbnail/<int:page>/", views.document_thumbnail, name="thumbnail"),
]
