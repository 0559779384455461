"""Trims etcd's published v3 API protos to what Strata's etcd client calls.

    python3 scripts/lib/trim_etcd_proto.py ETCD_SOURCE_ROOT OUT_DIR

ETCD_SOURCE_ROOT is the etcd source tree of Debian's golang-etcd-server-dev
(/usr/share/gocode/src/go.etcd.io/etcd); OUT_DIR receives etcd/etcdserver/etcdserverpb/rpc.proto
and etcd/mvcc/mvccpb/kv.proto (the import paths rpc.proto uses, so they resolve from OUT_DIR).

Why: rpc.proto imports gogoproto and the grpc-gateway annotations, which protoc-c cannot
resolve. The wire depends only on the package, the message names and the field numbers, so
the trimmed copies keep every kept message verbatim (fields, numbers, nested enums, comments)
and drop: the imports and file options, the messages and services not listed below, and the
HTTP options of the kept methods. Run by scripts/gen-proto.sh; its output is committed and
checked for drift by scripts/test.sh, so a different etcd source shows up as a diff.
"""
import os
import re
import sys

RPC_PROTO = "etcdserver/etcdserverpb/rpc.proto"
KV_PROTO = "mvcc/mvccpb/kv.proto"

# The methods Strata calls, by service.
SERVICES = {
    "KV": ["Range", "Put", "DeleteRange", "Txn"],
    "Watch": ["Watch"],
    "Lease": ["LeaseGrant", "LeaseRevoke", "LeaseKeepAlive", "LeaseTimeToLive"],
}

# Their messages (with what those messages reference).
RPC_MESSAGES = [
    "ResponseHeader",
    "RangeRequest", "RangeResponse",
    "PutRequest", "PutResponse",
    "DeleteRangeRequest", "DeleteRangeResponse",
    "RequestOp", "ResponseOp", "Compare",
    "TxnRequest", "TxnResponse",
    "WatchRequest", "WatchCreateRequest", "WatchCancelRequest", "WatchProgressRequest", "WatchResponse",
    "LeaseGrantRequest", "LeaseGrantResponse",
    "LeaseRevokeRequest", "LeaseRevokeResponse",
    "LeaseKeepAliveRequest", "LeaseKeepAliveResponse",
    "LeaseTimeToLiveRequest", "LeaseTimeToLiveResponse",
]
KV_MESSAGES = ["KeyValue", "Event"]

# The one import kept: rpc.proto's messages embed mvccpb.KeyValue and mvccpb.Event.
KEPT_IMPORTS = {'import "etcd/mvcc/mvccpb/kv.proto";'}

HEADER = (
    "// Trimmed from etcd {version}'s {path} by scripts/lib/trim_etcd_proto.py\n"
    "// (Debian golang-etcd-server-dev): only the messages and methods Strata calls, same\n"
    "// package, names and field numbers; imports of gogoproto and grpc-gateway and all options\n"
    "// removed. Regenerate with scripts/gen-proto.sh; do not edit.\n"
)


def code_part(line):
    """The line without its // comment (the protos hold no string with // or braces)."""
    return line.split("//", 1)[0]


def top_level_blocks(lines):
    """Yields (kind, name, start, end) for every top-level message/service/enum block;
    start includes the comment lines right above the block, end is exclusive."""
    index = 0
    while index < len(lines):
        match = re.match(r"^(message|service|enum)\s+(\w+)\s*\{", lines[index])
        if not match:
            index += 1
            continue
        start = index
        while start > 0 and lines[start - 1].lstrip().startswith("//"):
            start -= 1
        depth = 0
        end = index
        while True:
            depth += code_part(lines[end]).count("{") - code_part(lines[end]).count("}")
            end += 1
            if depth == 0:
                break
        yield match.group(1), match.group(2), start, end
        index = end


def trim_service(block, methods):
    """A service block with only `methods`, each reduced to `rpc M(A) returns (B);` with its
    doc comment."""
    out = [block[0]]
    kept = set()
    comment = []
    index = 1
    while index < len(block) - 1:
        line = block[index]
        stripped = line.strip()
        match = re.match(r"^rpc\s+(\w+)\s*(\(.*?\))\s*returns\s*(\(.*?\))", stripped)
        if stripped.startswith("//"):
            comment.append(line)
            index += 1
            continue
        if match:
            depth = code_part(line).count("{") - code_part(line).count("}")
            index += 1
            while depth > 0:
                depth += code_part(block[index]).count("{") - code_part(block[index]).count("}")
                index += 1
            if match.group(1) in methods:
                kept.add(match.group(1))
                if len(out) > 1:
                    out.append("")
                out.extend(comment)
                out.append("  rpc %s%s returns %s;" % match.groups())
            comment = []
            continue
        comment = []
        index += 1
    out.append(block[-1])
    missing = set(methods) - kept
    if missing:
        raise SystemExit("trim_etcd_proto: methods not found in %s: %s" % (block[0].strip(), sorted(missing)))
    return out


def trim(text, source_path, version, messages, services):
    lines = text.splitlines()
    syntax = next(l for l in lines if l.startswith("syntax"))
    package = next(l for l in lines if l.startswith("package"))
    imports = [l for l in lines if l.startswith("import") and l.strip() in KEPT_IMPORTS]
    blocks = {name: (kind, lines[start:end]) for kind, name, start, end in top_level_blocks(lines)}
    missing = [name for name in list(services) + messages if name not in blocks]
    if missing:
        raise SystemExit("trim_etcd_proto: %s lacks %s" % (source_path, ", ".join(missing)))
    out = [HEADER.format(version=version, path=source_path).rstrip("\n"), syntax, package]
    if imports:
        out.append("")
        out.extend(imports)
    for name, methods in services.items():
        out.append("")
        out.extend(trim_service(blocks[name][1], methods))
    for name in messages:
        out.append("")
        out.extend(blocks[name][1])
    return "\n".join(out) + "\n"


def etcd_version(root):
    """The version the sources declare (version/version.go), for the header."""
    try:
        with open(root + "/version/version.go") as f:
            match = re.search(r'^\s*Version\s*=\s*"([^"]+)"', f.read(), re.MULTILINE)
        return match.group(1) if match else "(unknown version)"
    except OSError:
        return "(unknown version)"


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 64
    root, out_dir = argv[1].rstrip("/"), argv[2].rstrip("/")
    version = etcd_version(root)
    for path, messages, services in ((RPC_PROTO, RPC_MESSAGES, SERVICES), (KV_PROTO, KV_MESSAGES, {})):
        with open("%s/%s" % (root, path)) as f:
            trimmed = trim(f.read(), path, version, messages, services)
        dest = "%s/etcd/%s" % (out_dir, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w") as f:
            f.write(trimmed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
