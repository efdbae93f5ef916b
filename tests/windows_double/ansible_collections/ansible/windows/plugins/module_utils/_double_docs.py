# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TEST DOUBLE support: the REAL ansible.windows module documentation as an argument spec.

Every double validates what it is given against the options the real module documents, so a
caller cannot use an option (or alias, choice, element type) that the real module lacks. The
real collection is the one installed with the ``ansible`` package: the first
``ansible_collections/ansible/windows`` on ``sys.path`` (then ``ANSIBLE_COLLECTIONS_PATH``)
that is not this double (the double carries a ``TEST_DOUBLE`` file at its root).
"""

from __future__ import annotations

import ast
import json
import os
import sys

import yaml

from ansible.module_utils.basic import AnsibleModule

DOUBLE_MARKER = "TEST_DOUBLE"

# Keys a module result may carry besides the real module's RETURN names.
COMMON_RESULT_KEYS = frozenset(("changed", "failed", "msg", "diff", "warnings", "deprecations",
                                "invocation", "skipped"))

# Ansible.Basic types the Python AnsibleModule spells differently. Windows paths are expanded
# by the double's path mapper (like Ansible.Basic's ``path`` type does with %VARS%), so the
# POSIX ``~``/``$VAR`` expansion of Python's ``path`` type must not touch them.
_TYPES = {"path": "str", "sid": "str", "string": "str", "boolean": "bool", "integer": "int",
          "dictionary": "dict"}
# libyaml's loader when present: the real documentation is read on every module run.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KNOWN_TYPES = frozenset(("str", "bool", "int", "float", "list", "dict", "raw", "json", "bytes", "bits"))


class RealDocsError(Exception):
    """The real module documentation could not be found or read."""


def _search_roots():
    roots = []
    for entry in list(sys.path) + os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        if entry and os.path.isdir(entry) and entry not in roots:
            roots.append(entry)
    return roots


def real_collection_dir(namespace="ansible", name="windows"):
    """Folder of the real (non-double) collection ``namespace.name``."""
    for root in _search_roots():
        candidate = os.path.join(root, "ansible_collections", namespace, name)
        if os.path.isdir(os.path.join(candidate, "plugins")) and \
                not os.path.exists(os.path.join(candidate, DOUBLE_MARKER)):
            return candidate
    raise RealDocsError("the real %s.%s collection was not found on sys.path or ANSIBLE_COLLECTIONS_PATH; "
                        "install the 'ansible' package in the interpreter that runs the modules"
                        % (namespace, name))


def _core_fragments_dir():
    for root in _search_roots():
        candidate = os.path.join(root, "ansible", "plugins", "doc_fragments")
        if os.path.isdir(candidate):
            return candidate
    raise RealDocsError("ansible-core's doc_fragments folder was not found on sys.path")


def _string_assignments(body):
    found = {}
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found[node.targets[0].id] = node.value.value
    return found


def _read_python_docs(path):
    with open(path, "rb") as handle:
        tree = ast.parse(handle.read(), path)
    return _string_assignments(tree.body)


def _read_fragment(name):
    """Options of one doc fragment, ``ns.coll.fragment[.variant]`` or core ``fragment[.variant]``."""
    parts = name.split(".")
    if len(parts) >= 3:
        folder = os.path.join(real_collection_dir(parts[0], parts[1]), "plugins", "doc_fragments")
        parts = parts[2:]
    else:
        folder = _core_fragments_dir()
    path = os.path.join(folder, parts[0] + ".py")
    attribute = parts[1].upper() if len(parts) > 1 else "DOCUMENTATION"
    if not os.path.exists(path):
        raise RealDocsError("doc fragment %s not found (looked for %s)" % (name, path))
    with open(path, "rb") as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "ModuleDocFragment":
            text = _string_assignments(node.body).get(attribute)
            if text is not None:
                return yaml.load(text, Loader=_LOADER) or {}
    raise RealDocsError("doc fragment %s has no %s" % (name, attribute))


def real_docs(module_name):
    """(DOCUMENTATION dict with fragments merged, RETURN dict, source file) of the real module."""
    folder = os.path.join(real_collection_dir(), "plugins", "modules")
    py_path = os.path.join(folder, module_name + ".py")
    yml_path = os.path.join(folder, module_name + ".yml")
    if os.path.exists(py_path):
        texts = _read_python_docs(py_path)
        doc = yaml.load(texts.get("DOCUMENTATION") or "", Loader=_LOADER) or {}
        returns = yaml.load(texts.get("RETURN") or "", Loader=_LOADER) or {}
        source = py_path
    elif os.path.exists(yml_path):
        with open(yml_path, "rb") as handle:
            data = yaml.load(handle, Loader=_LOADER) or {}
        doc, returns = data.get("DOCUMENTATION") or {}, data.get("RETURN") or {}
        doc = yaml.load(doc, Loader=_LOADER) if isinstance(doc, str) else doc
        returns = yaml.load(returns, Loader=_LOADER) if isinstance(returns, str) else returns
        source = yml_path
    else:
        raise RealDocsError("ansible.windows.%s: no documentation in the real collection (%s)" % (module_name, folder))
    fragments = doc.get("extends_documentation_fragment") or []
    if isinstance(fragments, str):
        fragments = [fragments]
    options = dict(doc.get("options") or {})
    for fragment in fragments:
        for key, value in (_read_fragment(fragment).get("options") or {}).items():
            # As in ansible-core: the module's own description of an option wins.
            options.setdefault(key, value)
    doc["options"] = options
    return doc, returns or {}, source


def _option_spec(name, option):
    doc_type = option.get("type", "raw")
    spec = {"type": _TYPES.get(doc_type, doc_type)}
    if spec["type"] not in _KNOWN_TYPES:
        spec["type"] = "raw"
    if "elements" in option:
        elements = _TYPES.get(option["elements"], option["elements"])
        spec["elements"] = elements if elements in _KNOWN_TYPES else "raw"
    for key in ("choices", "aliases", "required", "no_log"):
        if key in option:
            spec[key] = option[key]
    if option.get("default") is not None:
        spec["default"] = option["default"]
    # Ansible.Basic hides values of options named like secrets; say so to the Python side too.
    if "no_log" not in spec and ("password" in name or "passphrase" in name):
        spec["no_log"] = True
    if option.get("suboptions"):
        spec["options"] = argument_spec_from_options(option["suboptions"])
    return spec


def argument_spec_from_options(options):
    return {name: _option_spec(name, option or {}) for name, option in (options or {}).items()}


class DoubleModule(AnsibleModule):
    """AnsibleModule validated against the real module's documented options.

    ``internal`` adds options that only the double's own action plugin passes (the real
    modules have the same private options, e.g. win_copy's ``_copy_mode``).
    """

    def __init__(self, module_name, internal=None, **kwargs):
        try:
            doc, returns, source = real_docs(module_name)
        except (RealDocsError, OSError, SyntaxError, yaml.YAMLError) as e:
            # No AnsibleModule exists yet to fail through; answer as one would.
            print(json.dumps({"failed": True, "msg": "TEST DOUBLE cannot validate arguments: %s" % e}))
            sys.exit(1)
        spec = argument_spec_from_options(doc["options"])
        spec.update(internal or {})
        self.real_doc_source = source
        self.return_names = frozenset(returns)
        super().__init__(argument_spec=spec, supports_check_mode=True, **kwargs)

    def exit_double(self, result, extra_keys=()):
        """exit_json, refusing result names the real module does not document."""
        unknown = sorted(set(result) - self.return_names - COMMON_RESULT_KEYS - set(extra_keys))
        if unknown:
            self.fail_json(msg="TEST DOUBLE bug: result names %s are not in the real module's RETURN (%s)"
                           % (", ".join(unknown), self.real_doc_source))
        self.exit_json(**result)
