"""The test app served over real HTTP from a background thread (werkzeug, threaded)."""
from __future__ import annotations

import threading

from werkzeug.serving import make_server


class LiveServer:
    """`with LiveServer(app) as server: ... server.url ...` on 127.0.0.1 and a free port.

    Each request runs in its own thread with its own app context (and so its own database
    session), as in production; the server is shut down and its socket closed on exit.
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.app = app
        self._server = make_server(host, port, app, threaded=True)
        self.host = host
        self.port = self._server.server_port  # the port the OS chose when port=0
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"live-server-{self.port}",
                                        daemon=True)

    def start(self) -> "LiveServer":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout)
        self._server.server_close()

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
