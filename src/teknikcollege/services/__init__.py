"""The services: one concern each, plain functions over a unit of work.

Each takes the :class:`~teknikcollege.bootstrap.Dependencies` it needs and a
:class:`~teknikcollege.unit_of_work.UnitOfWork` (or a way to open one, where it commits
in steps); :class:`~teknikcollege.Registry` is the thin front that calls them.
"""
