"""The pure GraphQL engine: metadata types, validation, schema building, planning and execution.

Never imports Django, `relationships` or `console`: it receives a metadata snapshot, data-source
connections and an HTTP transport, and returns plain data.
"""
