"""kro's ``examples/dogsvscats/worker-app``: moves votes from Redis to Postgres; not exposed."""

from typing import Optional

from dogsvscats_common import AppStatus, app_deployment, app_status, postgres_env

from pykro import Spec, to_resource_graph


class WorkerAppSpec(Spec):
    name: Optional[str] = None  # kro leaves it optional
    namespace: str = "default"
    image: str = "dogsvscats/worker:latest"
    replicas: int = 1
    redisEndpoint: Optional[str] = None  # kro leaves it optional
    postgresEndpoint: Optional[str] = None  # kro leaves it optional
    postgresSecretName: Optional[str] = None  # kro leaves it optional


graph = to_resource_graph(
    {
        "name": "worker-app.kro.run",
        "apiVersion": "v1alpha1",
        "kind": "WorkerApp",
        "spec": WorkerAppSpec,
        "status": AppStatus,
    },
    lambda schema: {
        "deployment": app_deployment(
            schema,
            "worker",
            env=[{"name": "REDIS_HOST", "value": schema.spec.redisEndpoint}, *postgres_env(schema.spec)],
        )
    },
    lambda schema, resources: app_status(resources),
)
