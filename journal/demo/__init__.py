"""A realistic demo school for ``manage.py seed_demo``: names, curriculum and the builder."""
