"""A local webhook receiver for the tests: an http.server thread on 127.0.0.1 that verifies every request
with the standardwebhooks library (the receiver's side, not our code) and records what it got.

`status` is what it answers (503 plays a receiver that is up but failing); `Receiver.free_port()` gives a
port where nothing listens yet, to play a receiver that is down (connection refused) until started."""
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    headers: dict
    body: bytes
    payload: dict | None  # what Webhook.verify returned; None when no secret verifies it
    signed_by: str = ""  # the secret that verified it
    error: str = ""


@dataclass
class Receiver:
    secret: str = ""
    other_secrets: list[str] = field(default_factory=list)  # a receiver shared by several subscriptions
    status: int = 204
    delay: float = 0.0  # seconds before answering (a receiver too slow for the sender's timeout)
    port: int = 0
    received: list[Received] = field(default_factory=list)

    @staticmethod
    def free_port() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    @property
    def verified_ids(self) -> list[str]:
        return [item.webhook_id for item in self.received if item.payload is not None]

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = dict(self.headers.items())
                payload, signed_by, error = None, "", ""
                for secret in [receiver.secret, *receiver.other_secrets]:
                    try:
                        payload, signed_by = Webhook(secret).verify(body, headers), secret
                        break
                    except WebhookVerificationError as exc:
                        error = str(exc)
                receiver.received.append(Received(headers.get("webhook-id", ""), headers, body, payload, signed_by,
                                                  "" if signed_by else error))
                time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
