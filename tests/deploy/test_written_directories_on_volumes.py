"""Every directory the application writes is on a volume in the Kubernetes
manifests: the pods run on a read-only root filesystem, so a directory setting
that points at the image (MEDIA_ROOT, AUDIT_CHECKPOINT_DIR, JPKI_ISSUER_STATE_DIR)
fails on the first scan, checkpoint or test CA. What must outlive a pod and be
the same for every replica is on a ReadWriteMany claim; only the per-process
metrics directory is meant to be a pod's own scratch space."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import pytest

from tests.deploy.test_manifests_validate import DOCS

pytestmark = pytest.mark.deploy

KINDS = {name.split(":")[1]: doc for name, doc in DOCS}
CONFIG = KINDS["ConfigMap/madoguchi-config"]["data"]
#: Scratch space of one pod by nature: prometheus_client's per-process files,
#: emptied at every start (deploy/docker/start-web.sh).
PER_POD = {"PROMETHEUS_MULTIPROC_DIR"}
DIRECTORIES = {
    key: value
    for key, value in CONFIG.items()
    if re.search(r"_(DIR|ROOT)$", key) and value
}


def _mount_of(pod: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The volume the longest mount path above ``path`` comes from."""
    mounts = [
        mount
        for mount in pod["containers"][0].get("volumeMounts", [])
        if PurePosixPath(path).is_relative_to(mount["mountPath"])
    ]
    if not mounts:
        return None
    mount = max(mounts, key=lambda m: len(m["mountPath"]))
    return next(v for v in pod["volumes"] if v["name"] == mount["name"])


def test_the_configuration_names_the_directories_it_writes():
    assert {"MEDIA_ROOT", "AUDIT_CHECKPOINT_DIR", "JPKI_ISSUER_STATE_DIR"} <= set(
        DIRECTORIES
    )


@pytest.mark.parametrize("component", ["web", "worker"])
@pytest.mark.parametrize("setting", sorted(DIRECTORIES))
def test_every_written_directory_is_on_a_volume(component, setting):
    pod = KINDS[f"Deployment/madoguchi-{component}"]["spec"]["template"]["spec"]
    volume = _mount_of(pod, DIRECTORIES[setting])
    assert volume is not None, (
        f"{setting}={DIRECTORIES[setting]} is on the read-only root of {component}"
    )
    if setting in PER_POD:
        assert "emptyDir" in volume, setting
        return
    claim = volume.get("persistentVolumeClaim", {}).get("claimName")
    assert claim, f"{setting} on {component} would be lost with the pod"
    spec = KINDS[f"PersistentVolumeClaim/{claim}"]["spec"]
    # Several replicas write and read it at once.
    assert spec["accessModes"] == ["ReadWriteMany"], claim
