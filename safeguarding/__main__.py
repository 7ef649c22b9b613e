import sys

from safeguarding.cli import main

sys.exit(main())
