"""Relationships on remote schema types, including inference of an omitted type_name."""

import pytest

from engine.metadata import TypeRelationships
from engine.metadata.reader import Node
from engine.validation import (
    RemoteTypeInferenceError,
    infer_remote_relationship_type,
    remote_schema_relationship_id,
    validate_metadata,
)
from tests.engine.validation.builders import (
    ORDERS_SDL,
    catalog,
    column,
    environment,
    metadata,
    schema,
    source,
    summary,
    table_info,
)

PG1 = catalog("pg1", table_info("user", column("id"), column("name", "text")))
SEED_004_RELATIONSHIP = {
    "name": "user",
    "definition": {
        "to_source": {
            "relationship_type": "object",
            "source": "pg1",
            "table": {"schema": "public", "name": "user"},
            "field_mapping": {"user_id": "id"},
        }
    },
}
RICH_SDL = """
type Order { id: ID!  user_id: Int!  lines(first: Int): [Line!]!  tags: [String!]  total(currency: String): Float }
type Line { id: ID!  order_id: ID! }
input OrderFilter { id: ID }
type Query { orders: [Order!]!  order(id: ID!): Order }
"""


def group(*relationships, type_name="Order"):
    out = {"relationships": list(relationships)}
    if type_name is not None:
        out["type_name"] = type_name
    return out


def validate(*groups, sdl=ORDERS_SDL):
    md = metadata(
        sources=[source("pg1", {"table": "user"})],
        remote_schemas=[
            {
                "name": "order-remote-schema",
                "definition": {"url": "http://orders"},
                "remote_relationships": list(groups),
            }
        ],
    )
    return validate_metadata(md, environment(PG1, remote_schemas={"order-remote-schema": schema(sdl)}))


def reasons(found):
    return [(i.reason, i.code, i.path) for i in found]


PREFIX = 'Inconsistent object: in remote schema "order-remote-schema": in remote relationship "user": '


@pytest.mark.parametrize("type_name", ["Order", None])
def test_seed_004_relationship_validates_clean(type_name):
    assert validate(group(SEED_004_RELATIONSHIP, type_name=type_name)) == []


def test_type_is_inferred_from_the_join_fields():
    relationships = TypeRelationships.parse(Node(group(SEED_004_RELATIONSHIP, type_name=None)))

    assert infer_remote_relationship_type(schema(ORDERS_SDL), relationships) == "Order"


def test_inference_needs_exactly_one_candidate():
    by_id = TypeRelationships.parse(
        Node(
            group(
                {
                    **SEED_004_RELATIONSHIP,
                    "definition": {
                        "to_source": {
                            **SEED_004_RELATIONSHIP["definition"]["to_source"],
                            "field_mapping": {"id": "id"},
                        }
                    },
                },
                type_name=None,
            )
        )
    )
    by_sku = TypeRelationships.parse(
        Node(
            group(
                {
                    **SEED_004_RELATIONSHIP,
                    "definition": {
                        "to_source": {
                            **SEED_004_RELATIONSHIP["definition"]["to_source"],
                            "field_mapping": {"sku": "id"},
                        }
                    },
                },
                type_name=None,
            )
        )
    )

    with pytest.raises(RemoteTypeInferenceError) as several:
        infer_remote_relationship_type(schema(RICH_SDL), by_id)
    with pytest.raises(RemoteTypeInferenceError) as none:
        infer_remote_relationship_type(schema(RICH_SDL), by_sku)

    assert (
        str(several.value)
        == 'the object types "Order", "Line" all have the join fields "id"; set type_name to choose one'
    )
    assert several.value.code == "invalid-params"
    assert (
        str(none.value) == 'no object type of the remote schema has all the join fields "sku"; set type_name'
    )
    assert none.value.code == "not-found"


def test_failed_inference_makes_the_relationship_inconsistent():
    relationship = {
        **SEED_004_RELATIONSHIP,
        "definition": {
            "to_source": {**SEED_004_RELATIONSHIP["definition"]["to_source"], "field_mapping": {"id": "id"}}
        },
    }
    found = validate(group(relationship, type_name=None), sdl=RICH_SDL)

    assert summary(found) == [
        (
            remote_schema_relationship_id("order-remote-schema", None, "user"),
            "remote_schema_remote_relationship",
            "remote_schema_remote_relationship user in remote schema order-remote-schema",
            PREFIX
            + 'cannot infer the type of the relationship: the object types "Order", "Line" all have the join '
            'fields "id"; set type_name to choose one',
            "invalid-params",
            "$.type_name",
        )
    ]


