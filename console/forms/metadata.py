"""Metadata forms: import (replace the whole metadata with an exported document)."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from console.forms.fields import ConsoleForm
from console.forms.submit import Command, Target, run_metadata


class ImportForm(ConsoleForm):
    """Replace the whole metadata with an exported JSON document."""

    metadata_file = forms.FileField(label="Metadata file (JSON)")
    allow_inconsistent = forms.BooleanField(label="Allow inconsistent metadata", required=False)

    def clean_metadata_file(self) -> Any:
        upload = self.cleaned_data["metadata_file"]
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise forms.ValidationError(f"The file is not a JSON document: {error}")

    def save(self) -> Any | None:
        """``replace_metadata`` (version 2); its response, or None when refused."""
        args = {
            "allow_inconsistent_metadata": self.cleaned_data["allow_inconsistent"],
            "metadata": self.cleaned_data["metadata_file"],
        }
        target = Target(self, "metadata_file")
        return run_metadata([Command("replace_metadata", args, {"$": target}, version=2)], target)
