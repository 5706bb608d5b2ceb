from __future__ import annotations

from django.urls import path

from console.reports import views

urlpatterns = [
    path("service/reports/", views.index, name="reports"),
    path("service/reports/fidelity/", views.fidelity, name="reports-fidelity"),
    path("service/reports/fidelity.csv", views.fidelity_csv, name="reports-fidelity-csv"),
    path("service/reports/outcomes/", views.outcomes, name="reports-outcomes"),
    path("service/reports/outcomes.csv", views.outcomes_csv, name="reports-outcomes-csv"),
    path("service/reports/dataset.csv", views.dataset_csv, name="reports-dataset-csv"),
]
