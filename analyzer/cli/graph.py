"""``trustmap who-can-assume``, ``trustmap paths`` and ``trustmap graph``: questions to the access graph."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import ConfigError, load_settings
from analyzer.cli.common import EXIT_UNREADABLE, bundle_argument, open_snapshot, terminal_safe
from analyzer.graph.access import AccessGraph, AccessPath, AssumeEdge, NodeKind, OpenTrust
from analyzer.graph.build import build_access_graph
from analyzer.graph.export import GRAPH_FORMATS, assume_record, write_graph_file

F = TypeVar("F", bound=Callable[..., Any])

#: Simple paths ``paths --to`` lists unless told otherwise: enough to see the ways in, never billions.
DEFAULT_MAX_PATHS = 100


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
        click.echo(terminal_safe(f"trustmap: {arn} is not a {what} in this bundle{found}; give the full ARN"), err=True)
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


def _mfa_summary(path: AccessPath) -> str:
    """The path's weakest hop, then (when it differs) the strongest one, which is the MFA a caller must
    show to walk it. Never better than a hop the path shows."""
    weakest, needed = path.weakest_hop, path.mfa_needed
    text = f"weakest: {weakest.value}"
    if needed is not weakest:
        at = next(number for number, hop in enumerate(path.hops, 1) if hop.mfa is needed)
        text += f"; strongest: {needed.value} at hop {at}"
    if not path.mfa_enforced:
        text += "; no hop enforces MFA"
    return text


def _path_text(path: AccessPath, head: str) -> list[str]:
    """A path as terminal lines: evidence text (ARNs, condition values) with controls escaped."""
    lines = [f"{head}  {_mfa_summary(path)}"]
    lines.extend(f"    {_hop_text(h)}" for h in path.hops)
    return [terminal_safe(line) for line in lines]


def _path_json(graph: AccessGraph, path: AccessPath) -> dict[str, Any]:
    kind = graph.kind(path.principal)
    return {
        "principal": path.principal,
        "principal_kind": kind.value if kind else None,
        "role": path.role,
        "mfa_enforced": path.mfa_enforced,
        "mfa_needed": path.mfa_needed.value,
        "weakest": path.weakest_hop.value,
        "hops": [{"source": h.source, "target": h.target, **assume_record(h)} for h in path.hops],
    }


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))  # ASCII: every control or bidi character escaped


def _echo(text: str) -> None:
    click.echo(terminal_safe(text))


def _open_trust_text(role: str, trust: OpenTrust) -> str:
    who = "every principal but those its NotPrincipal names" if trust.not_principal else 'any AWS principal ("*")'
    only_if = f", only if {'; '.join(trust.conditions)}" if trust.conditions else ", without a condition"
    return (
        f"note: the trust policy of {role} admits {who}{only_if} ({trust.evidence}): whoever meets it may "
        "assume the role, in any AWS account, not only the principals found in the evidence below"
    )


def _open_trust_json(trust: OpenTrust) -> dict[str, Any]:
    return {"evidence": str(trust.evidence), "conditions": list(trust.conditions), "not_principal": trust.not_principal}


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
    """Every principal that can become ROLE_ARN in BUNDLE, each by its weakest way in (the path asking the
    least MFA, over all paths), with the MFA of each hop."""
    graph = _load_graph(bundle, max_expanded_bytes, max_member_bytes, config_path)
    _require(graph, role_arn, (NodeKind.ROLE,), "role")
    paths = graph.weakest_ways_to(role_arn, without_mfa=without_mfa)
    open_trusts = graph.trusts_anyone(role_arn)
    if fmt == "json":
        _echo_json(
            {
                "role": role_arn,
                "without_mfa": without_mfa,
                "open_to_anyone": [_open_trust_json(t) for t in open_trusts],
                "principals": [_path_json(graph, p) for p in paths.values()],
            }
        )
        return
    for trust in open_trusts:
        _echo(_open_trust_text(role_arn, trust))
    qualifier = " without MFA" if without_mfa else ""
    if not paths:
        _echo(f"nobody in the evidence can assume {role_arn}{qualifier}")
        return
    _echo(f"{len(paths)} principal(s) can assume {role_arn}{qualifier}, each by its weakest way in:")
    for source, path in paths.items():
        click.echo("\n".join(_path_text(path, f"  {_label(graph, source)}")))


@click.command("paths")
@bundle_argument
@click.option("--from", "source", required=True, help="ARN of the user, role or provider to start from.")
@click.option("--to", "target", help="ARN of a role: its weakest way in, then the simple paths to it (--max-hops).")
@click.option("--max-hops", type=click.IntRange(1, 12), default=6, show_default=True, help="Longest path with --to.")
@click.option(
    "--max-paths",
    type=click.IntRange(1, 100_000),
    default=DEFAULT_MAX_PATHS,
    show_default=True,
    help="Simple paths listed at most with --to (roles that may all assume each other have billions).",
)
@_config_option
@_format_option
def paths_command(
    bundle: Path,
    max_expanded_bytes: int,
    max_member_bytes: int,
    source: str,
    target: str | None,
    max_hops: int,
    max_paths: int,
    config_path: Path | None,
    fmt: str,
) -> None:
    """Every role a principal can reach in BUNDLE (role chaining followed), each by its weakest way in,
    with the MFA of each hop; with --to, also the simple paths to that role, shortest first."""
    graph = _load_graph(bundle, max_expanded_bytes, max_member_bytes, config_path)
    callers = (NodeKind.USER, NodeKind.ROLE, NodeKind.SAML_PROVIDER, NodeKind.OIDC_PROVIDER)
    _require(graph, source, callers, "user, role or identity provider")
    if target is None:
        _paths_from(graph, source, fmt)
        return
    _require(graph, target, (NodeKind.ROLE,), "role")
    weakest = graph.weakest_ways_from(source).get(target)
    found = graph.simple_paths(source, target, cutoff=max_hops, limit=max_paths)
    if fmt == "json":
        _echo_json(
            {
                "from": source,
                "to": target,
                "weakest_way_in": _path_json(graph, weakest) if weakest else None,
                "max_hops": max_hops,
                "max_paths": max_paths,
                "complete": found.complete,
                "paths": [_path_json(graph, p) for p in found.paths],
            }
        )
        return
    if weakest is None:
        _echo(f"{source} cannot assume {target} in the evidence")
        return
    click.echo("\n".join(_path_text(weakest, f"weakest way in from {source} to {target}:")))
    _echo(f"{len(found.paths)} path(s) from {source} of at most {max_hops} hops, shortest first:")
    for path in found.paths:
        click.echo("\n".join(_path_text(path, f"  {_label(graph, path.role)}")))
    if not found.complete:
        _echo(
            f"more paths exist than the {len(found.paths)} shown (or the search stopped before it could tell): "
            f"raise --max-paths or lower --max-hops, or export the whole graph with "
            f"`trustmap graph {bundle} --out FILE` to explore it in a graph tool"
        )


def _paths_from(graph: AccessGraph, source: str, fmt: str) -> None:
    found = list(graph.weakest_ways_from(source).values())
    if fmt == "json":
        _echo_json({"from": source, "to": None, "paths": [_path_json(graph, p) for p in found]})
        return
    if not found:
        _echo(f"{source} cannot assume any role in the evidence")
        return
    _echo(f"{len(found)} path(s) from {source}, each role by its weakest way in:")
    for path in found:
        click.echo("\n".join(_path_text(path, f"  {_label(graph, path.role)}")))


@click.command("graph")
@bundle_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(GRAPH_FORMATS),
    default="graphml",
    show_default=True,
    help="graphml (Gephi, Neo4j), json (networkx node-link) or dot (Graphviz).",
)
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="File to write.")
@_config_option
def graph_command(
    bundle: Path, max_expanded_bytes: int, max_member_bytes: int, fmt: str, out: Path, config_path: Path | None
) -> None:
    """Write BUNDLE's whole access graph (accounts, principals, trusts, can-assume edges) to a file.

    Every edge, even where the report's graph files leave some out (a dense graph), written as it is
    made (never the whole file in memory)."""
    graph = _load_graph(bundle, max_expanded_bytes, max_member_bytes, config_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_graph_file(graph, fmt, out)
    click.echo(f"wrote {out} ({graph.graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)")


COMMANDS = [who_can_assume, paths_command, graph_command]
