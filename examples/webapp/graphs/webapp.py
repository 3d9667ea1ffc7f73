"""The bundled example: a web application (Deployment + Service) with a typed spec.

This is the contract module of pykro's first issue, unchanged: whatever
pykro becomes, this file must keep rendering.
"""

from typing import Annotated

from pykro import Cel, Spec, Status, field, simple, to_resource_graph


class WebAppSpec(Spec):
    name: str
    image: str = "nginx:1.27"
    replicas: Annotated[int, field(minimum=1, maximum=20)] = 2


class WebAppStatus(Status):
    ready: bool
    url: str


webapp = to_resource_graph(
    {
        "name": "webapp",
        "apiVersion": "example.com/v1alpha1",
        "kind": "WebApp",
        "spec": WebAppSpec,
        "status": WebAppStatus,
    },
    lambda schema: {
        "app": simple.Deployment(
            name=schema.spec.name,
            image=schema.spec.image,
            replicas=schema.spec.replicas,
            ports=[{"containerPort": 8080}],
        ),
        "svc": simple.Service(
            name=f"{schema.spec.name}-svc",
            selector={"app": schema.spec.name},
            ports=[{"port": 80, "targetPort": 8080}],
        ),
    },
    lambda schema, resources: {
        "ready": resources["app"].status.readyReplicas > 0,
        "url": Cel.template("http://%s", resources["svc"].spec.clusterIP),
    },
)
