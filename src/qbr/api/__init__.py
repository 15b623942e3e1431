"""The HTTP API under /api/v1: app factory, authentication, errors as problem+json, lists and CSV output."""
