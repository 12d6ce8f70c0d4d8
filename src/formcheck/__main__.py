"""`python -m formcheck` runs the CLI."""

import sys

from formcheck.cli import main

sys.exit(main())
