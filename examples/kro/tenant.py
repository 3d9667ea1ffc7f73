"""kro's ``examples/saas-multi-tenant`` Tenant: one instance of each of the two tenant graphs.

The kinds come from the graphs themselves (``tenant_environment``,
``tenant_application``), so renaming one cannot leave this graph pointing at
a kind that no longer exists.
"""

from typing import Optional

import tenant_application
import tenant_environment

from pykro import Spec, resource, to_resource_graph


class TenantSpec(Spec):
    tenantId: Optional[str] = None  # kro leaves it optional
    image: str = "nginx"
    replicas: int = 2


def _instance(module, schema, spec):
    """An instance of the API of ``module``'s graph, named after the tenant."""
    api = module.graph.graph  # the built graph: its apiVersion and kind
    tenant = schema.spec.tenantId
    return resource(api.api_version, api.kind, tenant, labels={"name": tenant}, spec=spec)


graph = to_resource_graph(
    {"name": "tenant.kro.run", "apiVersion": "v1alpha1", "kind": "Tenant", "spec": TenantSpec},
    lambda schema: {
        "tenantEnvironment": _instance(tenant_environment, schema, {"tenantId": schema.spec.tenantId}),
        "tenantApplication": _instance(
            tenant_application,
            schema,
            {"tenantId": schema.spec.tenantId, "image": schema.spec.image, "replicas": schema.spec.replicas},
        ),
    },
)
