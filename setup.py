"""For tools that still run `python setup.py ...`: the metadata lives in pyproject.toml only.

`pip install [-e] .` (what `bench get-app` and .ci/run do) builds with pyproject.toml's backend,
flit_core, and never runs this file. Here setuptools (>= 61) reads the same [project] table of
pyproject.toml (name, description, dependencies, ...); only the version, which pyproject.toml
declares dynamic (flit reads `cs_sop.__version__`), is passed in, read from that same line.
"""

import re
from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).resolve().parent


def version() -> str:
	text = (HERE / "cs_sop" / "__init__.py").read_text(encoding="utf-8")
	return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


setup(
	version=version(),
	# every folder of the app (doctype folders, fixtures/defaults, ... some have no __init__.py)
	packages=find_namespace_packages(include=["cs_sop", "cs_sop.*"], exclude=["*__pycache__*"]),
	# doctype JSON, shipped defaults, translations, JS and templates, as flit packs them
	package_data={
		"": ["*.json", "*.js", "*.css", "*.html", "*.csv", "*.po", "*.txt", "*.md", "*.svg", "*.png"]
	},
)
