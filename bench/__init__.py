"""Benchmarks, run with ``make bench`` (``python -m bench``).

Each benchmark is a module listed in ``bench.__main__.BENCHMARKS`` with a ``run()`` that prints
its figures, each as a median, its range over the rounds and a ratio to a named goal
(``bench/report.py``), and returns them, so that ``python -m bench`` ends with one table of
them all. They run against a throwaway database made for the run: PostgreSQL
(a ``<name>_bench`` database beside DATABASE_URL's) when DATABASE_URL is set, otherwise a
SQLite file in a temporary folder. The cache is the project's own (Redis when REDIS_URL is set).
"""
