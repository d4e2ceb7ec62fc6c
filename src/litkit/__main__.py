"""``python -m litkit``: the same as the ``litkit`` command."""

import sys

from litkit.cli import main

sys.exit(main())
