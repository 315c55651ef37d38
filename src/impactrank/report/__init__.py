"""Narratives (French and English) and reports built from the engine's views and comparisons."""
