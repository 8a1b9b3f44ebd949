"""Thin views, one module per part; each module exposes `urlpatterns`, gathered in ../urls.py."""
