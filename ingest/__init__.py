"""The ingest job: sources -> clean articles -> entities and moves -> chunks -> index generation."""
