# -*- coding: utf-8 -*-
"""What the benchmarks edit: generated MAPISVC.INF files and the one service declaration.

The files look like a real workstation's MAPISVC.INF: MAPI's own sections, Microsoft's
services, then vendor services with provider and profile sections, comments, CRLF line
endings and cp1252 text. Bigger files are more vendor services of the same shape, so time
per MB across sizes shows whether the cost grows linearly.
"""

from __future__ import annotations

import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / ".tmp" / "collections"


def install_collection_finder():
    """Make ``ansible_collections.mapi.messaging`` importable from this checkout, the way
    tests/conftest.py does (Ansible's own collection loader)."""
    link = COLLECTIONS / "ansible_collections" / "mapi" / "messaging"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(ROOT)
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    _AnsibleCollectionFinder(paths=[str(COLLECTIONS)])._install()


# The declaration every benchmark converges: the module's documented example plus a help
# file, two more service keys and a second provider: 20 keys in 7 sections (see edits()).
OPTIONS = {
    "service": "CONTOSO",
    "display_name": "Contoso Connector",
    "default_service": True,
    "help_file": "C:\\Program Files\\Contoso\\contoso.chm",
    "properties": {
        "PR_SERVICE_DLL_NAME": "C:\\Program Files\\Contoso\\contoso.dll",
        "PR_SERVICE_ENTRY_NAME": "ServiceEntry",
        "PR_RESOURCE_FLAGS": ["SERVICE_SINGLE_COPY", "SERVICE_NO_PRIMARY_IDENTITY"],
        "PR_SERVICE_SUPPORT_FILES": ["contoso.dll", "contosoui.dll"],
        "PR_SERVICE_DELETE_FILES": ["contoso.dll", "contosoui.dll"],
        "WIZARD_ENTRY_NAME": "WizardEntry",
        "66040003": 3,
    },
    "providers": [
        {"name": "CONTOSO_AB", "properties": {
            "PR_RESOURCE_TYPE": "MAPI_AB_PROVIDER",
            "PR_PROVIDER_DLL_NAME": "C:\\Program Files\\Contoso\\contoso.dll",
            "PR_PROVIDER_DISPLAY": "Contoso Directory"}},
        {"name": "CONTOSO_XP", "properties": {
            "PR_RESOURCE_TYPE": "MAPI_TRANSPORT_PROVIDER",
            "PR_PROVIDER_DLL_NAME": "C:\\Program Files\\Contoso\\contoso.dll",
            "PR_PROVIDER_DISPLAY": "Contoso Transport",
            "PR_RESOURCE_FLAGS": ["STATUS_NO_DEFAULT_STORE"]}},
    ],
    "sections": [
        {"name": "CONTOSO_Profile", "properties": {"UID": "13DBB0C8AA05101A9BB000AA002FC45A"}},
    ],
}


def edits():
    """The declaration as flat (section, key, file text) triples, for the tools that only
    set one key at a time (ConfigUpdater, configparser, community.general.ini_file).
    Taken from what our own core writes into an empty file, so every tool writes the same
    text."""
    from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, plan

    doc = ini.parse(b"")
    plan.apply(doc, [declaration.from_args(OPTIONS)], "present")
    return [(section, key, value) for section, items in doc.listing() for key, value in items]


# -- the file -------------------------------------------------------------------------
HEADER = """\
;
; MAPISVC.INF — MAPI service registrations for this workstation.
; Edited by setup programs; MAPI reads it when a profile gets a new service.
;
"""

