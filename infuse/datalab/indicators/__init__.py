"""Indicators: measures defined over a dataset, computed per council and period in the
background, published with disclosure control, charted (trend, funnel) and flagged.

Looking an indicator up (``get_indicator``, ``visible_indicators``) is the catalogue's, where
every visibility rule lives; this slice defines, computes, protects and publishes.
"""
