"""What is audited and how: the settings (config file) and the organization's shape (Identity account,
management account, log bucket), resolved once from the evidence and the config.

It sits below the graph and the rules, which read both, and above the evidence model it reads, so
every import points down: evidence -> model -> iam -> audit -> graph -> rules -> findings -> report -> cli.
"""