# Microsoft's services as Outlook installs them: (service, display name, body lines, linked sections).
MICROSOFT = [
    ("MSEMS", "Microsoft Exchange Server",
     ["PR_SERVICE_DLL_NAME=emsui.dll", "PR_SERVICE_SUPPORT_FILES=emsui.dll,emsabp.dll,emsmdb.dll",
      "PR_SERVICE_DELETE_FILES=emsui.dll,emsabp.dll,emsmdb.dll",
      "PR_SERVICE_ENTRY_NAME=EMSCfg", "PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY",
      "WIZARD_ENTRY_NAME=EMSWizardEntry", "Providers=EMS_DSA, EMS_MDB_public, EMS_MDB_private",
      "Sections=EMS_Section"],
     [("EMS_DSA", ["PR_DISPLAY_NAME=Microsoft Exchange Directory Service",
                   "PR_PROVIDER_DISPLAY=Microsoft Exchange Directory Service",
                   "PR_PROVIDER_DLL_NAME=EMSABP.DLL", "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER",
                   "PR_RESOURCE_FLAGS=STATUS_PRIMARY_IDENTITY"]),
      ("EMS_MDB_public", ["PR_DISPLAY_NAME=Public Folders", "PR_PROVIDER_DISPLAY=Microsoft Exchange Message Store",
                          "PR_PROVIDER_DLL_NAME=EMSMDB.DLL", "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER",
                          "PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE", "PR_PROFILE_OPEN_FLAGS=06000000",
                          "PR_MDB_PROVIDER=78b2fa70aff711cd9bc800aa002fc45a"]),
      ("EMS_MDB_private", ["PR_PROVIDER_DISPLAY=Microsoft Exchange Message Store",
                           "PR_PROVIDER_DLL_NAME=EMSMDB.DLL", "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER",
                           "PR_RESOURCE_FLAGS=STATUS_PRIMARY_IDENTITY|STATUS_DEFAULT_STORE|STATUS_PRIMARY_STORE",
                           "PR_MDB_PROVIDER=5494a1c0297f101ba58708002b2a2517"]),
      ("EMS_Section", ["UID=13DBB0C8AA05101A9BB000AA002FC45A", "66000003=00000000"])]),
    ("MSPST MS", "Personal Folders File (.pst)",
     ["Providers=MSPST MSP", "PR_SERVICE_DLL_NAME=mspst.dll", "PR_SERVICE_SUPPORT_FILES=mspst.dll",
      "PR_SERVICE_ENTRY_NAME=PSTServiceEntry", "PR_RESOURCE_FLAGS=SERVICE_NO_PRIMARY_IDENTITY"],
     [("MSPST MSP", ["34140102=4e495441f9bfb80100aa0037d96e0000", "PR_PROVIDER_DLL_NAME=mspst.dll",
                     "PR_SERVICE_INSTALL_ID={6485D262-C2AC-11D1-AD3E-10A0C911C9C0}",
                     "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER", "PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE",
                     "PR_DISPLAY_NAME=Personal Folders", "PR_PROVIDER_DISPLAY=Personal Folders File (.pst)"])]),
    ("MSUPST MS", "Personal Folders File (.pst)",
     ["Providers=MSUPST MSP", "PR_SERVICE_DLL_NAME=mspst.dll", "PR_SERVICE_SUPPORT_FILES=mspst.dll",
      "PR_SERVICE_ENTRY_NAME=PSTServiceEntry", "PR_RESOURCE_FLAGS=SERVICE_NO_PRIMARY_IDENTITY"],
     [("MSUPST MSP", ["34140102=4e495441f9bfb80100aa0037d96e0000", "PR_PROVIDER_DLL_NAME=mspst.dll",
                      "PR_SERVICE_INSTALL_ID={6485D262-C2AC-11D1-AD3E-10A0C911C9C0}",
                      "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER", "PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE",
                      "PR_DISPLAY_NAME=Personal Folders", "PR_PROVIDER_DISPLAY=Personal Folders File (.pst)"])]),
    ("CONTAB", "Outlook Address Book",
     ["PR_SERVICE_DLL_NAME=contab.dll", "PR_SERVICE_SUPPORT_FILES=contab.dll",
      "PR_SERVICE_ENTRY_NAME=ContabServiceEntry", "PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY|SERVICE_NO_PRIMARY_IDENTITY",
      "Providers=CONTAB_PROV"],
     [("CONTAB_PROV", ["PR_PROVIDER_DLL_NAME=contab.dll", "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER",
                       "PR_DISPLAY_NAME=Outlook Address Book", "PR_PROVIDER_DISPLAY=Outlook Address Book"])]),
    ("EMABLT", "Microsoft LDAP Directory",
     ["PR_SERVICE_DLL_NAME=emablt.dll", "PR_SERVICE_SUPPORT_FILES=emablt.dll",
      "PR_SERVICE_ENTRY_NAME=ServiceEntry", "Providers=EMABLT_PROV",
      "PR_RESOURCE_FLAGS=SERVICE_NO_PRIMARY_IDENTITY"],
     [("EMABLT_PROV", ["PR_PROVIDER_DLL_NAME=emablt.dll", "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER",
                       "PR_DISPLAY_NAME=Microsoft LDAP Directory",
                       "PR_PROVIDER_DISPLAY=Microsoft LDAP Directory"])]),
]

VENDORS = ["Fabrikam", "Northwind", "Tailspin", "Litware", "Adatum", "Woodgrove", "Proseware",
           "Wingtip", "Lucerne", "Coho", "Humongous", "Trey", "Alpine", "Margie", "Lamna",
           "Relecloud", "VanArsdel", "Munson", "Datum", "Bellows"]
# cp1252 text a vendor's installer might write (the ASCII variant spells it out).
ANSI = {"Société": "Societe", "®": "(R)", "©": "(C)", "—": "-", "Münch": "Muench"}


