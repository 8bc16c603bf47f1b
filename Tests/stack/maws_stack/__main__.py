"""`python -m maws_stack`: run the stack until interrupted, printing a config for it."""

import signal
import sys

from .stack import Stack


def main():
    with Stack() as stack:
        print(stack.config_text(), flush=True)
        print(f"# AWS (moto) at {stack.aws.url}; Ctrl-C stops the stack", file=sys.stderr, flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
