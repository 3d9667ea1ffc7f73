"""kro's ``examples/defaults``: a schema-only graph showing SimpleSchema defaults.

No resources: the point is the instance CRD, where every default below is
filled in by the API server. ``required`` has no default, so it is required;
``name`` and ``config.field`` are optional and have no default, as in kro's
RGD.
"""

from typing import Optional

from pykro import Spec, to_resource_graph


class Config(Spec):
    field: Optional[str]
    field2: int = 200
    field3: int = 2002


class SomethingSpec(Spec):
    name: Optional[str]
    elements: list[str] = ["a", "b", "c", "d"]
    required: int
    element: str = "e"
    enabled: bool = True
    number: int = 100
    config: Config


graph = to_resource_graph(
    {"name": "somethings.kro.run", "apiVersion": "v1alpha1", "kind": "Something", "spec": SomethingSpec},
    lambda schema: {},
)
