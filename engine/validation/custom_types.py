"""Validation of the custom types, one object for all four kinds (reference §1.11).

Every problem is collected; the record's reason is Hasura's: one problem reads "validation for the
given custom types failed because <reason>", several are listed one per line. Types may be the
built-in scalars, declared types, or scalar types of a connected database (``uuid``, ``jsonb``, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.errors import Code
from engine.metadata import CustomObject, CustomTypes, TypeRelationship, base_type_name, is_list_type
from engine.metadata.reader import child_path
from engine.naming import BUILTIN_SCALARS
from engine.validation.objects import REASON_PREFIX, Inconsistency, Problem, custom_types_object, quoted
from engine.validation.state import ValidationState

FAILED = "validation for the given custom types failed"


def check_custom_types(state: ValidationState) -> None:
    """Validate the custom types; when they are inconsistent, actions see none."""
    custom_types = state.metadata.custom_types
    problems = custom_types_problems(state, custom_types)
    if problems:
        state.report(combined_inconsistency(custom_types, problems))
    else:
        state.custom_types = custom_types


def combined_inconsistency(custom_types: CustomTypes, problems: Sequence[Problem]) -> Inconsistency:
    """One record for all problems, located at the first one."""
    if len(problems) == 1:
        reason = f"{FAILED} because {problems[0].message}"
    else:
        reason = f"{FAILED} for the following reasons:\n" + "\n".join(f"  • {p.message}" for p in problems)
    obj = custom_types_object(custom_types)
    return Inconsistency(
        obj.object_id,
        obj.type,
        obj.name,
        obj.definition,
        REASON_PREFIX + reason,
        Code.INVALID_CONFIGURATION,
        problems[0].path,
        tuple(problems),
    )


def custom_types_problems(state: ValidationState, custom_types: CustomTypes) -> list[Problem]:
    """Every problem of the custom types, in Hasura's order."""
    checker = CustomTypesCheck(state, custom_types)
    return [
        *checker.duplicate_type_names(),
        *checker.enum_problems(),
        *checker.input_object_problems(),
        *checker.object_problems(),
    ]


def problem(message: str, path: str) -> Problem:
    """A custom types problem."""
    return Problem(message, Code.INVALID_CONFIGURATION, path)


def repeated(names: Sequence[str]) -> list[tuple[int, str]]:
    """(index, name) of every repetition of an earlier name."""
    return [(index, name) for index, name in enumerate(names) if name in names[:index]]


def listed(names: Sequence[str]) -> str:
    """Distinct names, sorted and quoted."""
    return ", ".join(quoted(name) for name in sorted(set(names)))


