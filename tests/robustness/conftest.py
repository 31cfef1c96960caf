import sys
from pathlib import Path

# tests/oracle.py (CPython as the oracle) is shared with the engine's tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
