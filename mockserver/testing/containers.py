"""The mockserver image as a container for testcontainers-python (the `testcontainers` extra).

Usage (docs/ci.md#testcontainers):
```
with MockServerContainer(scenarios="tests/scenarios") as mock:
    client = MyClient(base_url=mock.url_for("signalwire"))
```
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from os import PathLike
from pathlib import Path
from typing import Any, Self

from testcontainers.core.container import DockerContainer

IMAGE = "mockserver:latest"
PORT = 8080  # the image's MOCKSERVER_PORT
HEALTH = "/__admin/health"


class MockServerContainer(DockerContainer):
    """The image, its port published, started once /__admin/health answers 2xx.

    `scenarios` (a file or folder) is mounted read-only at /scenarios, which the image
    loads at start; `admin_token` sets MOCKSERVER_ADMIN_TOKEN (and the health probe sends
    it); any other MOCKSERVER_* setting goes through `with_env`.
    """

    def __init__(
        self,
        image: str = IMAGE,
        scenarios: str | PathLike[str] | None = None,
        admin_token: str | None = None,
        startup_timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(image, **kwargs)
        self.with_exposed_ports(PORT)
        self.admin_token = admin_token
        self.startup_timeout = startup_timeout
        if admin_token:
            self.with_env("MOCKSERVER_ADMIN_TOKEN", admin_token)
        if scenarios is not None:
            source = Path(scenarios).resolve()
            target = "/scenarios" if source.is_dir() else f"/scenarios/{source.name}"
            self.with_volume_mapping(str(source), target, "ro")

    def start(self) -> Self:
        """Start the container and wait until it serves (or raise, with its logs)."""
        super().start()
        self._wait_healthy()
        return self

    def get_url(self) -> str:
        """The server's base URL from the host, e.g. http://localhost:32771."""
        host = self.get_container_host_ip()
        return f"http://{host}:{self.get_exposed_port(PORT)}"

    def url_for(self, vendor: str) -> str:
        """Where a vendor's SDK points: the base URL plus the vendor's prefix."""
        return f"{self.get_url()}/{vendor}"

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        problem = "no answer yet"
        while time.monotonic() < deadline:
            try:
                if self._healthy():
                    return
                problem = "a non-2xx answer"
            except (OSError, urllib.error.URLError) as err:
                problem = str(err)
            time.sleep(0.2)
        stdout, stderr = self.get_logs()
        logs = (stdout + stderr).decode("utf-8", "replace")[-2000:]
        raise TimeoutError(
            f"{self.image}: {HEALTH} not healthy within {self.startup_timeout:g} s "
            f"({problem}); the container's last output:\n{logs}"
        )

    def _healthy(self) -> bool:
        request = urllib.request.Request(self.get_url() + HEALTH)
        if self.admin_token:
            request.add_header("Authorization", f"Bearer {self.admin_token}")
        # no proxies: an HTTP(S)_PROXY of the test process must not take the local probe
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=2) as answer:
            return 200 <= int(answer.status) < 300
