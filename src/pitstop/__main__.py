"""`python -m pitstop` runs the command line."""

from pitstop.cli import main

main()
