"""The catalogue: datasets and their versions, the indicators over them, and who may see what.

What a person may find in the Data Lab is decided here, once: the other slices and the other
labs look datasets, versions and indicators up through :mod:`.services` (``get_dataset``,
``visible_datasets``, ``get_version``, ``reading_version``, ``get_indicator``,
``visible_indicators``). Versions are published from here too: downloads in open formats, their
``datapackage.json``, and the public catalogue as DCAT.
"""
