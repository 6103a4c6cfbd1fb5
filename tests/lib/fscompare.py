#!/usr/bin/env python3
"""fscompare.py A B - compare two root filesystems entry by entry.

Paths, types, permission bits, owners, sizes, content hashes, symlink
targets, device numbers, xattrs (overlay's own and SELinux labels left
out), and mtimes of non-directories.  Prints every difference and exits 1
when there is one; prints a one-line summary otherwise.
"""
import hashlib
import os
import stat
import sys

SKIP_XATTR = ("trusted.overlay.", "user.overlay.", "security.selinux")


def describe(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            d = {"type": stat.S_IFMT(st.st_mode), "mode": oct(stat.S_IMODE(st.st_mode)),
                 "uid": st.st_uid, "gid": st.st_gid}
            if stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(p, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                d["size"] = st.st_size
                d["sha256"] = h.hexdigest()
            if stat.S_ISLNK(st.st_mode):
                d["target"] = os.readlink(p)
                del d["mode"]
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                d["rdev"] = (os.major(st.st_rdev), os.minor(st.st_rdev))
            if not stat.S_ISDIR(st.st_mode):
                d["mtime"] = int(st.st_mtime)
            try:
                xs = os.listxattr(p, follow_symlinks=False)
            except OSError:
                xs = []
            for x in sorted(xs):
                if x.startswith(SKIP_XATTR):
                    continue
                try:
                    d["xattr:" + x] = os.getxattr(p, x, follow_symlinks=False).hex()
                except OSError:
                    pass
            out[rel] = d
    return out


def main():
    a, b = describe(sys.argv[1]), describe(sys.argv[2])
    diffs = 0
    for rel in sorted(set(a) | set(b)):
        if rel not in a:
            print(f"only in {sys.argv[2]}: {rel}")
            diffs += 1
        elif rel not in b:
            print(f"only in {sys.argv[1]}: {rel}")
            diffs += 1
        elif a[rel] != b[rel]:
            keys = sorted(set(a[rel]) | set(b[rel]))
            d = ", ".join(f"{k}: {a[rel].get(k)} vs {b[rel].get(k)}" for k in keys
                          if a[rel].get(k) != b[rel].get(k))
            print(f"differs: {rel}: {d}")
            diffs += 1
        if diffs > 50:
            print("... (more)")
            break
    if diffs:
        sys.exit(1)
    print(f"identical: {len(a)} entries")


if __name__ == "__main__":
    main()
