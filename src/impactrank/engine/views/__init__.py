"""Views and comparisons: an edition's lists as a reader browses them (overall, SDG, country, group), one
institution's scores explained, and one edition set against another."""
