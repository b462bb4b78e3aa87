"""`python -m studio` launches the desktop application."""

from studio.app import main

raise SystemExit(main())
