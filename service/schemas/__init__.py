"""marshmallow schemas, one module per resource (kept apart from the ORM models)."""
