#!/usr/bin/env python3
"""seccomp-agent.py - a seccomp notify agent for the runtime tests.

  seccomp-agent.py SOCKET OUTDIR [--answer NAME=ERRNO]... [--die]

Listens on SOCKET (a path, or @name for an abstract socket). For each
connection (one per listener: the init, then each exec) it saves the
container process state as OUTDIR/state.N.json and answers the listener's
notifications in a thread of its own: a syscall named with --answer fails
with that errno, every other one continues (SECCOMP_USER_NOTIF_FLAG_CONTINUE),
until the filter has no task left. --die: exit right after the first
listener arrived, without answering anything (an agent that dies).
"""
import errno
import fcntl
import json
import os
import select
import socket
import struct
import sys
import threading

NOTIF_RECV = 0xC0502100  # SECCOMP_IOCTL_NOTIF_RECV, struct seccomp_notif (80 bytes)
NOTIF_SEND = 0xC0182101  # SECCOMP_IOCTL_NOTIF_SEND, struct seccomp_notif_resp (24 bytes)
FLAG_CONTINUE = 1
X86_64 = {"keyctl": 250, "close": 3, "getcwd": 79, "uname": 63, "mkdir": 83}


def serve(fd, answers):
    while True:
        r, _, _ = select.select([fd], [], [], 60)
        if not r:
            return
        notif = bytearray(80)
        try:
            fcntl.ioctl(fd, NOTIF_RECV, notif)
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.EINTR):
                continue
            return  # ENOTCONN..: no task left
        nid, _pid, _flags, nr = struct.unpack_from("=QIIi", notif)
        if nr in answers:
            resp = struct.pack("=QqiI", nid, 0, -answers[nr], 0)
        else:
            resp = struct.pack("=QqiI", nid, 0, 0, FLAG_CONTINUE)
        try:
            fcntl.ioctl(fd, NOTIF_SEND, bytearray(resp))
        except OSError:
            pass


def main():
    path, out = sys.argv[1], sys.argv[2]
    answers, die = {}, False
    args = sys.argv[3:]
    while args:
        a = args.pop(0)
        if a == "--answer":
            name, err = args.pop(0).split("=")
            answers[X86_64[name]] = getattr(errno, err)
        elif a == "--die":
            die = True
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind("\0" + path[1:] if path.startswith("@") else path)
    srv.listen(8)
    open(os.path.join(out, "ready"), "w").close()
    n = 0
    while True:
        conn, _ = srv.accept()
        msg, fds, _, _ = socket.recv_fds(conn, 65536, 1)
        while True:
            try:
                state = json.loads(msg)
                break
            except ValueError:
                more = conn.recv(65536)
                if not more:
                    state = {"garbled": msg.decode(errors="replace")}
                    break
                msg += more
        conn.close()
        with open(os.path.join(out, "state.%d.json" % n), "w") as f:
            json.dump(state, f)
        n += 1
        if die:
            os._exit(0)
        threading.Thread(target=serve, args=(fds[0], answers), daemon=True).start()


main()
