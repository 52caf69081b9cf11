"""``python -m jpki_ops.agent --server URL --token TOKEN [--reader NAME]``."""

from jpki_ops.agent.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
