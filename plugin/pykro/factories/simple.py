"""``simple``: the common Kubernetes kinds with sensible defaults.

TypeKro's simple set, the same names. Defaults a reviewer would expect:
the pod labels default to ``{"app": name}`` and are also the selector, so a
Service selecting ``{"app": name}`` finds the pods; the container is named
after the resource; nothing is set that Kubernetes would default itself
(``imagePullPolicy``, ``protocol``...), so rendered YAML stays short.

Workloads (Deployment, StatefulSet, DaemonSet) also take ``container_name``
(default: the resource name) and ``pod_labels`` (default: ``labels``, else
``{"app": name}``; they are the selector), for when the object's own labels
differ from its pods'.

Arguments that are Kubernetes structures (``ports``, ``env`` lists,
``resources``, ``volumes``...) are passed through as written, in
Kubernetes' own camelCase. Every factory also takes ``namespace``, ``labels``,
``annotations`` and kro's per-resource options ``ready_when``,
``include_when`` and ``depends_on``.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..resources import Resource

__all__ = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Service",
    "Ingress",
    "NetworkPolicy",
    "ConfigMap",
    "Secret",
    "Pvc",
    "PersistentVolume",
    "Hpa",
]


def _metadata(name: Any, namespace: Any, labels: Any, annotations: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def _env(env: Mapping[str, Any] | Sequence[Any] | None) -> list[Any] | None:
    if env is None:
        return None
    if isinstance(env, Mapping):
        return [{"name": k, "value": v} for k, v in env.items()]
    return list(env)


def _container(
    name: Any,
    image: Any,
    *,
    ports: Sequence[Any] | None = None,
    env: Any = None,
    command: Sequence[Any] | None = None,
    args: Sequence[Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    volume_mounts: Sequence[Any] | None = None,
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image}
    if command is not None:
        container["command"] = list(command)
    if args is not None:
        container["args"] = list(args)
    if ports:
        container["ports"] = list(ports)
    env_list = _env(env)
    if env_list:
        container["env"] = env_list
    if resources:
        container["resources"] = dict(resources)
    if volume_mounts:
        container["volumeMounts"] = list(volume_mounts)
    return container


def _pod_spec(container: dict[str, Any], *, volumes: Any, service_account: Any, restart_policy: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [container]}
    if service_account is not None:
        spec["serviceAccountName"] = service_account
    if restart_policy is not None:
        spec["restartPolicy"] = restart_policy
    if volumes:
        spec["volumes"] = list(volumes)
    return spec


def _workload(
    api_version: str,
    kind: str,
    name: Any,
    image: Any,
    *,
    namespace: Any,
    labels: Mapping[str, Any] | None,
    annotations: Any,
    extra_spec: dict[str, Any],
    container_kw: dict[str, Any],
    volumes: Any,
    service_account: Any,
    restart_policy: Any,
    options: dict[str, Any],
) -> Resource:
    container_name = options.pop("container_name", None)
    pod_label_arg = options.pop("pod_labels", None)
    pod_labels = dict(pod_label_arg) if pod_label_arg else dict(labels) if labels else {"app": name}
    container = _container(container_name if container_name is not None else name, image, **container_kw)
    spec = dict(extra_spec)
    spec["selector"] = {"matchLabels": dict(pod_labels)}
    spec["template"] = {
        "metadata": {"labels": dict(pod_labels)},
        "spec": _pod_spec(container, volumes=volumes, service_account=service_account, restart_policy=restart_policy),
    }
    template = {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": _metadata(name, namespace, dict(labels) if labels else pod_labels, annotations),
        "spec": spec,
    }
    return Resource(template, **options)


def Deployment(
    name: Any,
    image: Any,
    *,
    replicas: Any = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    ports: Sequence[Any] | None = None,
    env: Any = None,
    command: Sequence[Any] | None = None,
    args: Sequence[Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    volume_mounts: Sequence[Any] | None = None,
    volumes: Sequence[Any] | None = None,
    service_account: Any = None,
    **options: Any,
) -> Resource:
    """An ``apps/v1`` Deployment of one container named ``name``."""
    extra = {"replicas": replicas} if replicas is not None else {}
    return _workload(
        "apps/v1", "Deployment", name, image,
        namespace=namespace, labels=labels, annotations=annotations, extra_spec=extra,
        container_kw=dict(ports=ports, env=env, command=command, args=args, resources=resources,
                          volume_mounts=volume_mounts),
        volumes=volumes, service_account=service_account, restart_policy=None, options=options,
    )  # fmt: skip


def StatefulSet(
    name: Any,
    image: Any,
    *,
    replicas: Any = None,
    service_name: Any = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    ports: Sequence[Any] | None = None,
    env: Any = None,
    command: Sequence[Any] | None = None,
    args: Sequence[Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    volume_mounts: Sequence[Any] | None = None,
    volumes: Sequence[Any] | None = None,
    volume_claim_templates: Sequence[Any] | None = None,
    service_account: Any = None,
    **options: Any,
) -> Resource:
    """An ``apps/v1`` StatefulSet; ``serviceName`` defaults to ``name`` (its headless Service)."""
    extra: dict[str, Any] = {"serviceName": service_name if service_name is not None else name}
    if replicas is not None:
        extra["replicas"] = replicas
    if volume_claim_templates:
        extra["volumeClaimTemplates"] = list(volume_claim_templates)
    return _workload(
        "apps/v1", "StatefulSet", name, image,
        namespace=namespace, labels=labels, annotations=annotations, extra_spec=extra,
        container_kw=dict(ports=ports, env=env, command=command, args=args, resources=resources,
                          volume_mounts=volume_mounts),
        volumes=volumes, service_account=service_account, restart_policy=None, options=options,
    )  # fmt: skip


def DaemonSet(
    name: Any,
    image: Any,
    *,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    ports: Sequence[Any] | None = None,
    env: Any = None,
    command: Sequence[Any] | None = None,
    args: Sequence[Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    volume_mounts: Sequence[Any] | None = None,
    volumes: Sequence[Any] | None = None,
    service_account: Any = None,
    **options: Any,
) -> Resource:
    """An ``apps/v1`` DaemonSet: one pod per node."""
    return _workload(
        "apps/v1", "DaemonSet", name, image,
        namespace=namespace, labels=labels, annotations=annotations, extra_spec={},
        container_kw=dict(ports=ports, env=env, command=command, args=args, resources=resources,
                          volume_mounts=volume_mounts),
        volumes=volumes, service_account=service_account, restart_policy=None, options=options,
    )  # fmt: skip


def _job_spec(
    name: Any,
    image: Any,
    *,
    command: Any,
    args: Any,
    env: Any,
    resources: Any,
    volume_mounts: Any,
    volumes: Any,
    restart_policy: Any,
    backoff_limit: Any,
    completions: Any,
    parallelism: Any,
    ttl_seconds_after_finished: Any,
    service_account: Any,
) -> dict[str, Any]:
    container = _container(
        name, image, env=env, command=command, args=args, resources=resources, volume_mounts=volume_mounts
    )
    spec: dict[str, Any] = {}
    for key, value in (
        ("backoffLimit", backoff_limit),
        ("completions", completions),
        ("parallelism", parallelism),
        ("ttlSecondsAfterFinished", ttl_seconds_after_finished),
    ):
        if value is not None:
            spec[key] = value
    spec["template"] = {
        "spec": _pod_spec(container, volumes=volumes, service_account=service_account, restart_policy=restart_policy)
    }
    return spec


def Job(
    name: Any,
    image: Any,
    *,
    command: Sequence[Any] | None = None,
    args: Sequence[Any] | None = None,
    env: Any = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    volume_mounts: Sequence[Any] | None = None,
    volumes: Sequence[Any] | None = None,
    restart_policy: Any = "Never",
    backoff_limit: Any = None,
    completions: Any = None,
    parallelism: Any = None,
    ttl_seconds_after_finished: Any = None,
    service_account: Any = None,
    **options: Any,
) -> Resource:
    """A ``batch/v1`` Job; ``restartPolicy`` defaults to ``Never`` (a Job must set it)."""
    spec = _job_spec(
        name, image, command=command, args=args, env=env, resources=resources, volume_mounts=volume_mounts,
        volumes=volumes, restart_policy=restart_policy, backoff_limit=backoff_limit, completions=completions,
        parallelism=parallelism, ttl_seconds_after_finished=ttl_seconds_after_finished,
        service_account=service_account,
    )  # fmt: skip
    template = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _metadata(name, namespace, labels, annotations),
        "spec": spec,
    }
    return Resource(template, **options)


def CronJob(
    name: Any,
    schedule: Any,
    image: Any,
    *,
    command: Sequence[Any] | None = None,
    args: Sequence[Any] | None = None,
    env: Any = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    volume_mounts: Sequence[Any] | None = None,
    volumes: Sequence[Any] | None = None,
    restart_policy: Any = "OnFailure",
    concurrency_policy: Any = None,
    suspend: Any = None,
    time_zone: Any = None,
    service_account: Any = None,
    **options: Any,
) -> Resource:
    """A ``batch/v1`` CronJob running one container on ``schedule``."""
    job = _job_spec(
        name, image, command=command, args=args, env=env, resources=resources, volume_mounts=volume_mounts,
        volumes=volumes, restart_policy=restart_policy, backoff_limit=None, completions=None,
        parallelism=None, ttl_seconds_after_finished=None, service_account=service_account,
    )  # fmt: skip
    spec: dict[str, Any] = {"schedule": schedule, "jobTemplate": {"spec": job}}
    for key, value in (("concurrencyPolicy", concurrency_policy), ("suspend", suspend), ("timeZone", time_zone)):
        if value is not None:
            spec[key] = value
    template = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _metadata(name, namespace, labels, annotations),
        "spec": spec,
    }
    return Resource(template, **options)


def Service(
    name: Any,
    *,
    selector: Mapping[str, Any] | Any,
    ports: Sequence[Any],
    type: Any = None,
    cluster_ip: Any = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    **options: Any,
) -> Resource:
    """A ``v1`` Service; ``cluster_ip="None"`` makes it headless."""
    spec: dict[str, Any] = {}
    if type is not None:
        spec["type"] = type
    if cluster_ip is not None:
        spec["clusterIP"] = cluster_ip
    spec["selector"] = dict(selector) if isinstance(selector, Mapping) else selector
    spec["ports"] = list(ports)
    template = {"apiVersion": "v1", "kind": "Service", "metadata": _metadata(name, namespace, labels, annotations),
                "spec": spec}  # fmt: skip
    return Resource(template, **options)


def Ingress(
    name: Any,
    *,
    rules: Sequence[Any] | None = None,
    host: Any = None,
    service_name: Any = None,
    service_port: Any = 80,
    path: Any = "/",
    path_type: Any = "Prefix",
    ingress_class_name: Any = None,
    tls: Sequence[Any] | None = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    **options: Any,
) -> Resource:
    """A ``networking.k8s.io/v1`` Ingress: full ``rules``, or one ``host``/``path`` to ``service_name``."""
    if rules is None:
        if service_name is None:
            raise TypeError("Ingress needs rules=[...] or service_name=")
        port = {"number": service_port} if not isinstance(service_port, str) else {"name": service_port}
        rule: dict[str, Any] = {
            "http": {
                "paths": [
                    {"path": path, "pathType": path_type,
                     "backend": {"service": {"name": service_name, "port": port}}}
                ]
            }
        }  # fmt: skip
        if host is not None:
            rule = {"host": host, **rule}
        rules = [rule]
    spec: dict[str, Any] = {}
    if ingress_class_name is not None:
        spec["ingressClassName"] = ingress_class_name
    spec["rules"] = list(rules)
    if tls:
        spec["tls"] = list(tls)
    template = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": _metadata(name, namespace, labels, annotations), "spec": spec}  # fmt: skip
    return Resource(template, **options)


def NetworkPolicy(
    name: Any,
    *,
    pod_selector: Mapping[str, Any] | None = None,
    policy_types: Sequence[Any] | None = None,
    ingress: Sequence[Any] | None = None,
    egress: Sequence[Any] | None = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    **options: Any,
) -> Resource:
    """A ``networking.k8s.io/v1`` NetworkPolicy; ``pod_selector`` is matchLabels ({} selects all pods)."""
    spec: dict[str, Any] = {"podSelector": {"matchLabels": dict(pod_selector)} if pod_selector else {}}
    if policy_types is not None:
        spec["policyTypes"] = list(policy_types)
    if ingress is not None:
        spec["ingress"] = list(ingress)
    if egress is not None:
        spec["egress"] = list(egress)
    template = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": _metadata(name, namespace, labels, annotations), "spec": spec}  # fmt: skip
    return Resource(template, **options)


def ConfigMap(
    name: Any,
    *,
    data: Mapping[str, Any] | None = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    immutable: bool | None = None,
    **options: Any,
) -> Resource:
    """A ``v1`` ConfigMap."""
    template: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": _metadata(name, namespace, labels, annotations)}  # fmt: skip
    if data is not None:
        template["data"] = dict(data)
    if immutable is not None:
        template["immutable"] = immutable
    return Resource(template, **options)


def Secret(
    name: Any,
    *,
    string_data: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    type: Any = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    **options: Any,
) -> Resource:
    """A ``v1`` Secret. ``data`` values are base64 already; ``string_data`` are plain.

    Committing secret values to Git is rarely right: prefer an external
    secret operator and reference its Secret with ``external_ref``.
    """
    template: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret",
                                "metadata": _metadata(name, namespace, labels, annotations)}  # fmt: skip
    if type is not None:
        template["type"] = type
    if data is not None:
        template["data"] = dict(data)
    if string_data is not None:
        template["stringData"] = dict(string_data)
    return Resource(template, **options)


def Pvc(
    name: Any,
    *,
    size: Any,
    access_modes: Sequence[Any] = ("ReadWriteOnce",),
    storage_class: Any = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    **options: Any,
) -> Resource:
    """A ``v1`` PersistentVolumeClaim requesting ``size`` (a quantity such as ``"10Gi"``)."""
    spec: dict[str, Any] = {"accessModes": list(access_modes), "resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    template = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": _metadata(name, namespace, labels, annotations), "spec": spec}  # fmt: skip
    return Resource(template, **options)


def PersistentVolume(
    name: Any,
    *,
    size: Any,
    access_modes: Sequence[Any] = ("ReadWriteOnce",),
    storage_class: Any = None,
    reclaim_policy: Any = None,
    host_path: Any = None,
    nfs: Mapping[str, Any] | None = None,
    csi: Mapping[str, Any] | None = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    **options: Any,
) -> Resource:
    """A ``v1`` PersistentVolume (cluster-scoped: it takes no namespace)."""
    spec: dict[str, Any] = {"capacity": {"storage": size}, "accessModes": list(access_modes)}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    if reclaim_policy is not None:
        spec["persistentVolumeReclaimPolicy"] = reclaim_policy
    if host_path is not None:
        spec["hostPath"] = {"path": host_path}
    if nfs is not None:
        spec["nfs"] = dict(nfs)
    if csi is not None:
        spec["csi"] = dict(csi)
    template = {"apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": _metadata(name, None, labels, annotations), "spec": spec}  # fmt: skip
    return Resource(template, **options)


def Hpa(
    name: Any,
    *,
    target: Resource,
    max_replicas: Any,
    min_replicas: Any = None,
    cpu_utilization: Any = None,
    metrics: Sequence[Any] | None = None,
    namespace: Any = None,
    labels: Mapping[str, Any] | None = None,
    annotations: Mapping[str, Any] | None = None,
    **options: Any,
) -> Resource:
    """An ``autoscaling/v2`` HorizontalPodAutoscaler scaling ``target`` (a workload resource)."""
    if not isinstance(target, Resource):
        raise TypeError("Hpa target= is the resource to scale (e.g. the Deployment)")
    spec: dict[str, Any] = {
        "scaleTargetRef": {
            "apiVersion": target._api_version,
            "kind": target._kind,
            "name": target.metadata.name,
        },
        "maxReplicas": max_replicas,
    }
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    metric_list = list(metrics or ())
    if cpu_utilization is not None:
        metric_list.append(
            {"type": "Resource",
             "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu_utilization}}}
        )  # fmt: skip
    if metric_list:
        spec["metrics"] = metric_list
    template = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": _metadata(name, namespace, labels, annotations), "spec": spec}  # fmt: skip
    return Resource(template, **options)
