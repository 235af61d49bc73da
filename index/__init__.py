"""The news index: FAISS vectors plus SQLite metadata and full text, in published generations.

This package imports neither ``ingest`` nor ``bot``; both depend on it.
"""
