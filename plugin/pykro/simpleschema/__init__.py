"""kro's SimpleSchema: ``field: "type | markers"`` mappings, exactly as kro v0.9 parses them.

:func:`to_openapi` turns the ``schema.spec`` (and ``schema.types``) of a
ResourceGraphDefinition into the OpenAPI v3 schema kro puts in the instance
CRD, rejecting with :class:`pykro.errors.SchemaError` whatever kro rejects.
:func:`apply_defaults` and :func:`validate_values` then play the API server's
part for instance values: structural defaulting and schema validation.

Layout follows kro's ``pkg/simpleschema``: ``parse`` (type strings),
``markers`` (one function per marker), ``types`` (the AST), ``transform``
(custom types and objects), plus ``values`` (admission of instance values).
Spec: https://kro.run/api/specifications/simple-schema
"""

from __future__ import annotations

from pykro.simpleschema.markers import Marker
from pykro.simpleschema.parse import Field, parse_field
from pykro.simpleschema.transform import to_openapi
from pykro.simpleschema.values import ValuesProblem, apply_defaults, validate_values

__all__ = [
    "Field",
    "Marker",
    "ValuesProblem",
    "apply_defaults",
    "parse_field",
    "to_openapi",
    "validate_values",
]
