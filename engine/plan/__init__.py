"""Planning: a validated GraphQL operation becomes a tree of SQL selects, action calls and joins (no I/O)."""
