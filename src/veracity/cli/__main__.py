"""``python -m veracity.cli``."""

from veracity.cli import main

raise SystemExit(main())
