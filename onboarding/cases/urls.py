from django.urls import path

from onboarding.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_overview, name="overview"),
    path("<int:pk>/resume/", views.case_resume, name="resume"),
    path("<int:pk>/history/", views.case_history, name="history"),
    path("<int:pk>/discard/", views.case_discard_view, name="discard"),
    path("<int:pk>/reassign/", views.case_reassign_view, name="reassign"),
    path("<int:pk>/review/", views.case_review, name="review"),
    path("<int:pk>/contact/", views.case_contact_decide, name="contact"),
    path("<int:pk>/matches/", views.case_matches, name="matches"),
    path("<int:pk>/cities/", views.case_cities, name="cities"),
    path("<int:pk>/<slug:section>/", views.case_section, name="section"),
]
