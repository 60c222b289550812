"""The log delivery matrix: each letter carries the logging rules' verdict for its evidence."""

from __future__ import annotations

import pytest

import analyzer.report.log_matrix as log_matrix_module
from analyzer.model.kinds import Kind
from analyzer.pipeline import ScanResult
from analyzer.report.log_matrix import facet_of, log_matrix
from analyzer.report.view import STATUS_RANK, Views, worst
from analyzer.rules.base import Pillar, Rule, RuleMeta, Severity, passed
from tests.report.support import DEV, MGMT


def _rule(pillar: Pillar, *kinds: Kind) -> Rule:
    meta = RuleMeta(
        id="TST-100", title="t", severity=Severity.LOW, pillar=pillar, rationale="r", remediation="r", requires=kinds
    )
    return Rule(meta, lambda ctx: [passed("x")])


def test_a_logging_rule_belongs_to_the_facet_of_the_evidence_it_reads() -> None:
    assert facet_of(_rule(Pillar.LOGGING, Kind.TRAILS, Kind.TRAIL_STATUS)) == "trail"
    assert facet_of(_rule(Pillar.LOGGING, Kind.CONFIG_RECORDERS)) == "config"
    assert facet_of(_rule(Pillar.LOGGING, Kind.TRAILS, Kind.S3_BUCKET_POLICY)) == "bucket"
    assert facet_of(_rule(Pillar.MFA, Kind.TRAILS)) is None


def test_cells_carry_the_verdicts_and_the_facts_seen(defective: ScanResult) -> None:
    matrix = log_matrix(Views(defective))
    assert matrix.regions == ("us-east-1",) and matrix.rules == {"trail": ("TST-003",)}
    rows = {row.account: row for row in matrix.rows}
    trail, config, bucket = rows[MGMT].cells[0].facets
    assert (trail.status, config.status, bucket.status) == ("not_evaluated", "none", "none")
    assert trail.href.startswith("#f-") and "trail org-audit → central-logs-111111111111" in trail.title
    assert rows[DEV].cells[0].facets[0].status == "pass"
    assert "recorder" in rows[DEV].cells[0].facets[1].title


def test_a_row_reads_its_worst_cell_and_a_capped_matrix_keeps_the_worst_rows(
    defective: ScanResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = log_matrix(Views(defective))
    assert len(full.rows) > 1 and full.hidden.count == 0
    for row in full.rows:
        assert row.status == worst(fc.status for cell in row.cells for fc in cell.facets)
    monkeypatch.setattr(log_matrix_module, "MATRIX_ROWS", 1)
    capped = log_matrix(Views(defective))
    assert capped.hidden.count == len(full.rows) - 1
    assert capped.rows == (max(full.rows, key=lambda row: STATUS_RANK[row.status]),)
