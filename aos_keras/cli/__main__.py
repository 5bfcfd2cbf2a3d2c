"""`python -m aos_keras.cli`: the `aos-keras` command line."""

import sys

from aos_keras.cli import main

sys.exit(main())
