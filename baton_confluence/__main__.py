import sys

from baton_confluence.cli.main import main

sys.exit(main())
