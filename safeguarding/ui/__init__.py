"""Streamlit-facing helpers shared by dashboard.py and pages/ (the rest of the package has no
Streamlit)."""
