"""The GraphQL schema of a role, generated from metadata: types, root fields and what each field means."""

from engine.schema.builder import build_gateway_schema
from engine.schema.model import GatewaySchema
from engine.schema.tables_model import ADMIN_ROLE

__all__ = ["ADMIN_ROLE", "GatewaySchema", "build_gateway_schema"]
