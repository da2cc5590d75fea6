"""The `backbone` command line: one verb per module in `backbone.commands`."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import backbone.commands

app = typer.Typer(
    help="Backbone: a governed analytics warehouse for multi-entity wholesale distributors.",
    no_args_is_help=True,
    add_completion=False,
)


def _register_commands() -> None:
    """Each command module exposes `register(app)`; adding a verb is adding a module."""
    for module_info in sorted(
        pkgutil.iter_modules(backbone.commands.__path__), key=lambda m: m.name
    ):
        module = importlib.import_module(f"backbone.commands.{module_info.name}")
        module.register(app)


_register_commands()

if __name__ == "__main__":
    app()
