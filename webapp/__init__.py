"""The explorer and JSON API."""
