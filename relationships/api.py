"""HTTP endpoints of the metadata store: ``POST /v1/metadata`` and ``POST /v2/query``.

Views are thin: resolve the caller, hand the body to ``relationships.services``, render the result.
Every failure is rendered by ``exception_handler`` in Hasura's ``{"error", "path", "code"}`` shape.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions as drf_exceptions
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.errors import Code, EngineError
from relationships import services
from relationships.auth import require_admin, session_from_headers

logger = logging.getLogger("joinery")


def too_large_message() -> str:
    """What a caller whose body is over ``MAX_REQUEST_BODY_BYTES`` is told."""
    return f"the request body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"


class JsonBodyParser(JSONParser):
    """DRF's JSON parser; a body nested too deeply for the decoder is a parse error too."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        """The decoded body."""
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise drf_exceptions.ParseError("the JSON is nested too deeply")


class JsonBodyRenderer(JSONRenderer):
    """DRF's JSON renderer; text that UTF-8 cannot hold (a lone surrogate a client sent) is escaped."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        """The body as JSON bytes."""
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return json.dumps(data, cls=self.encoder_class, ensure_ascii=True, separators=(",", ":")).encode()


class MetadataApi(APIView):
    """``POST /v1/metadata``: one Hasura metadata command (or a ``bulk``) per request."""

    parser_classes = [JsonBodyParser]
    renderer_classes = [JsonBodyRenderer]

    def post(self, request: Request) -> Response:
        """Run the command in the body."""
        require_admin(session_from_headers(request.headers))
        return Response(services.metadata_request_run(body=request.data))


class QueryApi(APIView):
    """``POST /v2/query``: ``run_sql`` (and ``bulk`` of it) against a source, for admins."""

    parser_classes = [JsonBodyParser]
    renderer_classes = [JsonBodyRenderer]

    def post(self, request: Request) -> Response:
        """Run the query command in the body."""
        require_admin(session_from_headers(request.headers))
        return Response(services.query_request_run(body=request.data))


def exception_handler(exc: Exception, context: Any) -> Response:
    """Render any failure of the metadata endpoints in Hasura's error shape."""
    if isinstance(exc, EngineError):
        return Response(exc.to_metadata_error(), status=exc.status)
    if isinstance(exc, RequestDataTooBig):
        return Response({"error": too_large_message(), "path": "$", "code": "request-too-large"}, status=413)
    if isinstance(exc, drf_exceptions.ParseError):
        body = {"error": f"Error in $: {exc.detail}", "path": "$", "code": Code.PARSE_FAILED}
        return Response(body, status=400)
    if isinstance(exc, drf_exceptions.APIException):
        body = {"error": str(exc.detail), "path": "$", "code": str(exc.default_code).replace("_", "-")}
        return Response(body, status=exc.status_code)
    logger.exception("metadata request failed")
    return Response({"error": "internal error", "path": "$", "code": Code.UNEXPECTED}, status=500)
