#!/usr/bin/env python3
"""registry-proxy.py - a misbehaving HTTP proxy in front of a test registry.

  registry-proxy.py --port P --upstream 127.0.0.1:U --log FILE --mode MODE [--bytes N] [--times K]

Each client connection carries one request; it is forwarded to the upstream
registry (with "Connection: close") and the reply relayed, except where MODE
says otherwise for GET .../blobs/<digest> (the first K times, default 1):
  cut          relay the headers and N body bytes, then drop the connection
  corrupt      flip one byte of the body (same length: a digest mismatch)
  truncate     announce and send N bytes fewer than the blob has, cleanly
  oversize     append N bytes (and announce them)
  norange      ignore Range headers (always answer 200 with the whole blob)
and for GET .../manifests/...:
  manifest-junk   answer "{not json" as the manifest
  schema1         answer a Docker schema1 manifest
  manifest-digest send a wrong Docker-Content-Digest
  sig-manifest-cut  only signature and referrer tags (.../manifests/sha256-...):
               answer their first N bytes (a truncated manifest)
  referrers    act as a registry with the OCI 1.1 referrers API: answer
               GET /v2/<repo>/referrers/<digest>[?artifactType=T] from the
               upstream's sha256-<hex> tag index (filtered; an empty index
               when there is none), and 404 for that tag itself
  redirect     answer 307 to the same path on --target HOST:PORT (every time)
and for any request:
  503          answer 503 with Retry-After: 1 (the first K times)
  pass         nothing: relay and log
Every request is logged as "METHOD PATH range=<Range or -> auth=<scheme or ->".
"""
import argparse
import json
import re
import socket
import socketserver
import sys
import threading
import urllib.parse

lock = threading.Lock()
count = {}


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
        if not data[:1].isalpha():
            return None, b""  # not HTTP (a TLS hello): hang up
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def parse_headers(lines):
    h = {}
    for line in lines:
        k, _, v = line.partition(":")
        h[k.strip().lower()] = v.strip()
    return h


def recv_exact(sock, rest, n):
    data = rest
    while len(data) < n:
        chunk = sock.recv(min(65536, n - len(data)))
        if not chunk:
            break
        data += chunk
    return data


