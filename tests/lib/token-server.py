#!/usr/bin/env python3
"""token-server.py - a small bearer-token server for the registry tests.

The CNCF registry only validates tokens (auth: token: in its config); this
issues them: GET /token?service=S&scope=repository:NAME:ACTIONS[&scope=...]
with optional basic credentials. The token is a JWT signed RS256 with the key
whose certificate is the registry's rootcertbundle; the certificate goes in
the x5c header, which the registry verifies against that bundle.

  token-server.py --port P --key K --cert C --issuer I --service S \
      --users FILE (user:password lines) --log FILE
      [--expires N] [--anonymous-pull] [--bad-first N] [--field token|access_token|both]

--bad-first N: the first N tokens grant nothing (the registry answers 401 and
the client must fetch a new one); with --bad-user U, the first N of U's.
--user U:P adds a user (repeatable). Every request is logged as one line:
"user=<u|-> scope=<s1 s2> status=<code>".
Only the Python standard library and the openssl command are used.
"""
import argparse
import base64
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class State:
    lock = threading.Lock()
    issued = 0


def make_handler(args, users, cert_der):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_line(self, user, scopes, code):
            with State.lock, open(args.log, "a") as f:
                f.write("user=%s scope=%s status=%d\n" % (user or "-", " ".join(scopes) or "-", code))

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = urllib.parse.parse_qs(u.query)
            scopes = q.get("scope", [])
            user = None
            authz = self.headers.get("Authorization", "")
            if authz.startswith("Basic "):
                try:
                    user, _, pw = base64.b64decode(authz[6:]).decode().partition(":")
                except Exception:
                    user, pw = "?", None
                if users.get(user) != pw:
                    self.log_line(user, scopes, 401)
                    return self.reply(401, {"details": "incorrect username or password"})
            if u.path != "/token" or q.get("service", [""])[0] != args.service:
                self.log_line(user, scopes, 400)
                return self.reply(400, {"details": "bad request"})
            access = []
            for s in scopes:
                parts = s.split(":")
                if len(parts) < 3 or parts[0] != "repository":
                    continue
                name, actions = ":".join(parts[1:-1]), parts[-1].split(",")
                if user is None:
                    actions = [a for a in actions if a == "pull"] if args.anonymous_pull else []
                if actions:
                    access.append({"type": "repository", "name": name, "actions": actions})
            with State.lock:
                if args.bad_user is None or args.bad_user == user:
                    State.issued += 1
                    bad = State.issued <= args.bad_first
                else:
                    bad = False
            if bad:
                access = []
            now = int(time.time())
            header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(cert_der).decode()]}
            claims = {"iss": args.issuer, "sub": user or "", "aud": args.service,
                      "exp": now + args.expires, "nbf": now - 10, "iat": now,
                      "jti": b64url(os.urandom(12)), "access": access}
            signing_input = (b64url(json.dumps(header).encode()) + "." +
                             b64url(json.dumps(claims).encode())).encode()
            sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key],
                                 input=signing_input, capture_output=True, check=True).stdout
            token = signing_input.decode() + "." + b64url(sig)
            body = {"expires_in": args.expires,
                    "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
            if args.field in ("token", "both"):
                body["token"] = token
            if args.field in ("access_token", "both"):
                body["access_token"] = token
            self.log_line(user, scopes, 200)
            self.reply(200, body)

    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--users", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--expires", type=int, default=300)
    p.add_argument("--anonymous-pull", action="store_true")
    p.add_argument("--bad-first", type=int, default=0)
    p.add_argument("--field", default="both")
    p.add_argument("--bad-user")
    p.add_argument("--user", action="append", default=[])
    args = p.parse_args()
    users = {}
    with open(args.users) as f:
        for line in f:
            line = line.rstrip("\n")
            if ":" in line:
                k, _, v = line.partition(":")
                users[k] = v
    for u in args.user:
        k, _, v = u.partition(":")
        users[k] = v
    cert_der = subprocess.run(["openssl", "x509", "-in", args.cert, "-outform", "DER"],
                              capture_output=True, check=True).stdout
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port),
                                          make_handler(args, users, cert_der))
    srv.daemon_threads = True
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
