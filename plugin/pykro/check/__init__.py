"""Offline versions of the checks a cluster makes: kro's RGD CRD, and Kubernetes kinds' schemas.

These belong to ``pykro validate`` and to tests, never to a render: each
imports jsonschema (and pyyaml, or the optional Kubernetes schemas) on first
use, and rendering must stay fast on Argo CD's hot path.

- :func:`check_rgd` -- what the API server would refuse in a
  ResourceGraphDefinition: kro v0.9.3's CRD schema after defaulting, and the
  CRD's CEL rules (``old=`` for the immutability rules of updates).
- :func:`check_template` -- fields a Kubernetes kind does not have, or of the
  wrong type, in one resource template, ``${...}`` values allowed anywhere.
  Needs the extra ``pykro[kubernetes-schemas]``; raises
  :class:`SchemaUnavailable` (hint: what to install) without it.
- :func:`check_templates` -- :func:`check_template` on every template of an RGD.
"""

from __future__ import annotations

from typing import Any

from ._problem import Problem
from .crd import check_rgd
from .kubernetes import (
    SchemaUnavailable,
    _version_dir,
    check_template,
    has_schema,
    kubernetes_versions,
    problems_at,
    template_problems,
)

__all__ = [
    "Problem",
    "check_rgd",
    "check_template",
    "check_templates",
    "has_schema",
    "kubernetes_versions",
    "SchemaUnavailable",
]


def check_templates(rgd: dict[str, Any], *, kubernetes_version: str | None = None) -> list[Problem]:
    """:func:`check_template` on each ``spec.resources[i].template``, paths from the RGD's root.

    ``externalRef`` entries are skipped: they name objects, they do not write them.
    """
    spec = rgd.get("spec") if isinstance(rgd, dict) else None
    resources = spec.get("resources") if isinstance(spec, dict) else None
    _version_dir(kubernetes_version)  # raise SchemaUnavailable even when there is no template
    found: list[Problem] = []
    for index, resource in enumerate(resources if isinstance(resources, list) else ()):
        template = resource.get("template") if isinstance(resource, dict) else None
        if template is not None:
            where = ("spec", "resources", index, "template")
            found.extend(problems_at(where, template_problems(template, kubernetes_version)))
    return found
