"""The demo force (`jingying demo`): a deterministic Inner Mongolia force for demos, tests and benchmarks.

Import the generator from jingying.org.demo.generator; this package's top level stays light
because jingying.cli resolves `jingying.org.demo:cli_demo` before Django has loaded the models.
"""

from __future__ import annotations

import argparse


def cli_demo(args: argparse.Namespace) -> int:
    from jingying.org.demo.cli import cli_demo as run

    return run(args)


__all__ = ["cli_demo"]
