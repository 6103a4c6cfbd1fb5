#!/usr/bin/python3
"""cri.py - a small CRI v1 client for hull's tests, talking gRPC to a CRI
server (containerd's CRI plugin) over its unix socket, as kubelet does.

  cri.py --socket SOCK call METHOD [JSON]   one RuntimeService/ImageService call;
                                            the request is JSON (proto field
                                            names), the response is printed as
                                            JSON with every field
  cri.py --socket SOCK bench -n N --handler H --image I --cgroup-parent P
                                            time RunPodSandbox + CreateContainer +
                                            StartContainer of a `sleep` container N
                                            times (pods removed untimed); prints one
                                            line of seconds per run
  cri.py exec-stream URL                    follow the streaming URL an Exec call
                                            returned (websocket, channel protocol
                                            v4.channel.k8s.io): the command's
                                            stdout/stderr are copied, the exit
                                            status is the command's

The stubs are generated from tests/lib/cri/api.proto with grpc_tools.protoc
into --gen DIR (default: $CRI_GEN or a directory next to the socket) the
first time they are needed.
"""

import argparse
import base64
import importlib
import json
import os
import socket
import struct
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "cri")


def die(msg, code=1):
    print(f"cri.py: {msg}", file=sys.stderr)
    sys.exit(code)


def load_stubs(gen):
    """Import api_pb2 / api_pb2_grpc, generating them into GEN if needed."""
    os.makedirs(gen, exist_ok=True)
    if not os.path.exists(os.path.join(gen, "api_pb2_grpc.py")):
        from grpc_tools import protoc

        rc = protoc.main(["protoc", f"-I{PROTO_DIR}", f"--python_out={gen}",
                          f"--grpc_python_out={gen}", os.path.join(PROTO_DIR, "api.proto")])
        if rc != 0:
            die(f"protoc failed on `{PROTO_DIR}/api.proto`")
    sys.path.insert(0, gen)
    return importlib.import_module("api_pb2"), importlib.import_module("api_pb2_grpc")


def call(args):
    import grpc
    from google.protobuf import json_format

    pb, pb_grpc = load_stubs(args.gen)
    method = args.method
    service = None
    for name, svc in pb.DESCRIPTOR.services_by_name.items():
        if method in svc.methods_by_name:
            service = name
            break
    if service is None:
        die(f"unknown method `{method}`", 2)
    m = pb.DESCRIPTOR.services_by_name[service].methods_by_name[method]
    req_cls = getattr(pb, m.input_type.name)
    try:
        req = json_format.ParseDict(json.loads(args.json or "{}"), req_cls())
    except (ValueError, json_format.ParseError) as e:
        die(f"{method}: bad request: {e}", 2)
    channel = grpc.insecure_channel(f"unix://{args.socket}")
    stub = getattr(pb_grpc, f"{service}Stub")(channel)
    try:
        resp = getattr(stub, method)(req, timeout=args.timeout)
    except grpc.RpcError as e:
        die(f"{method}: {e.code().name}: {e.details()}")
    print(json_format.MessageToJson(resp, preserving_proto_field_name=True,
                                    including_default_value_fields=True, indent=None))


def bench(args):
    import time
    import uuid

    import grpc

    pb, pb_grpc = load_stubs(args.gen)
    channel = grpc.insecure_channel(f"unix://{args.socket}")
    rt = pb_grpc.RuntimeServiceStub(channel)
    img = pb_grpc.ImageServiceStub(channel)
    t = args.timeout
    img.PullImage(pb.PullImageRequest(image=pb.ImageSpec(image=args.image)), timeout=t)
    for i in range(args.n + args.warmup):
        uid = str(uuid.uuid4())
        if args.record:
            # for the caller's teardown: kubelet would remove the pod's cgroup
            with open(os.path.join(args.record, f"bench-{uid}.cgroup"), "w") as f:
                f.write(f"{args.cgroup_parent.strip('/')}/pod{uid}")
        cfg = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=f"bench{i}", uid=uid, namespace="bench"),
            hostname=f"bench{i}", log_directory=os.path.join(args.logdir, uid),
            linux=pb.LinuxPodSandboxConfig(cgroup_parent=f"{args.cgroup_parent}/pod{uid}"))
        ccfg = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name="bb"), image=pb.ImageSpec(image=args.image),
            command=["sleep", "3600"], log_path="bb.log")
        t0 = time.monotonic()
        pod = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=cfg, runtime_handler=args.handler),
                               timeout=t).pod_sandbox_id
        cid = rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pod, config=ccfg,
                                                           sandbox_config=cfg), timeout=t).container_id
        rt.StartContainer(pb.StartContainerRequest(container_id=cid), timeout=t)
        dt = time.monotonic() - t0
        rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pod), timeout=t)
        rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod), timeout=t)
        if i >= args.warmup:
            print(f"{dt:.6f}", flush=True)


