"""trustmap: offline audit of an AWS multi-account centralized identity model.

The package is laid out in the order data flows through it:

``evidence`` (reading a bundle) -> ``model`` (normalized, immutable entities) ->
``iam`` (policy engine) and ``graph`` (who can become which role) -> ``rules`` ->
``findings`` -> ``report`` -> ``cli``.
"""

__version__ = "0.1.0"
