"""The browser tests' world (server, Chromium, the city and its desk), reused."""

from tests.e2e.conftest import (  # noqa: F401
    browser_context,
    chromium,
    counter_world,
    desk_agent,
    pytest_runtest_makereport,
    shots,
)
