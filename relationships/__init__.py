"""The metadata store: models, admin, services (all writes), selectors (all reads) and the metadata API."""
