"""`python -m mockserver` runs the CLI."""

from mockserver.cli import main

raise SystemExit(main())