# ---------------------------------------------------------------- websocket


def ws_recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def ws_frames(s):
    """Yield (opcode, payload) of each message; fragments are joined."""
    parts, first_op = [], None
    while True:
        b0, b1 = ws_recv_exact(s, 2)
        fin, op = b0 & 0x80, b0 & 0x0F
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", ws_recv_exact(s, 2))[0]
        elif n == 127:
            n = struct.unpack(">Q", ws_recv_exact(s, 8))[0]
        if n > 64 << 20:
            raise ValueError(f"frame of {n} bytes")
        mask = ws_recv_exact(s, 4) if b1 & 0x80 else None
        data = ws_recv_exact(s, n)
        if mask:
            data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
        if op >= 8:  # control frames
            if op == 8:
                return
            continue
        if first_op is None:
            first_op = op
        parts.append(data)
        if fin:
            yield first_op, b"".join(parts)
            parts, first_op = [], None


def exec_stream(args):
    u = urllib.parse.urlsplit(args.url)
    if u.scheme != "http" or not u.hostname:
        die(f"unsupported streaming URL `{args.url}`", 2)
    s = socket.create_connection((u.hostname, u.port or 80), timeout=args.timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    path = u.path + (f"?{u.query}" if u.query else "")
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        c = s.recv(1)
        if not c:
            die("streaming server closed the connection during the handshake")
        head += c
        if len(head) > 65536:
            die("streaming server sent an oversized handshake")
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 101 " not in status + " ":
        die(f"streaming server answered `{status}`")
    rc = 0
    out = {1: sys.stdout.buffer, 2: sys.stderr.buffer}
    try:
        for _op, data in ws_frames(s):
            if not data:
                continue
            ch, body = data[0], data[1:]
            if ch in out:
                out[ch].write(body)
                out[ch].flush()
            elif ch == 3 and body:
                # v4: a metav1.Status; a non-zero exit is reason NonZeroExitCode
                st = json.loads(body)
                if st.get("status") != "Success":
                    rc = 1
                    for cause in st.get("details", {}).get("causes", []):
                        if cause.get("reason") == "ExitCode":
                            rc = int(cause.get("message", "1"))
                    if st.get("reason") != "NonZeroExitCode":
                        print(f"cri.py: exec: {st.get('message')}", file=sys.stderr)
    except EOFError:
        pass
    sys.exit(rc)


def main():
    p = argparse.ArgumentParser(description="CRI v1 test client")
    p.add_argument("--socket", default=os.environ.get("CRI_SOCKET"))
    p.add_argument("--gen", default=os.environ.get("CRI_GEN"))
    p.add_argument("--timeout", type=float, default=float(os.environ.get("CRI_TIMEOUT", "120")))
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("call")
    c.add_argument("method")
    c.add_argument("json", nargs="?")
    b = sub.add_parser("bench")
    b.add_argument("-n", type=int, default=20)
    b.add_argument("--warmup", type=int, default=2)
    b.add_argument("--handler", required=True)
    b.add_argument("--image", required=True)
    b.add_argument("--cgroup-parent", default="/kubepods/burstable")
    b.add_argument("--logdir", default="/tmp")
    b.add_argument("--record", help="write each pod's cgroup path in DIR/bench-UID.cgroup")
    e = sub.add_parser("exec-stream")
    e.add_argument("url")
    args = p.parse_args()
    if args.cmd in ("call", "bench"):
        if not args.socket:
            die("no --socket (or CRI_SOCKET)", 2)
        if not args.gen:
            args.gen = os.path.join(os.path.dirname(args.socket), "cri-py")
        if args.cmd == "bench":
            try:
                bench(args)
            except Exception as e:  # grpc.RpcError and friends: one line
                die(f"bench: {e}")
            return
        call(args)
    else:
        exec_stream(args)


if __name__ == "__main__":
    main()
