"""Does a path really require MFA? Evaluate the same request in the three MFA situations.

IAMUG ``reference_policies_condition-keys`` (``aws:MultiFactorAuthPresent``,
``aws:MultiFactorAuthAge``) and ``id_credentials_mfa_configure-api-require``:

* ``absent``: long-term access keys (an IAM user's or root's keys). Neither key is in the request.
* ``false``: temporary credentials obtained without MFA (console session without MFA,
  ``AssumeRole`` without ``SerialNumber``/``TokenCode``). Present ``"false"``, age absent.
* ``true``: temporary credentials obtained with MFA. Present ``"true"``, age ``"1"`` second.

Verdicts (:class:`MfaVerdict`):

* ``enforced``: allowed only with MFA;
* ``weak``: allowed with long-term keys (key absent) but not with a session without MFA: the
  ``BoolIfExists {"aws:MultiFactorAuthPresent": "true"}`` trap, or a ``Deny`` on
  ``Bool {...: "false"}``, which long-term keys slip past;
* ``absent``: allowed without MFA (a session without MFA is allowed);
* ``denied``: not allowed even with MFA.

"Allowed" includes conditional allows (unknown keys other than MFA), the conservative reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from analyzer.iam.evaluate import Decision, Request, evaluate
from analyzer.iam.statements import PolicySetResult, RequestView, evaluate_policy_set
from analyzer.model.policy import PolicySource

MfaState = Literal["absent", "false", "true"]
MfaClass = Literal["enforced", "weak", "absent", "denied"]

MFA_PRESENT = "aws:MultiFactorAuthPresent"
MFA_AGE = "aws:MultiFactorAuthAge"
MFA_STATES: tuple[MfaState, ...] = ("absent", "false", "true")


def with_mfa(request: Request, state: MfaState) -> Request:
    """``request`` with the MFA keys of ``state`` (every other key unchanged)."""
    if state == "absent":
        return request.with_context(absent=(MFA_PRESENT, MFA_AGE))
    if state == "false":
        return request.with_context({MFA_PRESENT: "false"}, absent=(MFA_AGE,))
    return request.with_context({MFA_PRESENT: "true", MFA_AGE: "1"})


def classify(allowed_absent: bool, allowed_false: bool, allowed_true: bool) -> MfaClass:
    if allowed_false:
        return "absent"
    if allowed_absent:
        return "weak"
    if allowed_true:
        return "enforced"
    return "denied"


@dataclass(frozen=True, slots=True)
class MfaVerdict:
    verdict: MfaClass
    without_mfa_keys: Decision  # long-term access keys: MFA keys absent
    mfa_false: Decision  # session without MFA
    mfa_true: Decision  # session with MFA

    @property
    def enforced(self) -> bool:
        return self.verdict == "enforced"

    def decision(self, state: MfaState) -> Decision:
        return {"absent": self.without_mfa_keys, "false": self.mfa_false, "true": self.mfa_true}[state]


def mfa_verdict(request: Request, **evaluate_kwargs: Any) -> MfaVerdict:
    """Evaluate ``request`` three times (see the module docstring); kwargs go to :func:`evaluate`."""
    absent, false, true = (evaluate(with_mfa(request, s), **evaluate_kwargs) for s in MFA_STATES)
    return MfaVerdict(classify(absent.allowed, false.allowed, true.allowed), absent, false, true)


def mfa_requirement_of(
    source: PolicySource,
    request: Request,
    *,
    resource_policy: bool = False,
    must_allow: bool | None = None,
    has_boundary: bool = False,
) -> MfaClass:
    """What ``source`` on its own demands of MFA for ``request``.

    The source is evaluated alone in the three MFA states. In a state it *lets the request
    through* when none of its Deny statements applies and, if it must allow (``must_allow``,
    by default True for a trust/resource policy, whose Allow the request needs) or if any of its
    Allow statements applies in some state, one of its Allows applies in this state too. So a
    "deny without MFA" guard policy passes a request none of its denies catches, and an identity
    policy that does not speak about the request at all passes it in every state. The result uses the verdict
    vocabulary: ``enforced``: this source is what requires MFA; ``weak``: it requires MFA only of
    sessions (long-term keys pass); ``absent``: it does not require MFA for this request;
    ``denied``: it blocks the request whatever the MFA state. Use it to say whether MFA is enforced
    by the trust policy, the identity policies or both (``resource_policy=True`` for a trust or
    resource policy, so that its ``Principal`` is matched).
    """
    mode: Literal["identity", "resource"] = "resource" if resource_policy else "identity"
    results = []
    for state in MFA_STATES:
        req = with_mfa(request, state)
        view = RequestView(req.action.lower(), req.resource, req.lookup, req.principal, has_boundary)
        results.append(evaluate_policy_set((source,), view, mode=mode))
    return requirement_of_results(results, resource_policy if must_allow is None else must_allow)


def requirement_of_results(results: Sequence[PolicySetResult], must_allow: bool) -> MfaClass:
    """:func:`mfa_requirement_of` from one policy's results in the states ``absent``, ``false``, ``true``."""
    needs_allow = must_allow or any(r.allowed for r in results)
    permitted = [not r.denies and (r.allowed or not needs_allow) for r in results]
    return classify(permitted[0], permitted[1], permitted[2])
