"""The API bench's settings: production's, with the bench's URLconf (the floor
views live only there, never in production URLs). The bench raises the API's
throttle rates through the environment (API_THROTTLE_*_RATE) for its one user."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