class CustomTypesCheck:
    """The rules of §1.11 over one set of custom types."""

    def __init__(self, state: ValidationState, custom_types: CustomTypes) -> None:
        self.state = state
        self.types = custom_types
        self.scalars = {*BUILTIN_SCALARS, *(s.name for s in custom_types.scalars), *state.database_scalars()}
        self.enums = {enum.name for enum in custom_types.enums}
        self.input_objects = {input_object.name for input_object in custom_types.input_objects}
        self.objects = {obj.name for obj in custom_types.objects}

    def duplicate_type_names(self) -> list[Problem]:
        """Type names are unique across the four kinds."""
        declared = [
            (item.name, f"$.{key}[{index}].name")
            for key, group in self.groups()
            for index, item in enumerate(group)
        ]
        again = repeated([name for name, _ in declared])
        if not again:
            return []
        return [
            problem(f"duplicate type names: {listed([name for _, name in again])}", declared[again[0][0]][1])
        ]

    def groups(self) -> tuple[tuple[str, Sequence[Any]], ...]:
        """The four kinds, keyed as in the definition."""
        types = self.types
        return (
            ("scalars", types.scalars),
            ("enums", types.enums),
            ("input_objects", types.input_objects),
            ("objects", types.objects),
        )

    def enum_problems(self) -> list[Problem]:
        """Enum values are unique within an enum."""
        problems = []
        for index, enum in enumerate(self.types.enums):
            again = repeated([value.value for value in enum.values])
            if again:
                message = (
                    f"the enum type {quoted(enum.name)} has duplicate values: {listed([v for _, v in again])}"
                )
                problems.append(problem(message, f"$.enums[{index}].values[{again[0][0]}].value"))
        return problems

    def input_object_problems(self) -> list[Problem]:
        """Input fields are unique and of scalar, enum or input object types."""
        problems = []
        allowed = self.scalars | self.enums | self.input_objects
        for index, input_object in enumerate(self.types.input_objects):
            base = f"$.input_objects[{index}]"
            again = repeated([field.name for field in input_object.fields])
            if again:
                message = f"the input object {quoted(input_object.name)} has duplicate fields: {listed([f for _, f in again])}"
                problems.append(problem(message, f"{base}.fields[{again[0][0]}].name"))
            for position, field in enumerate(input_object.fields):
                field_type = base_type_name(field.type)
                if field_type not in allowed:
                    message = (
                        f"the type {quoted(field_type)} for field {quoted(field.name)} in  input object type "
                        f"{quoted(input_object.name)} does not exist"
                    )
                    problems.append(problem(message, f"{base}.fields[{position}].type"))
        return problems

    def object_problems(self) -> list[Problem]:
        """Object fields and relationships (see ``object_type_problems``)."""
        problems = []
        for index, obj in enumerate(self.types.objects):
            problems += self.object_type_problems(obj, f"$.objects[{index}]")
        return problems

    def object_type_problems(self, obj: CustomObject, base: str) -> list[Problem]:
        """Unique field and relationship names, argument-less fields of known types, sound relationships."""
        problems = self.object_name_problems(obj, base)
        allowed = self.scalars | self.enums | self.objects
        for position, field in enumerate(obj.fields):
            if field.arguments is not None:
                problems.append(
                    problem(
                        f"the object {quoted(obj.name)} can't have arguments",
                        f"{base}.fields[{position}].arguments",
                    )
                )
            field_type = base_type_name(field.type)
            if field_type not in allowed:
                message = (
                    f"the type {quoted(field_type)} for field {quoted(field.name)} in  object type "
                    f"{quoted(obj.name)} does not exist"
                )
                problems.append(problem(message, f"{base}.fields[{position}].type"))
        if len({relationship.source for relationship in obj.relationships}) > 1:
            message = f"the object {quoted(obj.name)} has relationships refers to tables in multiple sources"
            return [*problems, problem(message, f"{base}.relationships")]
        for position, relationship in enumerate(obj.relationships):
            problems += self.relationship_problems(obj, relationship, f"{base}.relationships[{position}]")
        return problems

    def object_name_problems(self, obj: CustomObject, base: str) -> list[Problem]:
        """Field and relationship names of an object are unique together."""
        named = [(field.name, f"{base}.fields[{i}].name") for i, field in enumerate(obj.fields)]
        relationships = (*obj.relationships, *obj.remote_relationships)
        named += [(rel.name, f"{base}.relationships[{i}].name") for i, rel in enumerate(relationships)]
        again = repeated([name for name, _ in named])
        if not again:
            return []
        message = f"the object {quoted(obj.name)} has duplicate fields: {listed([name for _, name in again])}"
        return [problem(message, named[again[0][0]][1])]

    def relationship_problems(
        self, obj: CustomObject, relationship: TypeRelationship, base: str
    ) -> list[Problem]:
        """The target table is tracked in a healthy source; mapped fields and columns exist."""
        of = f"for relationship {quoted(relationship.name)}"
        table = self.state.table(relationship.source, relationship.remote_table)
        if table is None:
            where = "source" if relationship.source not in self.state.sources else "remote_table"
            message = (
                f"the remote table {quoted(relationship.remote_table)} {of} of object type "
                f"{quoted(obj.name)} does not exist"
            )
            return [problem(message, f"{base}.{where}")]
        problems = []
        for field_name, column in relationship.field_mapping.items():
            path = child_path(f"{base}.field_mapping", field_name)
            fields = self.types.field_path(obj, field_name)
            if fields is None:
                message = (
                    f"the field {quoted(field_name)} {of} in object type {quoted(obj.name)} does not exist"
                )
                problems.append(problem(message, path))
            elif "." in field_name and self.types.object(base_type_name(fields[-1].type)) is not None:
                message = (
                    f"the field {quoted(field_name)} {of} in object type {quoted(obj.name)} is an object"
                )
                problems.append(problem(message, path))
            elif any(is_list_type(field.type) for field in fields) and not self.takes_list_key(relationship):
                message = f"the type of the field {quoted(field_name)} {of} in object type {quoted(obj.name)} is a list type"
                if relationship.type == "array":
                    message += "; a list of keys needs a field mapping of one field"
                problems.append(problem(message, path))
            if not table.has_column(column):
                message = (
                    f"the column {quoted(column)} of remote table {quoted(relationship.remote_table)} {of} "
                    f"of object type {quoted(obj.name)} does not exist"
                )
                problems.append(problem(message, path))
        return problems

    @staticmethod
    def takes_list_key(relationship: TypeRelationship) -> bool:
        """A list of keys (rows whose column is in the list) suits an array relationship on one field."""
        return relationship.type == "array" and len(relationship.field_mapping) == 1
