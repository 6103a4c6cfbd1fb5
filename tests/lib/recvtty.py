#!/usr/bin/env python3
"""recvtty.py SOCKET OUT [--input TEXT] [--once]

A --console-socket receiver for the tests: listen on the unix socket SOCKET,
accept one connection, take the pty master sent with SCM_RIGHTS, write
"fds=N" to OUT.meta, then copy everything the container writes on its
terminal into OUT until the pty closes (EIO). With --input, TEXT is written
to the terminal first. Exits 0 once the pty is closed, 1 if no fd came.
"""
import os
import socket
import sys


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.stderr.write(__doc__)
        return 2
    path, out = args[0], args[1]
    text = None
    if "--input" in args:
        text = args[args.index("--input") + 1]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(60)
    conn, _ = srv.accept()
    msg, fds, _, _ = socket.recv_fds(conn, 4096, 8)
    with open(out + ".meta", "w") as m:
        m.write(f"fds={len(fds)}\nname={msg.decode(errors='replace')}\n")
        for fd in fds:
            m.write(f"isatty={int(os.isatty(fd))}\n")
    conn.close()
    srv.close()
    if not fds:
        return 1
    master = fds[0]
    for fd in fds[1:]:
        os.close(fd)
    if text is not None:
        os.write(master, text.encode())
    with open(out, "wb", buffering=0) as f:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the last slave fd was closed
                break
            if not data:
                break
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
