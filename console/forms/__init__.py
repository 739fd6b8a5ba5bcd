"""Console forms: each turns its fields into metadata commands and submits them through the funnel."""
