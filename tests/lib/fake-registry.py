#!/usr/bin/env python3
"""fake-registry.py DIR - a registry that serves whatever files DIR holds.

GET /v2/ answers 200; GET /v2/<path> answers the file DIR/v2/<path> with the
Content-Type of an OCI manifest (or 404).  For tests that need a registry to
send what no real one would (malformed manifests).  Prints its port, then
serves on 127.0.0.1 until killed."""
import http.server
import os
import socketserver
import sys

ROOT = sys.argv[1]


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path in ("/v2/", "/v2"):
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        p = os.path.normpath(os.path.join(ROOT, self.path.lstrip("/")))
        if not p.startswith(ROOT) or not os.path.isfile(p):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(p, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_HEAD = do_GET


os.makedirs(ROOT, exist_ok=True)
srv = socketserver.TCPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
