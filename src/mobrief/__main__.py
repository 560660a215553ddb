"""python -m mobrief runs the command line."""

from mobrief.cli import main

main()
