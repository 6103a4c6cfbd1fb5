#!/usr/bin/env python3
"""mkimage.py - build OCI image layouts for the image tests, byte by byte.

  mkimage.py image LAYOUT TAG [--arch A] [--variant V] [--compress gzip|zstd|none]
                   [--cmd ARG]... [--expose 80/tcp]... [--volume /path]... LAYER.tar...
      an image whose layers are the given tar files (compressed here), with a
      config (rootfs.diff_ids, history) and a manifest, tagged TAG in LAYOUT.
  mkimage.py index LAYOUT TAG SRC_TAG...
      an index of the images SRC_TAG (platforms from their configs).
  mkimage.py layer OUT.tar SPEC...
      a layer tar from specs: f:PATH=TEXT  d:PATH  l:PATH=TARGET  h:PATH=TARGET
      c:PATH=MAJ,MIN  p:PATH  x:PATH=NAME=VALUE (xattr on the previous entry),
      m:MODE (octal mode of the previous entry), o:UID,GID (its owner).
      Whiteouts are plain files: f:dir/.wh.name=  f:dir/.wh..wh..opq=
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def put_blob(layout, data):
    d = sha(data)
    p = os.path.join(layout, "blobs", "sha256", d[7:])
    os.makedirs(os.path.dirname(p), exist_ok=True)
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)
    return d


def load_index(layout):
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    p = os.path.join(layout, "index.json")
    if os.path.exists(p):
        with open(p) as f:
            return json.load(f)
    return {"schemaVersion": 2, "manifests": []}


def save_index(layout, idx, desc, tag):
    desc["annotations"] = {"org.opencontainers.image.ref.name": tag}
    idx["manifests"] = [m for m in idx["manifests"]
                        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != tag]
    idx["manifests"].append(desc)
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(idx, f)


def compress(data, how):
    if how == "gzip":
        # gzip -6, what registries mostly hold (docker, buildah)
        if shutil.which("gzip"):
            return subprocess.run(["gzip", "-c", "-n", "-6"], input=data, capture_output=True,
                                  check=True).stdout
        return gzip.compress(data, 6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, capture_output=True,
                              check=True).stdout
    return data


MT = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
      "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
      "none": "application/vnd.oci.image.layer.v1.tar"}


def cmd_image(args):
    layout, tag = args[0], args[1]
    arch, variant, how, cmd, layers = "amd64", None, "gzip", [], []
    exposed, volumes = {}, {}
    i = 2
    while i < len(args):
        a = args[i]
        if a == "--arch":
            arch = args[i + 1]; i += 2
        elif a == "--variant":
            variant = args[i + 1]; i += 2
        elif a == "--compress":
            how = args[i + 1]; i += 2
        elif a == "--cmd":
            cmd.append(args[i + 1]); i += 2
        elif a == "--expose":
            exposed[args[i + 1]] = {}; i += 2
        elif a == "--volume":
            volumes[args[i + 1]] = {}; i += 2
        else:
            layers.append(a); i += 1
    idx = load_index(layout)
    diff_ids, descs, history = [], [], []
    for l in layers:
        with open(l, "rb") as f:
            raw = f.read()
        diff_ids.append(sha(raw))
        blob = compress(raw, how)
        descs.append({"mediaType": MT[how], "digest": put_blob(layout, blob), "size": len(blob)})
        history.append({"created": "2024-01-01T00:00:00Z", "created_by": "mkimage " +
                        os.path.basename(l)})
    config = {"created": "2024-01-01T00:00:00Z", "architecture": arch, "os": "linux",
              "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                         "Cmd": cmd or ["/bin/sh"], "Labels": {"test": tag}},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}
    if variant:
        config["variant"] = variant
    if exposed:
        config["config"]["ExposedPorts"] = exposed
    if volumes:
        config["config"]["Volumes"] = volumes
    cdata = json.dumps(config).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": put_blob(layout, cdata), "size": len(cdata)},
                "layers": descs}
    mdata = json.dumps(manifest).encode()
    save_index(layout, idx, {"mediaType": manifest["mediaType"], "digest": put_blob(layout, mdata),
                             "size": len(mdata)}, tag)


def cmd_index(args):
    layout, tag, srcs = args[0], args[1], args[2:]
    idx = load_index(layout)
    entries = []
    for s in srcs:
        d = [m for m in idx["manifests"]
             if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == s][0]
        with open(os.path.join(layout, "blobs", "sha256", d["digest"][7:]), "rb") as f:
            man = json.load(f)
        with open(os.path.join(layout, "blobs", "sha256", man["config"]["digest"][7:]), "rb") as f:
            cfg = json.load(f)
        plat = {"architecture": cfg["architecture"], "os": cfg["os"]}
        if cfg.get("variant"):
            plat["variant"] = cfg["variant"]
        entries.append({"mediaType": d["mediaType"], "digest": d["digest"], "size": d["size"],
                        "platform": plat})
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": entries}
    data = json.dumps(index).encode()
    save_index(layout, idx, {"mediaType": index["mediaType"], "digest": put_blob(layout, data),
                             "size": len(data)}, tag)


def cmd_layer(args):
    out, specs = args[0], args[1:]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        pending = None

        def flush():
            if pending is not None:
                ti, data = pending
                t.addfile(ti, io.BytesIO(data) if data is not None else None)

        for s in specs:
            kind, rest = s[0], s[2:]
            if kind in "xmo":
                ti = pending[0]
                if kind == "x":
                    n, v = rest.split("=", 1)
                    ti.pax_headers["SCHILY.xattr." + n] = v
                elif kind == "m":
                    ti.mode = int(rest, 8)
                else:
                    u, g = rest.split(",")
                    ti.uid, ti.gid = int(u), int(g)
                continue
            flush()
            path, _, val = rest.partition("=")
            ti = tarfile.TarInfo(path)
            ti.mtime = 1700000000
            ti.mode = 0o644
            data = None
            if kind == "f":
                data = val.encode()
                ti.size = len(data)
            elif kind == "d":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            elif kind == "l":
                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, val, 0o777
            elif kind == "h":
                ti.type, ti.linkname = tarfile.LNKTYPE, val
            elif kind == "c":
                ti.type = tarfile.CHRTYPE
                ti.devmajor, ti.devminor = (int(x) for x in val.split(","))
            elif kind == "p":
                ti.type = tarfile.FIFOTYPE
            pending = (ti, data)
        flush()
    with open(out, "wb") as f:
        f.write(buf.getvalue())


if __name__ == "__main__":
    {"image": cmd_image, "index": cmd_index, "layer": cmd_layer}[sys.argv[1]](sys.argv[2:])