@pytest.mark.parametrize(
    ("type_name", "detail", "code"),
    [
        ("Invoice", 'no such type defined in remote schema: "Invoice"', "not-found"),
        (
            "OrderFilter",
            "remote relationships on a remote schema can only be defined on object types",
            "not-supported",
        ),
    ],
)
def test_type_must_exist_and_be_an_object_type(type_name, detail, code):
    found = validate(group(SEED_004_RELATIONSHIP, type_name=type_name), sdl=RICH_SDL)

    assert summary(found) == [
        (
            remote_schema_relationship_id("order-remote-schema", type_name, "user"),
            "remote_schema_remote_relationship",
            f"remote_schema_remote_relationship user on type {type_name} in remote schema order-remote-schema",
            PREFIX + detail,
            code,
            "$.type_name",
        )
    ]
    assert found[0].definition == {
        "remote_schema": "order-remote-schema",
        "type_name": type_name,
        **SEED_004_RELATIONSHIP,
    }


def to_source_mapping(field_mapping, **changes):
    target = {**SEED_004_RELATIONSHIP["definition"]["to_source"], "field_mapping": field_mapping, **changes}
    return {"name": "user", "definition": {"to_source": target}}


@pytest.mark.parametrize(
    ("field", "detail"),
    [
        ("buyer_id", 'field with name "buyer_id" not found in type "Order"'),
        ("total", 'field "total" of type "Order" takes arguments, so it cannot be a join field'),
        (
            "tags",
            'field "tags" of type "Order" is not of a scalar or enum type, so it cannot be a join field',
        ),
    ],
)
def test_join_fields_are_argument_less_scalar_fields(field, detail):
    found = validate(group(to_source_mapping({field: "id"})), sdl=RICH_SDL)

    assert reasons(found) == [
        (PREFIX + detail, "remote-schema-error", f"$.definition.to_source.field_mapping.{field}")
    ]


def test_to_source_target_is_checked_as_for_tables():
    found = validate(
        group(
            to_source_mapping({"user_id": "uid"}),
            {**to_source_mapping({"user_id": "id"}, source="pg2"), "name": "buyer"},
        )
    )

    assert reasons(found) == [
        (
            PREFIX + 'column "uid" does not exist in table "user"',
            "not-exists",
            "$.definition.to_source.field_mapping.user_id",
        ),
        (
            'Inconsistent object: in remote schema "order-remote-schema": in remote relationship "buyer": source not found: "pg2"',
            "not-found",
            "$.definition.to_source.source",
        ),
    ]


def test_to_remote_schema_may_target_the_same_remote_schema():
    def to_self(remote_field, lhs_fields=("id",)):
        target = {
            "remote_schema": "order-remote-schema",
            "lhs_fields": list(lhs_fields),
            "remote_field": remote_field,
        }
        return {"name": "user", "definition": {"to_remote_schema": target}}

    healthy = validate(
        group(to_self({"order": {"arguments": {"id": "$id"}}}, lhs_fields=["id"])), sdl=RICH_SDL
    )
    broken = validate(
        group(to_self({"order": {"arguments": {"id": "$order_id"}}}, lhs_fields=["lines"])), sdl=RICH_SDL
    )

    assert healthy == []
    assert reasons(broken) == [
        (
            PREFIX + 'field "lines" of type "Order" takes arguments, so it cannot be a join field',
            "remote-schema-error",
            "$.definition.to_remote_schema.lhs_fields[0]",
        ),
        (
            PREFIX + 'variable "order_id" is not found',
            "remote-schema-error",
            "$.definition.to_remote_schema.remote_field.order.arguments.id",
        ),
    ]


def test_names_are_unique_per_type_and_do_not_shadow_fields():
    found = validate(
        group(SEED_004_RELATIONSHIP, SEED_004_RELATIONSHIP, {**SEED_004_RELATIONSHIP, "name": "id"})
    )

    assert reasons(found) == [
        (
            "Inconsistent object: multiple definitions for remote_schema_remote_relationship user on type Order "
            "in remote schema order-remote-schema",
            "already-exists",
            "$.name",
        ),
        (
            'Inconsistent object: in remote schema "order-remote-schema": in remote relationship "id": '
            'field "id" already exists in type "Order"',
            "already-exists",
            "$.name",
        ),
    ]
