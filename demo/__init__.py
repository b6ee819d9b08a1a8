"""The demo school of ``manage.py seed_demo`` and the benchmarks that run on it.

Nothing in the production apps imports this package: it builds data through their models and
services, and times their pages.
"""