def recv_all(sock, rest):
    data = rest
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--mode", required=True)
    p.add_argument("--bytes", type=int, default=1000)
    p.add_argument("--times", type=int, default=1)
    p.add_argument("--target")
    args = p.parse_args()
    up_host, up_port = args.upstream.rsplit(":", 1)

    def budget(key):
        with lock:
            n = count.get(key, 0)
            count[key] = n + 1
            return n < args.times

    def referrers(repo, hexd, artifact_type):
        import http.client
        conn = http.client.HTTPConnection(up_host, int(up_port), timeout=10)
        conn.request("GET", "/v2/%s/manifests/sha256-%s" % (repo, hexd),
                     headers={"Accept": "application/vnd.oci.image.index.v1+json"})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": []}
        if r.status == 200:
            idx["manifests"] = [d for d in json.loads(data).get("manifests", [])
                                if not artifact_type or d.get("artifactType") == artifact_type]
        body = json.dumps(idx).encode()
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)) + body

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            c = self.request
            head, rest = read_head(c)
            if head is None:
                c.close()
                return
            lines = head.split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            hdrs = parse_headers(lines[1:])
            body = recv_exact(c, rest, int(hdrs.get("content-length", "0") or 0))
            with lock, open(args.log, "a") as f:
                auth = hdrs.get("authorization", "-").split(" ")[0]
                f.write("%s %s range=%s auth=%s\n" % (method, path, hdrs.get("range", "-"), auth))
            is_blob = method == "GET" and "/blobs/sha256:" in path
            is_manifest = method == "GET" and "/manifests/" in path
            if args.mode == "redirect" and is_blob:
                c.sendall(("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://%s%s\r\n"
                           "Content-Length: 0\r\nConnection: close\r\n\r\n"
                           % (args.target, path)).encode("latin-1"))
                return
            if args.mode == "503" and budget("503:" + path):
                c.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                          b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                return
            if args.mode == "referrers" and method == "GET":
                m = re.match(r"^/v2/(.+)/referrers/sha256:([0-9a-f]{64})(?:\?artifactType=(.*))?$", path)
                if m:
                    at = urllib.parse.unquote(m.group(3)) if m.group(3) else None
                    c.sendall(referrers(m.group(1), m.group(2), at))
                    return
                if re.match(r"^/v2/.+/manifests/sha256-[0-9a-f]{64}$", path):
                    c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                              b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
                    return
            out = [lines[0]]
            for line in lines[1:]:
                k = line.partition(":")[0].strip().lower()
                if k in ("connection", "keep-alive"):
                    continue
                if k == "range" and args.mode == "norange" and is_blob:
                    continue
                out.append(line)
            out.append("Connection: close")
            u = socket.create_connection((up_host, int(up_port)))
            u.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
            rhead, rrest = read_head(u)
            if rhead is None:
                return
            rlines = rhead.split("\r\n")
            status = int(rlines[0].split(" ")[1])
            rh = parse_headers(rlines[1:])
            if method == "HEAD" or status in (204, 304):
                rbody = b""
            elif "content-length" in rh:
                rbody = recv_exact(u, rrest, int(rh["content-length"]))
            else:
                rbody = recv_all(u, rrest)
            u.close()
            mode = args.mode
            ok = 200 <= status < 300
            if is_manifest and ok and mode in ("manifest-junk", "schema1", "manifest-digest"):
                if mode == "manifest-junk":
                    rbody = b"{not json"
                    rh["content-type"] = "application/vnd.oci.image.manifest.v1+json"
                elif mode == "schema1":
                    rbody = (b'{"schemaVersion":1,"name":"x","tag":"latest",'
                             b'"architecture":"amd64","fsLayers":[],"history":[]}')
                    rh["content-type"] = "application/vnd.docker.distribution.manifest.v1+prettyjws"
                    rh.pop("docker-content-digest", None)
                else:
                    rh["docker-content-digest"] = "sha256:" + "0" * 64
                if mode != "manifest-digest":
                    rh.pop("docker-content-digest", None)
                rh["content-length"] = str(len(rbody))
            elif is_manifest and ok and mode == "sig-manifest-cut" and "/manifests/sha256-" in path:
                rbody = rbody[:args.bytes]
                rh.pop("docker-content-digest", None)
                rh["content-length"] = str(len(rbody))
            elif is_blob and ok and mode in ("cut", "corrupt", "truncate", "oversize") \
                    and budget(mode + ":" + path):
                if mode == "cut":
                    head_out = [rlines[0]] + ["%s: %s" % (k, v) for k, v in rh.items()
                                              if k != "connection"] + ["Connection: close"]
                    c.sendall(("\r\n".join(head_out) + "\r\n\r\n").encode("latin-1")
                              + rbody[:args.bytes])
                    c.shutdown(socket.SHUT_RDWR)
                    return
                if mode == "corrupt" and rbody:
                    i = len(rbody) // 2
                    rbody = rbody[:i] + bytes([rbody[i] ^ 0xFF]) + rbody[i + 1:]
                elif mode == "truncate":
                    rbody = rbody[:max(0, len(rbody) - args.bytes)]
                elif mode == "oversize":
                    rbody = rbody + b"x" * args.bytes
                rh["content-length"] = str(len(rbody))
            rh.pop("connection", None)
            rh.pop("transfer-encoding", None)
            if method != "HEAD":
                rh["content-length"] = str(len(rbody))
            head_out = [rlines[0]] + ["%s: %s" % (k, v) for k, v in rh.items()] + \
                       ["Connection: close"]
            c.sendall(("\r\n".join(head_out) + "\r\n\r\n").encode("latin-1") + rbody)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
