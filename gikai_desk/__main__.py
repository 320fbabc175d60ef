"""Allow `python -m gikai_desk`."""

from gikai_desk.cli import main

raise SystemExit(main())
