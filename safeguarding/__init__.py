"""Safeguarding performance dashboard: store, metrics, statistics and exports.

Nothing in this package imports Streamlit, so the command line, exports and tests use it directly.
"""

__version__ = "0.1.0"
