#!/bin/sh
# Liveness probe for a worker: it answers a ping within 10 seconds.
exec celery -A config inspect ping -d "celery@$(hostname)" --timeout 10
