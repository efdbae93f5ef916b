# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A static check of every PowerShell script the collection ships (there is no PowerShell
on the machines that run these tests; this is the most that can run here).

Each script is parsed with the tree-sitter PowerShell grammar and fails on any ERROR or
MISSING node, and is searched, outside comments and string text, for constructs Windows
PowerShell 5.1 (what a stock Windows target runs) does not have. Scripts are found, not
listed: strings in Python under plugins/ that carry a ``# mapi.messaging: <name>`` marker
line, every *.ps1 under roles/ and plugins/, and the ``script:`` of every win_powershell task
under roles/, playbooks/ and extensions/molecule/.
"""

from __future__ import annotations

import ast
import pathlib
import re

import pytest
import yaml

tree_sitter = pytest.importorskip("tree_sitter")
tree_sitter_powershell = pytest.importorskip("tree_sitter_powershell")

ROOT = pathlib.Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^[ \t]*#[ \t]*mapi\.messaging:[ \t]*[\w-]+[ \t]*$", re.MULTILINE)
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
WIN_POWERSHELL = ("ansible.windows.win_powershell", "win_powershell")

# PowerShell 7 syntax and parameters missing from Windows PowerShell 5.1, found in the text
# with comments and string contents blanked out.
PS51_INCOMPATIBLE = (
    (re.compile(r"\?\?=?"), "the null-coalescing operator ?? / ??= needs PowerShell 7"),
    (re.compile(r"\$\{?\w+\}?\?(?:\.|\[)"), "null-conditional member access ?. / ?[] needs PowerShell 7"),
    (re.compile(r"[^\s|{(;]\s+\?\s+[^\s{][^\n]*\s:\s"), "the ternary operator ? : needs PowerShell 7"),
    (re.compile(r"&&|\|\|"), "pipeline chain operators && / || need PowerShell 7"),
    (re.compile(r"-AsByteStream\b", re.IGNORECASE), "-AsByteStream needs PowerShell 6 (5.1: -Encoding Byte)"),
    (re.compile(r"\bForEach-Object\b[^\n|]*-Parallel\b|\s-Parallel\b", re.IGNORECASE),
     "ForEach-Object -Parallel needs PowerShell 7"),
    (re.compile(r"\bConvertFrom-Json\b[^\n|]*-AsHashtable\b", re.IGNORECASE),
     "ConvertFrom-Json -AsHashtable needs PowerShell 6"),
    (re.compile(r"\bConvertTo-Json\b[^\n|]*-(?:AsArray|EnumsAsStrings|EscapeHandling)\b", re.IGNORECASE),
     "this ConvertTo-Json parameter needs PowerShell 6 or later"),
    (re.compile(r"\bJoin-String\b", re.IGNORECASE), "Join-String needs PowerShell 6.2"),
    (re.compile(r"\bGet-Error\b", re.IGNORECASE), "Get-Error needs PowerShell 7"),
    (re.compile(r"\bTest-Json\b", re.IGNORECASE), "Test-Json needs PowerShell 6.1"),
    (re.compile(r"\$PSStyle\b", re.IGNORECASE), "$PSStyle needs PowerShell 7.2"),
    (re.compile(r"\$Is(?:Windows|Linux|MacOS|CoreCLR)\b", re.IGNORECASE), "$IsWindows and friends need PowerShell 6"),
    (re.compile(r"-SkipCertificateCheck\b", re.IGNORECASE), "-SkipCertificateCheck needs PowerShell 6"),
    (re.compile(r"-Encoding\s+['\"]?utf8(?:NoBOM|BOM)\b", re.IGNORECASE), "-Encoding utf8NoBOM/utf8BOM need PowerShell 6"),
    (re.compile(r"^\s*clean\s*\{", re.IGNORECASE | re.MULTILINE), "clean {} blocks need PowerShell 7.3"),
)
_STRING_NODES = ("expandable_string_literal", "expandable_here_string_literal")
_BLANKED_NODES = ("comment", "verbatim_string_characters", "verbatim_here_string_characters")


def _blank(buffer, start, end):
    for index in range(start, end):
        if buffer[index] not in b"\r\n":
            buffer[index] = ord(" ")


def _code_only(source, tree):
    """The source with comments and string text blanked (newlines kept, so lines still
    count); a $( ) sub-expression inside a string stays, it is code."""
    buffer = bytearray(source)

    def walk(node):
        if node.type in _BLANKED_NODES:
            _blank(buffer, node.start_byte, node.end_byte)
            return
        if node.type in _STRING_NODES:
            cursor = node.start_byte
            for child in node.named_children:
                if child.type == "sub_expression":
                    _blank(buffer, cursor, child.start_byte)
                    walk(child)
                    cursor = child.end_byte
            _blank(buffer, cursor, node.end_byte)
            return
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return buffer.decode("utf-8", "replace")


def check_script(text):
    """[(line, message)] for one script (line 1 = its first line); [] when it is clean."""
    source = text.encode("utf-8")
    tree = PARSER.parse(source)
    problems = []

    def walk(node):
        if node.is_missing:
            problems.append((node.start_point[0] + 1, "parse error: missing %s" % node.type))
        elif node.is_error:
            snippet = source[node.start_byte:node.end_byte].decode("utf-8", "replace").strip().splitlines()
            problems.append((node.start_point[0] + 1, "parse error near %r" % (snippet[0][:60] if snippet else "")))
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    code = _code_only(source, tree)
    for pattern, message in PS51_INCOMPATIBLE:
        for match in pattern.finditer(code):
            problems.append((code.count("\n", 0, match.start()) + 1, "PowerShell 5.1: " + message))
    return sorted(set(problems))


# -- finding the scripts ---------------------------------------------------------------------
def _python_scripts(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and MARKER.search(node.value):
            yield node.lineno, node.value


def _tasks(node):
    """Every mapping in a YAML document that may be a task (blocks and nested lists included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _tasks(value)
    elif isinstance(node, list):
        for item in node:
            yield from _tasks(item)


def _yaml_scripts(path):
    text = path.read_text(encoding="utf-8")
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return
    for task in _tasks(documents):
        for name in WIN_POWERSHELL:
            args = task.get(name)
            if isinstance(args, dict) and isinstance(args.get("script"), str):
                first = args["script"].strip().splitlines()[0] if args["script"].strip() else ""
                index = text.find(first) if first else -1
                yield (text.count("\n", 0, index) + 1 if index >= 0 else 1), args["script"]


def shipped_scripts():
    """[(label, first line in its file, script text)] for every script the collection ships."""
    found = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        found += [(str(path.relative_to(ROOT)), line, text) for line, text in _python_scripts(path)]
    for folder in ("roles", "plugins"):
        for path in sorted((ROOT / folder).rglob("*.ps1")):
            found.append((str(path.relative_to(ROOT)), 1, path.read_text(encoding="utf-8-sig")))
    for folder in ("roles", "playbooks", "extensions/molecule"):
        for path in sorted((ROOT / folder).rglob("*.y*ml")) if (ROOT / folder).is_dir() else []:
            found += [(str(path.relative_to(ROOT)), line, text) for line, text in _yaml_scripts(path)]
    return found


SCRIPTS = shipped_scripts()


def test_the_scripts_the_collection_is_known_to_ship_are_found():
    labels = {(label, text.splitlines()[0].strip()) for label, line, text in SCRIPTS}
    assert ("plugins/plugin_utils/transport.py", "# mapi.messaging: replace") in labels
    assert ("plugins/plugin_utils/transport.py", "# mapi.messaging: read") in labels
    assert ("plugins/plugin_utils/probe_script.py", "# mapi.messaging: probe") in labels
    assert any(label.endswith(".ps1") for label, line, text in SCRIPTS)


@pytest.mark.parametrize("label, line, text", SCRIPTS, ids=["%s:%d" % (label, line) for label, line, text in SCRIPTS])
def test_every_shipped_powershell_script_parses_and_runs_on_windows_powershell_5_1(label, line, text):
    problems = ["%s:%d: %s" % (label, line + offset - 1, message) for offset, message in check_script(text)]
    assert problems == []


# -- the check itself can fail -----------------------------------------------------------------
def test_a_script_that_does_not_parse_is_reported_with_its_line():
    problems = check_script("$a = 1\nif ($a) {\n    Write-Output 'x'\n")
    assert problems and all(message.startswith("parse error") for line, message in problems)
    broken = check_script("$x = 1\nfunction f( {\n")
    assert broken and broken[0][0] == 2


@pytest.mark.parametrize("line, fragment", [
    ("$a = $b ? 1 : 2", "ternary"),
    ("$a = $b ?? 'default'", "null-coalescing"),
    ("$a ??= 'default'", "null-coalescing"),
    ("$n = ${item}?.Name", "null-conditional"),
    ("Get-Item C:\\x && Write-Output ok", "chain"),
    ("Get-Item C:\\x || Write-Output missing", "chain"),
    ("$b = Get-Content -LiteralPath $p -AsByteStream", "AsByteStream"),
    ("1..3 | ForEach-Object -Parallel { $_ }", "Parallel"),
    ("$h = '{}' | ConvertFrom-Json -AsHashtable", "AsHashtable"),
    ("$s = 1..3 | Join-String -Separator ','", "Join-String"),
    ("Write-Output $PSStyle.Reset", "PSStyle"),
    ("if ($IsWindows) { 1 }", "IsWindows"),
    ("Set-Content -LiteralPath $p -Value x -Encoding utf8NoBOM", "utf8NoBOM"),
    ("function f {\n    process { 1 }\n    clean { 2 }\n}", "clean"),
])
def test_each_powershell_7_construct_is_reported_with_file_and_line(line, fragment):
    script = "# mapi.messaging: sample\n$p = 'C:\\x'\n" + line + "\n"
    problems = check_script(script)
    # Reported on the line that holds it (the sample's third line or later), by name.
    assert any(fragment.lower() in message.lower() and number >= 3 for number, message in problems), problems


def test_the_same_words_inside_comments_and_strings_are_not_reported():
    script = ("# a ?? b, c && d, -AsByteStream, $PSStyle\n"
              "$m = 'x ? y : z && || -Parallel Join-String'\n"
              "$n = \"cost: $($m.Length) ?? no\"\n"
              "$w = Get-ChildItem | ? { $_.Length -gt 1 }\n"
              "$g = Get-Process | Group-Object -Property Name -AsHashTable\n")
    assert check_script(script) == []


def test_code_inside_a_string_sub_expression_is_still_checked():
    assert any("null-coalescing" in message for line, message in check_script("$n = \"v: $($a ?? 1)\"\n"))


# -- the Active Setup script decides as the role's plan does ------------------------------------
# The script runs at logon for every user the role could not decide itself; the table in
# tests/unit/profile_cases.py is what the plan is proven against (test_core_profile_modes.py). No
# PowerShell runs here, so this proves what the syntax tree can: the script names exactly the
# table's outcomes, acts on the ones that change something, and reads the registry the way the
# probe does (values as stored, and a failure is a failure, never "nothing there").
PROFILE_SCRIPT = ROOT / "roles/message_service/files/message_service_profile.ps1"


def _nodes(node, kind):
    if node.type == kind:
        yield node
    for child in node.children:
        yield from _nodes(child, kind)


def _literal(source, node):
    """The text of a lone string literal under ``node`` ('x' or "x" without $), else None."""
    literals = list(_nodes(node, "string_literal"))
    if len(literals) != 1 or source[literals[0].start_byte:literals[0].end_byte] != source[node.start_byte:node.end_byte].strip():
        return None
    return source[literals[0].start_byte + 1:literals[0].end_byte - 1].decode("utf-8")


def _function(source, tree, name):
    for node in _nodes(tree.root_node, "function_statement"):
        names = [child for child in node.children if child.type == "function_name"]
        if names and source[names[0].start_byte:names[0].end_byte].decode("utf-8").lower() == name.lower():
            return node
    raise AssertionError("function %s not found" % name)


def script_outcomes(text):
    """The outcome names the script's Get-Outcome can give: its returned literals and the
    literals it assigns to $outcome."""
    source = text.encode("utf-8")
    tree = PARSER.parse(source)
    function = _function(source, tree, "Get-Outcome")
    found = set()
    for node in _nodes(function, "flow_control_statement"):
        if node.children and node.children[0].type == "return" and len(node.children) > 1:
            found.add(_literal(source, node.children[1]))
    for node in _nodes(function, "assignment_expression"):
        left = source[node.children[0].start_byte:node.children[0].end_byte].decode("utf-8").strip()
        if left.lower() == "$outcome":
            found.add(_literal(source, node.children[-1]))
    return found - {None, ""}


def script_actions(text):
    """The outcome names the script's main body compares $outcome with."""
    source = text.encode("utf-8")
    tree = PARSER.parse(source)
    function = _function(source, tree, "Get-Outcome")
    found = set()
    for node in _nodes(tree.root_node, "comparison_expression"):
        if node.start_byte >= function.start_byte and node.end_byte <= function.end_byte:
            continue
        operators = [child for child in node.children if child.type == "comparison_operator"]
        if len(node.children) == 3 and operators and source[node.children[0].start_byte:node.children[0].end_byte].strip() == b"$outcome":
            found.add(_literal(source, node.children[2]))
    return found - {None}


def test_the_active_setup_script_gives_exactly_the_outcomes_of_the_shared_decision_table():
    from profile_cases import OUTCOMES  # pylint: disable=import-outside-toplevel

    assert script_outcomes(PROFILE_SCRIPT.read_text(encoding="utf-8")) == set(OUTCOMES)


def test_the_active_setup_script_acts_on_the_outcomes_that_change_a_users_setup_key():
    assert script_actions(PROFILE_SCRIPT.read_text(encoding="utf-8")) >= {"withdraw", "import_prf", "arranged"}


def test_the_outcome_checks_see_a_missing_branch():
    script = ("function Get-Outcome {\n    if ($a) {\n        return 'keep'\n    }\n    $outcome = 'withdraw'\n"
              "    return $outcome\n}\n$outcome = Get-Outcome\nif ($outcome -eq 'withdraw') {\n    exit 0\n}\n")
    assert script_outcomes(script) == {"keep", "withdraw"}
    assert script_actions(script) == {"withdraw"}


@pytest.mark.parametrize("pattern, why", [
    (r"\bGet-ItemProperty\b|\bGet-ChildItem\b|\bTest-Path\b|\bNew-ItemProperty\b|\bRemove-ItemProperty\b|HKCU:",
     "PowerShell's registry drive splits key names at '/' and hides access errors; use .NET's RegistryKey"),
    (r"SilentlyContinue", "an error ignored would be read as 'nothing there'"),
])
def test_the_active_setup_script_reads_the_registry_as_the_probe_does(pattern, why):
    text = PROFILE_SCRIPT.read_text(encoding="utf-8")
    source = text.encode("utf-8")
    code = _code_only(source, PARSER.parse(source))
    assert not re.search(pattern, code, re.IGNORECASE), why
    assert "OpenSubKey(" in code
    # Every value is read as stored: REG_EXPAND_SZ is not expanded (the probe does not either).
    reads = re.findall(r"\.GetValue\(([^)]*)\)", code)
    assert reads and all(read.replace(" ", "").endswith(",$null,$doNotExpand") for read in reads), reads
    assert "DoNotExpandEnvironmentNames" in text


def _function_code(text, name):
    """The code of PowerShell function ``name`` in ``text``, comments and blanks left out."""
    source = text.encode("utf-8")
    tree = PARSER.parse(source)
    for node in _nodes(tree.root_node, "function_statement"):
        if re.search(r"function\s+%s\b" % re.escape(name), node.text.decode("utf-8"), re.IGNORECASE):
            code = _code_only(source[node.start_byte:node.end_byte], PARSER.parse(source[node.start_byte:node.end_byte]))
            return re.sub(r"\s+", "", code)
    raise AssertionError("no function %s" % name)


def test_the_active_setup_script_reads_a_service_name_exactly_as_the_probe_does():
    # Two copies of one rule (the script runs alone at logon, the probe through win_powershell):
    # this keeps them the same code, so a user the census counts is a user the script sees.
    from ansible_collections.mapi.messaging.plugins.plugin_utils.probe_script import PROBE_SCRIPT
    script = PROFILE_SCRIPT.read_text(encoding="utf-8")
    assert _function_code(script, "Read-ServiceName") == _function_code(PROBE_SCRIPT, "Read-ServiceName")
