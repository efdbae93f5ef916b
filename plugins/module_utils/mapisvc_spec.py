# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of mapi.messaging.mapisvc, shared by the action plugin (which does the work
on the controller) and the module file (which documents them), so the two cannot drift."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_SECTION = dict(
    name=dict(type="str", required=True),
    properties=dict(type="dict", default={}),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)

ARGUMENT_SPEC = dict(
    path=dict(type="str", required=True, aliases=["dest"]),
    service=dict(type="str"),
    display_name=dict(type="str"),
    default_service=dict(type="bool"),
    help_file=dict(type="str"),
    properties=dict(type="dict"),
    providers=dict(type="list", elements="dict", options=_SECTION),
    sections=dict(type="list", elements="dict", options=_SECTION),
    src=dict(type="path"),
    purge=dict(type="bool", default=False),
    backup=dict(type="bool", default=False),
    create=dict(type="bool", default=False),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    codepage=dict(type="str", default="cp1252"),
    allow_secrets=dict(type="bool", default=False),
)

MUTUALLY_EXCLUSIVE = [
    ["src", "service"], ["src", "display_name"], ["src", "default_service"],
    ["src", "help_file"], ["src", "properties"], ["src", "providers"], ["src", "sections"],
]

REQUIRED_ONE_OF = [["service", "src"]]
