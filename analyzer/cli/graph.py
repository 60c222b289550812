"""``trustmap who-can-assume``, ``trustmap paths`` and ``trustmap graph``: questions to the access graph."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from analyzer.cli.common import EXIT_UNREADABLE, bundle_argument, open_snapshot
from analyzer.findings.org_shape import resolve_shape
from analyzer.findings.settings import ConfigError, load_settings
from analyzer.graph.access import AccessGraph, AccessPath, AssumeEdge, NodeKind
from analyzer.graph.build import build_access_graph
from analyzer.graph.export import assume_record, to_dot_bytes, to_graphml_bytes, to_json_bytes

F = TypeVar("F", bound=Callable[..., Any])

EXPORTERS: Mapping[str, Callable[[AccessGraph], bytes]] = {
    "graphml": to_graphml_bytes,
    "json": to_json_bytes,
    "dot": to_dot_bytes,
}


def _config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="TOML config (identity_account ...).",
    )(func)


def _format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Human-readable text or JSON.",
    )(func)


def _load_graph(bundle: Path, max_expanded_bytes: int, max_member_bytes: int, config_path: Path | None) -> AccessGraph:
    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        click.echo(f"trustmap: {exc}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from exc
    snapshot = open_snapshot(bundle, max_expanded_bytes, max_member_bytes)
    return build_access_graph(snapshot, resolve_shape(snapshot, settings))


def _require(graph: AccessGraph, arn: str, kinds: tuple[NodeKind, ...], what: str) -> None:
    kind = graph.kind(arn)
    if kind is None or kind not in kinds:
        found = f" (it is a {kind.value})" if kind is not None else ""
        click.echo(f"trustmap: {arn} is not a {what} in this bundle{found}; give the full ARN", err=True)
        raise SystemExit(EXIT_UNREADABLE)


def _label(graph: AccessGraph, node: str) -> str:
    kind = graph.kind(node)
    account = graph.account_of(node)
    where = f", {account}" if account else ""
    return f"{node} ({kind.value if kind else 'unknown'}{where})"


def _hop_text(hop: AssumeEdge) -> str:
    parts = [f"mfa={hop.mfa.value}"]
    if hop.mfa_by:
        parts.append("by " + "+".join(hop.mfa_by))
    if hop.via_saml:
        parts.append("via SAML")
    if hop.conditional:
        parts.append("only if " + ", ".join(hop.conditional))
    return f"-> {hop.target}  [{'; '.join(parts)}]"


def _path_text(graph: AccessGraph, path: AccessPath, head: str) -> list[str]:
    lines = [f"{head}  weakest: {path.weakest.value}"]
    lines.extend(f"    {_hop_text(h)}" for h in path.hops)
    return lines


def _path_json(graph: AccessGraph, path: AccessPath) -> dict[str, Any]:
    kind = graph.kind(path.principal)
    return {
        "principal": path.principal,
        "principal_kind": kind.value if kind else None,
        "role": path.role,
        "mfa_enforced": path.mfa_enforced,
        "weakest": path.weakest.value,
        "hops": [{"source": h.source, "target": h.target, **assume_record(h)} for h in path.hops],
    }


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


@click.command("who-can-assume")
@bundle_argument
@click.argument("role_arn")
@_config_option
@_format_option
@click.option(
    "--without-mfa",
    is_flag=True,
    help="Only paths on which no hop enforces MFA (federation hops, whose MFA is the identity provider's, included).",
)
def who_can_assume(
    bundle: Path,
    max_expanded_bytes: int,
    max_member_bytes: int,
    role_arn: str,
    config_path: Path | None,
    fmt: str,
    without_mfa: bool,
) -> None:
    """Every principal that can become ROLE_ARN in BUNDLE, with a shortest path and the MFA of each hop."""
    graph = _load_graph(bundle, max_expanded_bytes, max_member_bytes, config_path)
    _require(graph, role_arn, (NodeKind.ROLE,), "role")
    paths = graph.who_can_assume(role_arn, without_mfa=without_mfa)
    if fmt == "json":
        _echo_json(
            {"role": role_arn, "without_mfa": without_mfa, "principals": [_path_json(graph, p) for p in paths.values()]}
        )
        return
    qualifier = " without MFA" if without_mfa else ""
    if not paths:
        click.echo(f"nobody in the evidence can assume {role_arn}{qualifier}")
        return
    click.echo(f"{len(paths)} principal(s) can assume {role_arn}{qualifier}:")
    for source, path in paths.items():
        click.echo("\n".join(_path_text(graph, path, f"  {_label(graph, source)}")))


@click.command("paths")
@bundle_argument
@click.option("--from", "source", required=True, help="ARN of the user, role or provider to start from.")
@click.option("--to", "target", help="ARN of a role: every simple path to it (up to --max-hops).")
@click.option("--max-hops", type=click.IntRange(1, 12), default=6, show_default=True, help="Longest path with --to.")
@_config_option
@_format_option
def paths_command(
    bundle: Path,
    max_expanded_bytes: int,
    max_member_bytes: int,
    source: str,
    target: str | None,
    max_hops: int,
    config_path: Path | None,
    fmt: str,
) -> None:
    """Every role a principal can reach in BUNDLE (role chaining followed), with paths and MFA per hop."""
    graph = _load_graph(bundle, max_expanded_bytes, max_member_bytes, config_path)
    callers = (NodeKind.USER, NodeKind.ROLE, NodeKind.SAML_PROVIDER, NodeKind.OIDC_PROVIDER)
    _require(graph, source, callers, "user, role or identity provider")
    if target is not None:
        _require(graph, target, (NodeKind.ROLE,), "role")
        found = graph.all_paths(source, target, cutoff=max_hops)
    else:
        found = list(graph.reachable(source).values())
    if fmt == "json":
        _echo_json({"from": source, "to": target, "paths": [_path_json(graph, p) for p in found]})
        return
    if not found:
        click.echo(f"{source} cannot assume {target or 'any role'} in the evidence")
        return
    click.echo(f"{len(found)} path(s) from {source}:")
    for path in found:
        click.echo("\n".join(_path_text(graph, path, f"  {_label(graph, path.role)}")))


@click.command("graph")
@bundle_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(EXPORTERS)),
    default="graphml",
    show_default=True,
    help="graphml (Gephi, Neo4j), json (networkx node-link) or dot (Graphviz).",
)
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="File to write.")
@_config_option
def graph_command(
    bundle: Path, max_expanded_bytes: int, max_member_bytes: int, fmt: str, out: Path, config_path: Path | None
) -> None:
    """Write BUNDLE's whole access graph (accounts, principals, trusts, can-assume edges) to a file."""
    graph = _load_graph(bundle, max_expanded_bytes, max_member_bytes, config_path)
    data = EXPORTERS[fmt](graph)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    click.echo(f"wrote {out} ({graph.graph.number_of_nodes()} nodes, {graph.graph.number_of_edges()} edges)")


COMMANDS = [who_can_assume, paths_command, graph_command]
