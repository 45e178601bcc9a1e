"""One module per resource: a Blueprint with a collection view and an item view."""
