"""Every Kubernetes manifest in deploy/k8s validates against the strict schema of
its kind (shipped in deploy/k8s/schemas; nothing is downloaded), and follows the
installation's rules: non-root, read-only root, no capabilities, probes, secrets
only from Secret objects, migrations as a Job."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SCHEMAS = K8S / "schemas"

pytestmark = pytest.mark.deploy


def _documents() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc)
        for path in sorted(K8S.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]


DOCS = _documents()


def _schema_file(doc: dict[str, Any]) -> Path:
    group_version = doc["apiVersion"].split("/")
    suffix = "-".join(
        [group_version[0].split(".")[0], group_version[1]]
        if len(group_version) == 2
        else group_version
    )
    return SCHEMAS / f"{doc['kind'].lower()}-{suffix}.json"


@pytest.mark.parametrize(("name", "doc"), DOCS, ids=[n for n, _ in DOCS])
def test_manifest_validates_against_the_strict_schema(name, doc):
    # The JSON round trip drops YAML-only types (dates, ...), as kubectl does.
    schema = json.loads(_schema_file(doc).read_text(encoding="utf-8"))
    instance = json.loads(json.dumps(doc))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.path))}: {e.message[:300]}" for e in errors
    )


def test_the_validator_refuses_a_broken_manifest():
    doc = json.loads(json.dumps(dict(DOCS)["madoguchi.yaml:Deployment/madoguchi-web"]))
    doc["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = 7
    doc["spec"]["replicaz"] = 3
    schema = json.loads(_schema_file(doc).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert len(list(validator.iter_errors(doc))) >= 2


def _pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, doc["spec"]["template"]["spec"])
        for name, doc in DOCS
        if doc["kind"] in ("Deployment", "Job")
    ]


def test_pods_run_non_root_read_only_without_capabilities():
    for name, pod in _pod_specs():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name


def test_secrets_come_only_from_secret_objects():
    """Settings from the ConfigMap, secrets one by one from the Secret: no literal
    value in a pod, and no secret in the ConfigMap."""
    secrets: set[str] = set()
    for name, pod in _pod_specs():
        for container in pod["containers"]:
            assert container["envFrom"] == [
                {"configMapRef": {"name": "madoguchi-config"}}
            ], name
            for entry in container["env"]:
                ref = entry["valueFrom"]["secretKeyRef"]
                assert "value" not in entry, f"{name}: literal {entry['name']}"
                # The tables' owner has a Secret of its own, for the migrate Job only.
                owner = "madoguchi-db-owner"
                secret = owner if entry["name"] == "DATABASE_MIGRATE_URL" else None
                assert ref["name"] == (secret or "madoguchi-env")
                assert ref["key"] == entry["name"]
                secrets.add(entry["name"])
    config = dict(DOCS)["config.yaml:ConfigMap/madoguchi-config"]["data"]
    assert {"SECRET_KEY", "SCAN_ENCRYPTION_KEY", "DATABASE_URL"} <= secrets
    assert not secrets & set(config)
    assert not [
        key
        for key in config
        if re.search(r"KEY$|TOKEN|PASSWORD|_URL$", key)
        and key not in ("JPKI_CRL_BASE_URL",)
    ]


def test_web_worker_and_beat_have_probes_and_migrations_run_as_a_job():
    kinds = {name.split(":")[1]: doc for name, doc in DOCS}
    for component in ("web", "worker", "beat"):
        pod = kinds[f"Deployment/madoguchi-{component}"]["spec"]["template"]["spec"]
        assert "livenessProbe" in pod["containers"][0], component
    web = kinds["Deployment/madoguchi-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"].startswith("/healthz")
    assert "migrate" not in " ".join(web["command"])
    job = kinds["Job/madoguchi-migrate"]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"] == ["sh", "deploy/docker/migrate.sh"]
    for kind in ("PodDisruptionBudget", "HorizontalPodAutoscaler"):
        for component in ("web", "worker"):
            assert f"{kind}/madoguchi-{component}" in kinds
    assert {
        "NetworkPolicy/madoguchi-web-ingress",
        "NetworkPolicy/madoguchi-background",
    } <= set(kinds)


def test_the_grafana_dashboard_queries_metrics_that_exist():
    dashboard = json.loads(
        (ROOT / "deploy" / "grafana" / "madoguchi-dashboard.json").read_text("utf-8")
    )
    metrics_source = "".join(
        (ROOT / "config" / name).read_text(encoding="utf-8")
        for name in ("metrics.py", "web_worker.py")  # where metrics are declared
    )
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            names = re.findall(r"madoguchi_[a-z_]+", target["expr"])
            assert names, panel["title"]
            for name in names:
                base = name
                for suffix in ("_total", "_bucket"):
                    base = base.removesuffix(suffix)
                assert f'"{base}"' in metrics_source, name
