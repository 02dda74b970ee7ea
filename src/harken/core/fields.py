"""Model fields that keep their value encrypted in the database."""

from __future__ import annotations

from typing import Any

from django.db import models

from harken.core.crypto import decrypt_json, encrypt_json


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token; readable only with the encryption key.

    Not searchable or indexable by design: secrets are fetched by their row, never by value.
    """

    description = "JSON encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return decrypt_json(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return encrypt_json(value)
