"""The demo: every seed example, served by this server.

A SQLite database (the source ``default``: ``users``, ``user``, ``author``, ``article``), three action
handlers (``createUser``, ``updateAuthor``, ``insertAuthor``) and two remote GraphQL services (an order
service and an Auth0-like profile service) live under ``/demo/``; ``manage.py demo setup`` creates the
database and registers the metadata that joins them. ``DEMO=0`` turns all of it off.
"""
