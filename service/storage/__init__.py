"""Storage: SQLAlchemy models and one DAO module per aggregate."""
