"""Ingest: uploads become immutable versions.

A file is kept as it came (by SHA-256) and ingested in the background: read safely whatever its
format and encoding (``readers`` and the modules it draws on), typed (``inference``), written
as Parquet (``convert``), checked against the dataset's declared schema (``checks``,
``validation``; invalid rows rejected or quarantined), profiled, and only then made a version —
which queues the dataset's indicators again.
"""
