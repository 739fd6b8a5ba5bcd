"""Form building blocks shared by the console's forms: open choice fields and repeatable rows.

Choice lists come from the live metadata and databases, but a form never judges a choice itself:
whatever is posted goes to the funnel, whose validation is the same for every entry point, and its
refusal is shown next to the field. So the choice fields here accept any value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.forms import formset_factory

EMPTY_CHOICE = ("", "—")
Choice = str | tuple[str, str]


class ConsoleForm(forms.Form):
    """A form whose labels read exactly as written (no trailing colon)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def current(self, name: str) -> str:
        """The field's posted value when bound, else its initial value, as text."""
        value = self[name].value()
        return "" if value is None else str(value)


class OpenChoiceField(forms.ChoiceField):
    """A select whose options are suggestions: any posted value is accepted."""

    def valid_value(self, value: Any) -> bool:
        return True


class OpenMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes whose options are suggestions: any posted values are accepted."""

    def valid_value(self, value: Any) -> bool:
        return True


def offer(field: forms.Field, choices: Iterable[Choice], current: str = "", *, blank: bool = True) -> None:
    """Give a choice field its options; a current value missing from them stays selectable."""
    pairs = [(c, c) if isinstance(c, str) else c for c in choices]
    if current and current not in {value for value, _ in pairs}:
        pairs.append((current, current))
    field.choices = [EMPTY_CHOICE, *pairs] if blank else pairs  # type: ignore[attr-defined]


def depends(
    field: forms.Field, url: str, on: Mapping[str, str], params: Mapping[str, str] | None = None
) -> None:
    """Let console.js refill the field's options from ``url`` when the fields ``on`` change.

    ``on`` maps a query parameter to the id of the element whose value it takes; ``params`` are fixed.
    """
    field.widget.attrs["data-choices"] = url
    field.widget.attrs["data-depends"] = " ".join(f"{param}={element}" for param, element in on.items())
    if params:
        field.widget.attrs["data-params"] = urlencode(params)


class RowForm(ConsoleForm):
    """One row of a repeatable group; a row left blank is ignored.

    Every row is validated, also one whose values equal its initial ones (which a formset would skip).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.empty_permitted = False

    def filled(self) -> bool:
        """True when the row was validated and holds at least one value."""
        data = getattr(self, "cleaned_data", None) or {}
        return any(value not in (None, "", False) for value in data.values())


def filled_rows(formset: forms.BaseFormSet) -> list[Any]:
    """The rows of a validated formset that hold values, in order."""
    return [row for row in formset.forms if row.filled()]


class MappingRowForm(RowForm):
    """A From/To pair of a join: a field (or column) on this side, a column on the other."""

    from_field = OpenChoiceField(label="From", required=False)
    to_column = OpenChoiceField(label="To", required=False)

    def __init__(
        self,
        *args: Any,
        from_choices: Iterable[Choice] = (),
        to_choices: Iterable[Choice] = (),
        from_depends: tuple[str, Mapping[str, str], Mapping[str, str]] | None = None,
        to_depends: tuple[str, Mapping[str, str], Mapping[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["from_field"], from_choices, self.current("from_field"))
        offer(self.fields["to_column"], to_choices, self.current("to_column"))
        if from_depends:
            depends(self.fields["from_field"], *from_depends)
        if to_depends:
            depends(self.fields["to_column"], *to_depends)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("from_field")) != bool(data.get("to_column")):
            raise forms.ValidationError("Choose both a From and a To, or leave the pair empty.")
        return data


class MappingFormSet(forms.BaseFormSet):
    """From/To pairs: at least one, and each From used once."""

    def clean(self) -> None:
        seen: set[str] = set()
        rows = [row for row in self.forms if row.is_valid() and row.filled()]
        for row in rows:
            source = row.cleaned_data["from_field"]
            if source in seen:
                row.add_error("from_field", f"{source} is already mapped in another pair.")
            seen.add(source)
        if not rows and not any(row.errors for row in self.forms):
            raise forms.ValidationError("Add at least one From/To pair.")

    def mapping(self) -> list[tuple[RowForm, str, str]]:
        """(row, from, to) of every filled pair."""
        return [
            (row, row.cleaned_data["from_field"], row.cleaned_data["to_column"]) for row in filled_rows(self)
        ]


MappingRows = formset_factory(MappingRowForm, formset=MappingFormSet, extra=1)


class HeaderRowForm(RowForm):
    """An outbound header: a literal value or the name of an environment variable."""

    name = forms.CharField(label="Header name", required=False)
    value = forms.CharField(label="Value", required=False)
    value_from = forms.ChoiceField(
        label="Value from", choices=[("value", "Value"), ("env", "Environment variable")], required=False
    )

    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return bool(data.get("name") or data.get("value"))

    def header(self) -> dict[str, str]:
        """The header configuration in Hasura's shape."""
        data = self.cleaned_data
        if data.get("value_from") == "env":
            return {"name": data["name"], "value_from_env": data["value"]}
        return {"name": data["name"], "value": data["value"]}

    @staticmethod
    def initial_for(header: Mapping[str, Any]) -> dict[str, str]:
        """The row's initial values for a stored header configuration."""
        if "value_from_env" in header:
            return {"name": header["name"], "value": header["value_from_env"], "value_from": "env"}
        return {"name": header["name"], "value": header.get("value", ""), "value_from": "value"}


HeaderRows = formset_factory(HeaderRowForm, extra=1)


class ArgumentRowForm(RowForm):
    """An argument of a remote field and its value: ``$name`` takes the value of a field or column."""

    argument = OpenChoiceField(label="Argument", required=False)
    value = forms.CharField(
        label="Value", required=False, widget=forms.TextInput(attrs={"placeholder": "$id"})
    )

    def __init__(
        self,
        *args: Any,
        argument_choices: Iterable[Choice] = (),
        argument_depends: tuple[str, Mapping[str, str], Mapping[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        offer(self.fields["argument"], argument_choices, self.current("argument"))
        if argument_depends:
            depends(self.fields["argument"], *argument_depends)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("argument")) != bool(data.get("value")):
            raise forms.ValidationError("Give both an argument and its value, or leave the row empty.")
        return data

    def template(self) -> Any:
        """The argument value: ``$name`` as written, JSON when it parses, else the text itself."""
        text = self.cleaned_data["value"].strip()
        if text.startswith("$"):
            return text
        try:
            return json.loads(text)
        except ValueError:
            return text


ArgumentRows = formset_factory(ArgumentRowForm, extra=1)


def template_variables(value: Any) -> Iterator[str]:
    """Every ``$name`` an argument value refers to, in order."""
    if isinstance(value, str) and value.startswith("$"):
        yield value[1:]
    elif isinstance(value, dict):
        for item in value.values():
            yield from template_variables(item)
    elif isinstance(value, list):
        for item in value:
            yield from template_variables(item)


def template_text(value: Any) -> str:
    """How a stored argument value is written in a row."""
    return value if isinstance(value, str) and value.startswith("$") else json.dumps(value)
