"""One module per command: `register(subparsers)` adds its arguments, `run(args)` does the work."""
import sys


def fail(message: str, code: int = 1) -> int:
    print(f"archiver: {message}", file=sys.stderr)
    return code
