"""Scenarios: what-if and advice for one institution, on a built edition (rebuilt with changed submissions) and
on a published one (THE's reproduced rule on interval arithmetic)."""
