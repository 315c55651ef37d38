"""Published editions: THE's overall score recomputed from its own tables by interval arithmetic, the rule that
made an edition (single year or two-year average), an imported score explained, and the audit of the tables."""
