"""`strata mcp` driven by the official Python MCP client (PyPI `mcp`), over stdio and over streamable HTTP, against
a real cluster: every tool, bad arguments, authentication and DNS-rebinding checks, and a dead worker."""
import asyncio
import os
import re
import subprocess
import time

import httpx2 as httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from agent_cluster import AgentCluster
from conftest import BIN_DIR

TOOLS = {"get_context", "search", "read_document", "sync_directory", "indexing_status", "list_namespaces", "cluster_status"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    # R = 1 over two workers: killing one leaves its slots with no replica (a degraded answer).
    cluster = AgentCluster(workers=2, replicas=1, coordinator_settings=["--set", "coordinator.suspect_after_ms=500",
                                                                       "--set", "coordinator.dead_after_ms=1500"])
    tree = tmp_path_factory.mktemp("code")
    (tree / "src").mkdir()
    (tree / "src" / "replication.py").write_text("def replicate(write):\n    \"\"\"Sends a write to every replica of its slot.\"\"\"\n    return quorum(write)\n")
    (tree / "README.md").write_text("# Demo\n\nThe coordinator replicates writes to workers.\n")
    for index in range(20):  # enough documents that both workers hold some
        (tree / "src" / f"module_{index}.py").write_text(f"def handler_{index}():\n    return 'replicates writes {index}'\n")
    cluster.strata("namespace", "create", "code", check=True)
    cluster.strata("sync", str(tree), "--namespace", "code", check=True)
    yield cluster
    cluster.stop()


def text_of(result):
    return "\n".join(item.text for item in result.content if getattr(item, "type", "") == "text")


def structured(result):
    return getattr(result, "structured_content", None) or getattr(result, "structuredContent", None) or {}


def is_error(result):
    return bool(getattr(result, "is_error", None) or getattr(result, "isError", None))


async def with_stdio(cluster, body, *extra):
    params = StdioServerParameters(command=str(BIN_DIR / "strata"), args=["mcp", "--coordinator", cluster.address, *extra])
    async with stdio_client(params) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            return await body(session)


def test_stdio_lists_and_calls_every_tool(cluster, tmp_path):
    tree = tmp_path / "notes"
    tree.mkdir()
    (tree / "a.md").write_text("alpha notes about slots\n")
    (tree / "skip.bin").write_bytes(b"\x00\x01binary")

    async def body(session):
        listed = await session.list_tools()
        assert {tool.name for tool in listed.tools} == TOOLS
        for tool in listed.tools:
            schema = getattr(tool, "input_schema", None) or getattr(tool, "inputSchema", None)
            assert schema["type"] == "object" and "properties" in schema and len(tool.description) > 60
        calls = {}
        calls["context"] = await session.call_tool("get_context", {"query": "send a write to every replica of its slot quorum", "namespace": "code", "token_budget": 2000})
        calls["search"] = await session.call_tool("search", {"query": "replica quorum handler", "namespace": "code", "top_k": 3, "path_prefix": "src/"})
        calls["read"] = await session.call_tool("read_document", {"namespace": "code", "document_id": "src/replication.py", "line_start": 2, "line_end": 3})
        calls["sync"] = await session.call_tool("sync_directory", {"path": str(tree), "namespace": "notes"})
        calls["status"] = await session.call_tool("indexing_status", {"namespace": "notes"})
        calls["namespaces"] = await session.call_tool("list_namespaces", {})
        calls["cluster"] = await session.call_tool("cluster_status", {})
        return calls

    calls = asyncio.run(with_stdio(cluster, body, "--log-level", "debug"))  # debug logs must not reach stdout
    for name, result in calls.items():
        assert not is_error(result), f"{name}: {text_of(result)}"
    context = structured(calls["context"])
    assert context["degraded"] is False and 0 < context["tokens"] <= 2000
    assert "### src/replication.py" in text_of(calls["context"])
    assert any(p["document_id"] == "src/replication.py" for p in context["passages"])
    results = structured(calls["search"])["results"]
    assert 1 <= len(results) <= 3 and all(r["document_id"].startswith("src/") for r in results)
    assert results[0]["line_start"] >= 1 and results[0]["score"] > 0
    read = structured(calls["read"])
    assert read["text"] == "    \"\"\"Sends a write to every replica of its slot.\"\"\"\n    return quorum(write)\n"
    assert read["line_start"] == 2 and read["line_end"] == 3 and read["total_lines"] == 3
    assert "     2\t" in text_of(calls["read"])
    sync = structured(calls["sync"])
    assert sync["namespace_created"] is True and sync["added"] == 1 and sync["skipped"] == 1
    assert "Last sync: finished" in text_of(calls["status"]) and structured(calls["status"])["documents"] == 1
    assert {n["name"] for n in structured(calls["namespaces"])["namespaces"]} >= {"code", "notes"}
    assert structured(calls["cluster"])["slots_unavailable"] == 0


def test_stdio_bad_arguments_are_tool_errors_a_model_can_act_on(cluster):
    async def body(session):
        return [
            await session.call_tool("get_context", {"namespace": "code"}),
            await session.call_tool("get_context", {"query": "x", "namespace": "nope"}),
            await session.call_tool("search", {"query": "x", "namespace": "code", "top_k": 1000}),
            await session.call_tool("read_document", {"namespace": "code", "document_id": "missing.py"}),
            await session.call_tool("read_document", {"namespace": "code", "document_id": "README.md", "line_start": 99}),
            await session.call_tool("indexing_status", {"namespace": "code", "verbose": True}),
        ]

    missing, unknown, top_k, no_doc, past_end, extra = asyncio.run(with_stdio(cluster, body))
    for result in (missing, unknown, top_k, no_doc, past_end, extra):
        assert is_error(result)
    assert "needs the argument 'query'" in text_of(missing)
    assert text_of(unknown).startswith("Namespace 'nope' does not exist.") and "code" in text_of(unknown)
    assert "from 1 to 100" in text_of(top_k)
    assert "missing.py" in text_of(no_doc)
    assert "line_start 99" in text_of(past_end) and "last line" in text_of(past_end)
    assert "no argument 'verbose'" in text_of(extra)


@pytest.fixture
def gateway(cluster, tmp_path):
    root = tmp_path / "allowed"
    root.mkdir()
    process = subprocess.Popen([str(BIN_DIR / "strata"), "mcp", "--coordinator", cluster.address, "--http", "127.0.0.1:0",
                                "--token", "s3cret", "--sync-root", str(root)], stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/mcp", line)
        assert match, f"no address in {line!r}"
        yield f"http://127.0.0.1:{match.group(1)}/mcp", root
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_http_gateway_serves_the_tools_with_a_bearer_token(gateway, tmp_path):
    url, root = gateway
    (root / "x.md").write_text("gateway synced file\n")

    async def body():
        async with httpx.AsyncClient(headers={"Authorization": "Bearer s3cret"}) as http:
            async with streamable_http_client(url, http_client=http) as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    names = {tool.name for tool in (await session.list_tools()).tools}
                    context = await session.call_tool("get_context", {"query": "replicates writes", "namespace": "code"})
                    inside = await session.call_tool("sync_directory", {"path": str(root), "namespace": "gateway"})
                    outside = await session.call_tool("sync_directory", {"path": str(tmp_path), "namespace": "gateway"})
                    bad = await session.call_tool("search", {"namespace": "code"})
                    return names, context, inside, outside, bad

    names, context, inside, outside, bad = asyncio.run(body())
    assert names == TOOLS
    assert not is_error(context) and structured(context)["passages"]
    assert not is_error(inside) and structured(inside)["added"] == 1
    assert is_error(outside) and "may only sync directories below" in text_of(outside)
    assert is_error(bad) and "needs the argument 'query'" in text_of(bad)


def test_http_gateway_refuses_missing_tokens_and_foreign_hosts(gateway):
    url, _ = gateway
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    with httpx.Client() as http:
        assert http.post(url, json=body, headers=headers).status_code == 401
        assert http.post(url, json=body, headers={**headers, "Authorization": "Bearer wrong"}).status_code == 401
        auth = {**headers, "Authorization": "Bearer s3cret"}
        assert http.post(url, json=body, headers={**auth, "Host": "attacker.example"}).status_code == 421
        assert http.post(url, json=body, headers={**auth, "Origin": "http://attacker.example"}).status_code == 403
        assert http.post(url, json=body, headers={**auth, "Origin": url.rsplit("/", 1)[0]}).status_code == 200
        assert http.post(url.replace("/mcp", "/other"), json=body, headers=auth).status_code == 404


def test_a_dead_worker_makes_answers_degraded_and_says_why(cluster):
    # Last in this module: it kills a worker of the shared cluster.
    cluster.kill_worker(1)
    cluster.wait(lambda s: "1 dead" in s["text"] and "unavailable: 0" not in s["text"], "the killed worker to be dead")

    async def body(session):
        return (await session.call_tool("get_context", {"query": "replicates writes", "namespace": "code"}),
                await session.call_tool("search", {"query": "replicates writes", "namespace": "code"}),
                await session.call_tool("cluster_status", {}),
                await session.call_tool("indexing_status", {"namespace": "code"}))

    context, search, status, indexing = asyncio.run(with_stdio(cluster, body))
    assert not is_error(context) and structured(context)["degraded"] is True
    assert "WARNING: this answer is degraded" in text_of(context) and "slot" in structured(context)["degraded_reason"]
    assert structured(search)["degraded"] is True
    assert structured(status)["slots_unavailable"] > 0 and "dead" in text_of(status)
    assert "no live replica" in text_of(indexing)


def test_an_unreachable_coordinator_is_a_tool_error(tmp_path):
    params = StdioServerParameters(command=str(BIN_DIR / "strata"), args=["mcp", "--coordinator", "127.0.0.1:1", "--timeout", "2"])

    async def body():
        async with stdio_client(params) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                return await session.call_tool("list_namespaces", {})

    result = asyncio.run(body())
    assert is_error(result) and "unreachable" in text_of(result) and "127.0.0.1:1" in text_of(result)


def test_strata_loads_no_mcp_sdk_and_says_where_strata_mcp_must_be(tmp_path):
    # `strata` does not link the MCP SDK (FoundationNetworking, libcurl: ~30 more shared libraries
    # loaded by every command); `strata mcp` runs strata-mcp from its own folder, or says it is missing.
    libraries = subprocess.run(["ldd", str(BIN_DIR / "strata")], capture_output=True, text=True, check=True).stdout
    assert "libFoundationNetworking" not in libraries and "libcurl" not in libraries
    alone = tmp_path / "strata"
    alone.write_bytes((BIN_DIR / "strata").read_bytes())
    alone.chmod(0o755)
    result = subprocess.run([str(alone), "mcp", "--coordinator", "127.0.0.1:1"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"strata: mcp needs {tmp_path / 'strata-mcp'} (strata-mcp installed beside strata)" in result.stderr
    shown = subprocess.run([str(BIN_DIR / "strata"), "mcp", "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "--sync-root" in shown.stdout and "strata mcp" in shown.stdout
