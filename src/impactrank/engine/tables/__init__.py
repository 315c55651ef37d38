"""Tables: the `Edition` every later layer reads, the overall score from SDG scores, the average with previous
editions, ranks, ties and bands, and what a reader may see of a row."""
