"""Factories: functions that return :class:`~pykro.resources.Resource` objects."""

from . import simple
from .generic import external_ref, manifest, resource, yaml_file, yaml_files

__all__ = ["simple", "resource", "manifest", "external_ref", "yaml_file", "yaml_files"]
