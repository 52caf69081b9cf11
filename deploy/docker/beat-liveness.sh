#!/bin/sh
# Liveness probe for beat: its scheduler ticked within HEALTH_HEARTBEAT_MAX_AGE.
cd "$(dirname "$0")/../.."
exec "${PYTHON:-python}" -m config.health beat
