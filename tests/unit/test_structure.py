"""cs_sop's structure: no import cycle between its modules, no production module over 350 lines
(scripts/structure-check measures both and prints the function-level imports)."""

import importlib.machinery
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "structure-check"


def _check():
	loader = importlib.machinery.SourceFileLoader("structure_check", str(SCRIPT))
	spec = importlib.util.spec_from_loader("structure_check", loader)
	module = importlib.util.module_from_spec(spec)
	loader.exec_module(module)
	return module


def test_no_import_cycle():
	check = _check()
	_known, edges, _function_level = check.graph()
	assert check.cycles(edges) == []


def test_no_long_module():
	check = _check()
	known, _edges, _function_level = check.graph()
	long = [name for name, _lines in check.long_modules(known)]
	assert long == []