def _hex(seed):
    return ("%08x" % (seed * 2654435761 % 2**32)) * 4


def _vendor(i):
    """One vendor service: a comment block, the service section, three providers and a
    profile section (about 1.6 KB)."""
    vendor = VENDORS[i % len(VENDORS)]
    name = vendor.upper() + ("" if i < len(VENDORS) else str(i // len(VENDORS)))
    dll = "C:\\Program Files\\%s\\%s.dll" % (vendor, vendor.lower())
    display = "%s Société Connector®" % vendor if i % 3 == 0 else "%s Mail Connector" % vendor
    body = [
        "; " + "-" * 70,
        "; %s — installed by %s Setup 4.%d.%d, © %s Ltd., Münchner Str. %d" % (display, vendor, i % 10, i % 7, vendor, i % 90),
        "; " + "-" * 70,
        "[%s]" % name,
        "PR_SERVICE_DLL_NAME=%s" % dll,
        "PR_SERVICE_SUPPORT_FILES=%s.dll, %sui.dll, %sres.dll" % ((vendor.lower(),) * 3),
        "PR_SERVICE_DELETE_FILES=%s.dll, %sui.dll" % ((vendor.lower(),) * 2),
        "PR_SERVICE_ENTRY_NAME=ServiceEntry",
        "PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY|SERVICE_NO_PRIMARY_IDENTITY",
        "WIZARD_ENTRY_NAME=WizardEntry",
        "Providers=%s_AB, %s_MS, %s_XP" % (name, name, name),
        "Sections=%s_Profile" % name,
        "66040003=%d" % (i % 4),
        "",
        "[%s_AB]" % name,
        "PR_RESOURCE_TYPE=MAPI_AB_PROVIDER",
        "PR_PROVIDER_DLL_NAME=%s" % dll,
        "PR_PROVIDER_DISPLAY=%s Directory" % vendor,
        "PR_DISPLAY_NAME=%s Directory" % vendor,
        "36150102=%s" % _hex(i * 3 + 1),
        "",
        "[%s_MS]" % name,
        "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER",
        "PR_RESOURCE_FLAGS=STATUS_NO_DEFAULT_STORE",
        "PR_PROVIDER_DLL_NAME=%s" % dll,
        "PR_PROVIDER_DISPLAY=%s Message Store" % vendor,
        "PR_DISPLAY_NAME=\"%s Mailbox \"" % vendor,
        "PR_MDB_PROVIDER=%s" % _hex(i * 3 + 2),
        "",
        "[%s_XP]" % name,
        "PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER",
        "PR_PROVIDER_DLL_NAME=%s" % dll,
        "PR_PROVIDER_DISPLAY=%s Transport" % vendor,
        "; the transport polls every 300 s unless the profile says otherwise",
        "66050003=300",
        "",
        "[%s_Profile]" % name,
        "UID=%s" % _hex(i * 3 + 3),
        "",
    ]
    return name, display, body


def _document(vendors):
    services = [(m[0], m[1]) for m in MICROSOFT]
    blocks = [_vendor(i) for i in range(vendors)]
    services += [(name, display) for name, display, dummy in blocks]
    lines = HEADER.splitlines()
    lines += ["[Services]"] + ["%s=%s" % s for s in services] + [""]
    lines += ["[Help File Mappings]", "MSEMS=Microsoft Exchange Server"]
    lines += ["%s=C:\\Program Files\\%s\\help.chm" % (name, name.title()) for name, dummy, dummy in blocks[::2]] + [""]
    lines += ["[Default Services]", "MSEMS=Microsoft Exchange Server", "CONTAB=Outlook Address Book", ""]
    for name, display, body, linked in MICROSOFT:
        lines += ["[%s]" % name] + body + [""]
        for section, entries in linked:
            lines += ["[%s]" % section] + entries + [""]
    for dummy, dummy, body in blocks:
        lines += body
    return "\r\n".join(lines) + "\r\n"


def mapisvc_inf(target_bytes, ansi=True):
    """A MAPISVC.INF of about ``target_bytes`` bytes (cp1252, CRLF). With ``ansi=False``
    the non-ASCII text is spelled in ASCII (for tools that only read UTF-8)."""
    def size(vendors):
        return len(_document(vendors))  # characters = bytes in cp1252

    base, per_vendor = size(0), size(2) - size(1)
    vendors = max(1, round((target_bytes - base) / per_vendor))
    text = _document(vendors)
    if not ansi:
        for word, ascii_word in ANSI.items():
            text = text.replace(word, ascii_word)
    return text.encode("cp1252")
