"""One ordered definition of the MFA states, which every query, table and drawing reads."""

from __future__ import annotations

from analyzer.graph.access import MFA_ORDER, AccessPath, AssumeEdge, MfaStatus, path_mfa, worst_mfa

D, E, W, A = MfaStatus.DELEGATED, MfaStatus.ENFORCED, MfaStatus.WEAK, MfaStatus.ABSENT


def test_the_states_are_ordered_most_protective_first() -> None:
    assert MFA_ORDER == (E, D, W, A)
    assert [s.rank for s in MFA_ORDER] == [0, 1, 2, 3]
    assert worst_mfa([E, D]) is D and worst_mfa([D, W]) is W and worst_mfa([]) is E


def test_a_path_has_the_mfa_of_its_most_protective_hop() -> None:
    """A federated session then an unguarded chain: the identity provider's MFA is all there is."""
    assert path_mfa([D, A]) is D
    assert path_mfa([D, E]) is E  # a later hop that enforces MFA protects the path
    assert path_mfa([A, A]) is A and path_mfa([W, A]) is W
    hops = (AssumeEdge(source="p", target="r1", mfa=D), AssumeEdge(source="r1", target="r2", mfa=A))
    path = AccessPath("p", "r2", hops)
    assert path.mfa_needed is D and not path.mfa_enforced
