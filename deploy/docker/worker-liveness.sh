#!/bin/sh
# Liveness probe for a worker: its heartbeat (written from its event loop) is fresh.
cd "$(dirname "$0")/../.."
exec "${PYTHON:-python}" -m config.health worker "celery@$(hostname)"
