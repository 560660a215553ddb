"""mobrief: turn a stream of Russian-language reports into an English brief in house style."""

__version__ = "0.1.0"
