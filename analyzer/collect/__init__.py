"""``trustmap collect``: export the evidence bundle from AWS, read-only.

Only :mod:`analyzer.collect.aws` and :mod:`analyzer.collect.run` import boto3 (the ``collect``
extra); the rest (operation list, layout tables, CLI-style JSON, storage, archive) is plain Python,
and nothing outside this package imports boto3. Entry point: :func:`analyzer.collect.run.collect`.
"""
