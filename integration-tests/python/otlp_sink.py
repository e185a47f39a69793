"""A real OTLP/HTTP receiver on loopback for the integration tests: oteltest's `HttpSink`
(the receiver behind its `otelsink --http`), bound to 127.0.0.1 on a chosen port instead of
0.0.0.0:4318, printing every export request it decoded as one JSON line on stdout:
{"signal": "traces" | "logs" | "metrics", "request": <the request as protobuf JSON>}.

Usage: otlp_sink.py PORT
"""

import json
import logging
import sys
from http.server import HTTPServer

from google.protobuf.json_format import MessageToDict

import oteltest.sink as sink


class LoopbackHTTPServer(HTTPServer):
    """HttpSink binds ("", port): keep it on loopback."""

    def __init__(self, address, handler):
        super().__init__(("127.0.0.1", address[1]), handler)


class JsonLines:
    def _print(self, signal, request):
        line = json.dumps({"signal": signal, "request": MessageToDict(request)})
        print(line, flush=True)

    def handle_logs(self, request, headers):  # noqa: ARG002
        self._print("logs", request)

    def handle_metrics(self, request, headers):  # noqa: ARG002
        self._print("metrics", request)

    def handle_trace(self, request, headers):  # noqa: ARG002
        self._print("traces", request)


def main():
    port = int(sys.argv[1])
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sink.HTTPServer = LoopbackHTTPServer
    server = sink.HttpSink(JsonLines(), logging.getLogger("otlp_sink"), port=port, daemon=False)
    server.start()
    print(json.dumps({"ready": port}), flush=True)


if __name__ == "__main__":
    main()
