"""The documentation's commands exist: every CLI command in README.md and docs/ runs with --help,
and every flag written beside it is one the command accepts.

Commands are read from code (fenced blocks and inline code), where the docs show what to type,
written either ``python -m safeguarding COMMAND`` or ``safeguarding COMMAND``.
"""

from __future__ import annotations

import argparse
import re

import pytest

from safeguarding import cli
from safeguarding.paths import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.DOTALL)
COMMAND = re.compile(r"(?:python -m safeguarding|(?<![\w./-])safeguarding)((?:[ \t]+[^\s#|`;&]+)*)")


def code_of(text: str) -> list[str]:
    return [block or inline for block, inline in CODE.findall(text)]


def documented_commands() -> list[tuple[str, str, list[str]]]:
    """(file, the command as written, its words) for every command shown in the docs."""
    found = []
    for path in DOCS:
        for code in code_of(path.read_text(encoding="utf-8")):
            # A command continued with a trailing backslash is one line.
            for line in code.replace("\\\n", " ").splitlines():
                line = line.split("#", 1)[0]
                for match in COMMAND.finditer(line):
                    words = match.group(1).split()
                    if words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
                        found.append((path.name, match.group(0).strip(), words))
    return found


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def resolve(words: list[str]) -> tuple[list[str], argparse.ArgumentParser]:
    """The command path the words name (e.g. ['actions', 'list']) and its parser."""
    parser, path = cli.build_parser(), []
    for word in words:
        choices = subcommands(parser)
        if not choices:
            break
        assert word in choices, f"no command {' '.join([*path, word])!r}"
        parser, path = choices[word], [*path, word]
    return path, parser


def leaf_parsers(parser: argparse.ArgumentParser, path=()) -> list[tuple[str, object]]:
    choices = subcommands(parser)
    if not choices:
        return [(" ".join(path), parser)]
    return [leaf for name, sub in choices.items() for leaf in leaf_parsers(sub, (*path, name))]


COMMANDS = documented_commands()


def test_the_docs_show_commands_to_check():
    assert len(COMMANDS) > 20
    assert {"README.md", "importing.md"} <= {name for name, _, _ in COMMANDS}


@pytest.mark.parametrize(("doc", "written", "words"), COMMANDS, ids=[c[1] for c in COMMANDS])
def test_every_documented_command_exists_and_its_help_runs(capsys, doc, written, words):
    path, parser = resolve(words)
    assert not subcommands(parser), f"{doc}: {written!r} names no complete command"
    with pytest.raises(SystemExit) as done:
        cli.main([*path, "--help"])
    assert done.value.code == 0
    assert "usage:" in capsys.readouterr().out
    # Optional flags are written in brackets ("[--overdue]"); each must exist all the same.
    for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", " ".join(words)):
        assert flag in parser._option_string_actions, f"{doc}: {written!r}: no option {flag}"


def test_every_command_takes_db_as_the_readme_says():
    assert "every command\ntakes `--db PATH`" in (ROOT / "README.md").read_text(encoding="utf-8")
    lacking = [
        name
        for name, parser in leaf_parsers(cli.build_parser())
        if "--db" not in parser._option_string_actions
    ]
    assert lacking == []


def test_an_undocumented_flag_is_caught():
    _, parser = resolve(["scorecard"])
    assert "--month" in parser._option_string_actions
    assert "--quarter" not in parser._option_string_actions
    with pytest.raises(AssertionError):
        resolve(["no-such-command"])
