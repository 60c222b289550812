"""``python -m analyzer`` is the same as the ``trustmap`` command (run as a process of its own)."""

from analyzer.cli import run

if __name__ == "__main__":
    run()
