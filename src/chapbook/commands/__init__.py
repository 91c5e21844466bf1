"""The command line's verbs, one module each: its `parser()` and its `run(parser, arguments)`;
`build` when no other is named."""

COMMANDS = {
    "watch": "watch",
    "check": "check",
    "diff": "diff",
    "preflight": "preflight",
    "check-epub": "check_epub",
    "init": "init",
    "new": "new",
    "stats": "stats",
}
"""The commands besides a build, each with its module in commands/ (a `parser()` and a
`run(parser, arguments)`). Only the module of the command run is imported."""
