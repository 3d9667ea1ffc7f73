"""kro's ``examples/job-example``: a Job that sleeps, and a Deployment beside it.

Both are named after the instance (``schema.metadata.name``). The Job is
ready once it has completed.
"""

from pykro import Spec, resource, to_resource_graph


class JobDeploymentSpec(Spec):
    replicas: int = 1
    delayInSeconds: int = 30


def _resources(schema):
    name = schema.metadata.name
    job = resource(
        "batch/v1",
        "Job",
        f"{name}-job",
        # Not ttlSecondsAfterFinished: kro would recreate the Job once it is deleted.
        spec={
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {
                            "name": "sleeper",
                            "image": "busybox",
                            "command": ["sleep", str(schema.spec.delayInSeconds)],
                            "resources": {"limits": {"cpu": "1"}},
                        }
                    ],
                }
            }
        },
        ready_when=lambda job: job.status.completionTime != None,  # noqa: E711 (a CEL comparison)
    )
    deployment = resource(
        "apps/v1",
        "Deployment",
        name,
        spec={
            "replicas": schema.spec.replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]},
            },
        },
    )
    return {"job": job, "deployment": deployment}


graph = to_resource_graph(
    {"name": "job-deployment.kro.run", "apiVersion": "v1alpha1", "kind": "JobDeployment", "spec": JobDeploymentSpec},
    _resources,
)
