"""What kro's three dogsvscats RGDs (vote, result, worker) share, written once.

kro's YAML repeats the Deployment, Service and Ingress in each RGD; in
Python they are functions, so the three apps differ only where they really
do (image, ports, environment, whether they are exposed).
"""

from typing import Any

from pykro import Spec, Status, resource, simple


class ServiceOptions(Spec):
    enabled: bool = True


class IngressOptions(Spec):
    enabled: bool = False


class AppStatus(Status):
    deploymentConditions: list[Any]
    availableReplicas: int


class ExposedAppStatus(AppStatus):
    serviceName: str
    url: str


CONTAINER_RESOURCES = {
    "requests": {"memory": "64Mi", "cpu": "250m"},
    "limits": {"memory": "512Mi", "cpu": "500m"},
}

# An internet-facing ALB (AWS Load Balancer Controller) routing to pod IPs.
ALB_ANNOTATIONS = {
    "kubernetes.io/ingress.class": "alb",
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    "alb.ingress.kubernetes.io/target-type": "ip",
}


def postgres_env(spec: Any) -> list[dict[str, Any]]:
    """The Postgres connection of the result and worker apps; the password stays in its Secret."""
    return [
        {"name": "POSTGRES_HOST", "value": spec.postgresEndpoint},
        {"name": "POSTGRES_USER", "value": "postgres"},
        {
            "name": "POSTGRES_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": spec.postgresSecretName, "key": "password"}},
        },
        {"name": "POSTGRES_DB", "value": "postgres"},
    ]


def app_deployment(schema: Any, component: str, *, env: list[Any], ports: list[Any] | None = None) -> Any:
    """The ``<name>-<component>`` Deployment, ready when all its replicas are available."""
    spec = schema.spec
    app = f"{spec.name}-{component}"
    labels = {"app.kubernetes.io/name": app, "app": app}
    container: dict[str, Any] = {"name": component, "image": spec.image, "imagePullPolicy": "Always"}
    if ports:
        container["ports"] = ports
    container["resources"] = CONTAINER_RESOURCES
    container["env"] = env
    return resource(
        "apps/v1",
        "Deployment",
        app,
        namespace=spec.namespace,
        labels=labels,
        spec={
            "replicas": spec.replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [container], "restartPolicy": "Always"},
            },
        },
        ready_when=lambda d: d.spec.replicas == d.status.availableReplicas,
    )


def exposed(schema: Any, component: str, deployment: Any) -> dict[str, Any]:
    """A ClusterIP Service and an ALB Ingress in front of ``deployment``, each switchable in the spec."""
    spec = schema.spec
    app_label = {"app": f"{spec.name}-{component}"}
    service = simple.Service(
        f"{deployment.metadata.name}-service",
        namespace=deployment.metadata.namespace,
        labels=app_label,
        type="ClusterIP",
        selector=app_label,
        ports=[{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}],
        include_when=spec.service.enabled,
    )
    ingress = simple.Ingress(
        f"{deployment.metadata.name}-ingress",
        namespace=deployment.metadata.namespace,
        annotations=ALB_ANNOTATIONS,
        labels=app_label,
        ingress_class_name="alb",
        service_name=service.metadata.name,
        service_port=80,
        include_when=spec.ingress.enabled,
    )
    return {"service": service, "ingress": ingress}


def app_status(resources: Any) -> dict[str, Any]:
    deployment = resources["deployment"]
    out = {
        "deploymentConditions": deployment.status.conditions,
        "availableReplicas": deployment.status.availableReplicas,
    }
    if "service" in resources:
        out["serviceName"] = resources["service"].metadata.name
        out["url"] = resources["ingress"].status.loadBalancer.ingress[0].hostname
    return out
