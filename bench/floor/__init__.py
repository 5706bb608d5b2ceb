"""The floor the mood API is measured against: a separate, minimal Django project (no
middleware, no apps but DRF) on the same database. See ``views.py``."""
