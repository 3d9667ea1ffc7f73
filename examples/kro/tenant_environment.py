"""kro's ``examples/saas-multi-tenant`` TenantEnvironment: a tenant's namespace and its fences.

A Namespace named after the tenant, a ResourceQuota capping what it may
request, and a NetworkPolicy admitting traffic from the tenant's own pods only.
"""

from typing import Optional

from pykro import Spec, resource, simple, to_resource_graph


class TenantEnvironmentSpec(Spec):
    tenantId: Optional[str] = None  # kro leaves it optional


QUOTA = {"requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi"}


def _resources(schema):
    tenant = schema.spec.tenantId
    tenant_label = {"saas/tenant-id": tenant}
    return {
        "tenantNamespace": resource("v1", "Namespace", tenant, labels={"name": tenant}),
        "tenantQuota": resource(
            "v1", "ResourceQuota", f"{tenant}-quota", namespace=tenant, labels=tenant_label, spec={"hard": QUOTA}
        ),
        # Every pod of the namespace, reachable from pods of the same namespace only.
        "tenantNetworkpolicy": simple.NetworkPolicy(
            f"{tenant}-isolation",
            namespace=tenant,
            labels=tenant_label,
            pod_selector={},
            ingress=[{"from": [{"podSelector": {}}]}],
        ),
    }


graph = to_resource_graph(
    {
        "name": "tenantenvironment.kro.run",
        "apiVersion": "v1alpha1",
        "kind": "TenantEnvironment",
        "spec": TenantEnvironmentSpec,
    },
    _resources,
)
