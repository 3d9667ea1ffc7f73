"""kro's ``examples/saas-multi-tenant`` TenantApplication: the tenant's app in its namespace."""

from typing import Optional

from pykro import Spec, resource, simple, to_resource_graph


class TenantApplicationSpec(Spec):
    tenantId: Optional[str] = None  # kro leaves it optional
    # kro's example defaults the image to "100"; kept as it is, for equivalence.
    image: str = "100"
    replicas: int = 2


def _resources(schema):
    tenant = schema.spec.tenantId
    deployment = resource(
        "apps/v1",
        "Deployment",
        f"{tenant}-deployment",
        namespace=tenant,
        labels={"saas/tenant-id": tenant},
        spec={
            "replicas": schema.spec.replicas,
            "selector": {"matchLabels": {"app": tenant}},
            "template": {
                "metadata": {"labels": {"app": tenant, "saas/tenant-id": tenant}},
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "image": schema.spec.image,
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "128Mi"},
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ]
                },
            },
        },
    )
    service = simple.Service(
        f"{tenant}-service",
        namespace=tenant,
        labels={"app": tenant, "saas/tenant": "true", "saas/tenant-id": tenant},
        selector={"app": tenant, "saas/tenant-id": tenant},
        ports=[{"port": 80, "targetPort": 80, "protocol": "TCP", "name": "http"}],
        type="ClusterIP",
    )
    return {"deployment": deployment, "service": service}


graph = to_resource_graph(
    {
        "name": "tenantapplication.kro.run",
        "apiVersion": "v1alpha1",
        "kind": "TenantApplication",
        "spec": TenantApplicationSpec,
    },
    _resources,
)
