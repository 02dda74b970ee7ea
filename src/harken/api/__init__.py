"""The JSON API (``/api/v1/``): personal access tokens, the operations over workspace data
that the pages offer, their OpenAPI schema and docs page, and streaming exports."""
