"""Scoring: a submission's metric rows to metric scores and SDG scores (normalisation, evidence rubrics, missing
values) and the scaling of SDG scores over a population; the methods that vary are registry entries."""
