"""Builds strata-client, generating the gRPC stubs from the .proto files at build time.

The stubs are never committed: `build_py` runs grpc_tools.protoc on Proto/strata/v1 (found
at ../../Proto in the repository, or where STRATA_PROTO_DIR points) into
strata_client/_generated, and rewrites their imports so they live inside the package.
"""
import os
import re
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def proto_dir() -> Path:
    for candidate in (os.environ.get("STRATA_PROTO_DIR"), HERE.parent.parent / "Proto", HERE / "proto"):
        if candidate and (Path(candidate) / "strata" / "v1" / "coordinator.proto").exists():
            return Path(candidate)
    raise SystemExit("strata-client: cannot find Proto/strata/v1 (set STRATA_PROTO_DIR to the repository's Proto folder)")


def generate(out: Path) -> None:
    import grpc_tools
    from grpc_tools import protoc

    source = proto_dir()
    protos = sorted(str(p.relative_to(source)) for p in (source / "strata" / "v1").glob("*.proto"))
    out.mkdir(parents=True, exist_ok=True)
    include = str(Path(grpc_tools.__file__).parent / "_proto")
    rc = protoc.main(["protoc", f"-I{source}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    if rc != 0:
        raise SystemExit(f"strata-client: protoc failed on {source}")
    for generated in out.rglob("*.py"):
        text = generated.read_text()
        text = re.sub(r"^from strata\.v1 import", "from strata_client._generated.strata.v1 import", text, flags=re.M)
        generated.write_text(text)
    for folder in [out, out / "strata", out / "strata" / "v1"]:
        (folder / "__init__.py").touch()


class BuildWithStubs(build_py):
    def run(self):
        super().run()
        generate(Path(self.build_lib) / "strata_client" / "_generated")


setup(cmdclass={"build_py": BuildWithStubs})
