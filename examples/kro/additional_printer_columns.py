"""kro's ``examples/additionalPrinterColumns``: what ``kubectl get`` shows for an instance.

The Service selects exactly what the Deployment selects, by reading its
selector rather than repeating the labels.
"""

from typing import Any, Optional

from pykro import Spec, Status, resource, simple, to_resource_graph


class IngressOptions(Spec):
    enabled: bool = False


class ApplicationSpec(Spec):
    name: Optional[str] = None  # kro leaves it optional
    image: str = "nginx"
    ingress: IngressOptions


class ApplicationStatus(Status):
    deploymentConditions: list[Any]
    availableReplicas: int


PRINTER_COLUMNS = [
    {"jsonPath": ".status.availableReplicas", "name": "Available replicas", "type": "integer"},
    {"jsonPath": ".spec.image", "name": "Image", "type": "string"},
    {"jsonPath": ".spec.ingress.enabled", "name": "Enabled Ingress", "type": "boolean"},
]


def _resources(schema):
    spec = schema.spec
    deployment = resource(
        "apps/v1",
        "Deployment",
        spec.name,
        spec={
            "replicas": 3,
            "selector": {"matchLabels": {"app": spec.name}},
            "template": {
                "metadata": {"labels": {"app": spec.name}},
                "spec": {
                    "containers": [{"name": spec.name, "image": spec.image, "ports": [{"containerPort": 80}]}]
                },
            },
        },
    )
    service = simple.Service(
        f"{spec.name}-service",
        selector=deployment.spec.selector.matchLabels,
        ports=[{"protocol": "TCP", "port": 80, "targetPort": 80}],
    )
    return {"deployment": deployment, "service": service}


graph = to_resource_graph(
    {
        "name": "application",
        "apiVersion": "v1alpha1",
        "kind": "Application",
        "spec": ApplicationSpec,
        "status": ApplicationStatus,
        "printer_columns": PRINTER_COLUMNS,
    },
    _resources,
    lambda schema, r: {
        "deploymentConditions": r["deployment"].status.conditions,
        "availableReplicas": r["deployment"].status.availableReplicas,
    },
)
