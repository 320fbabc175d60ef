"""PyInstaller entry point: the same as the `gikai-desk` console script."""

import multiprocessing
import sys

from gikai_desk.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
