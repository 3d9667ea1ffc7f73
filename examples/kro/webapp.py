"""kro's ``examples/webapp`` as a typed pykro graph.

A Deployment, a Service (on by default) and an ALB Ingress (off by default),
named after the instance's ``spec.name``. The Service and Ingress take their
name and namespace from the Deployment, as kro's RGD does, so they follow it
if its naming ever changes.
"""

from typing import Any, Optional

from pykro import Spec, Status, resource, simple, to_resource_graph


class ServiceOptions(Spec):
    enabled: bool = True


class IngressOptions(Spec):
    enabled: bool = False


class WebAppSpec(Spec):
    name: Optional[str] = None  # kro leaves it optional
    namespace: str = "default"
    image: str = "nginx"
    port: int = 8080
    replicas: int = 1
    service: ServiceOptions
    ingress: IngressOptions
    serviceAccount: str = "default"


class WebAppStatus(Status):
    deploymentConditions: list[Any]
    availableReplicas: int
    url: str


# AWS Load Balancer Controller settings: an internet-facing ALB routing to pod IPs.
ALB_ANNOTATIONS = {
    "kubernetes.io/ingress.class": "alb",
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/healthcheck-path": "/health",
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}]',
    "alb.ingress.kubernetes.io/target-group-attributes": (
        "stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=60"
    ),
}


def _resources(schema):
    spec = schema.spec
    pod_labels = {"app.kubernetes.io/name": spec.name, "app": spec.name}
    deployment = resource(
        "apps/v1",
        "Deployment",
        spec.name,
        namespace=spec.namespace,
        labels={"app.kubernetes.io/name": spec.name},
        spec={
            "replicas": spec.replicas,
            "selector": {"matchLabels": pod_labels},
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {
                    "serviceAccountName": spec.serviceAccount,
                    "containers": [
                        {
                            "name": "webapp-demo",
                            "image": spec.image,
                            "imagePullPolicy": "Always",
                            "ports": [{"containerPort": spec.port}],
                            "resources": {
                                "requests": {"memory": "64Mi", "cpu": "250m"},
                                "limits": {"memory": "1Gi", "cpu": "1"},
                            },
                        }
                    ],
                    "restartPolicy": "Always",
                },
            },
        },
        ready_when=lambda d: d.spec.replicas == d.status.availableReplicas,
    )
    service = simple.Service(
        deployment.metadata.name,
        namespace=deployment.metadata.namespace,
        selector={"app": spec.name},
        ports=[{"name": "http", "protocol": "TCP", "port": 80, "targetPort": spec.port}],
        include_when=spec.service.enabled,
    )
    ingress = simple.Ingress(
        deployment.metadata.name,
        namespace=deployment.metadata.namespace,
        annotations=ALB_ANNOTATIONS,
        service_name=service.metadata.name,
        service_port=80,
        include_when=spec.ingress.enabled,
    )
    return {"deployment": deployment, "service": service, "ingress": ingress}


graph = to_resource_graph(
    {
        "name": "webapp.kro.run",
        "apiVersion": "v1alpha1",
        "kind": "WebApp",
        "spec": WebAppSpec,
        "status": WebAppStatus,
    },
    _resources,
    lambda schema, r: {
        "deploymentConditions": r["deployment"].status.conditions,
        "availableReplicas": r["deployment"].status.availableReplicas,
        "url": r["ingress"].status.loadBalancer.ingress[0].hostname,
    },
)
