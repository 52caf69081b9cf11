"""``python -m jpki_ops.agent --server URL --token-file FILE --key-file KEY
[--reader NAME]``."""

from jpki_ops.agent.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
