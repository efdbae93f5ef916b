# -*- coding: utf-8 -*-
"""Generated declarations completed the way mapisvc requires, for property tests about
something else: the generators leave every provider entry optional, and mapisvc refuses a
provider that lacks an entry properties.missing_provider_entries calls required."""

from ansible_collections.mapi.messaging.plugins.plugin_utils import properties

# A value of each required entry that every check accepts (a DLL name without the 32).
FILLERS = {"PR_PROVIDER_DLL_NAME": "contoso.dll"}


def with_complete_providers(args):
    """``args`` with the required entries every present provider lacks added."""
    if not args.get("providers"):
        return args
    providers = []
    for item in args["providers"]:
        if item.get("state", "present") == "present":
            declared = dict(item.get("properties") or {})
            for entry, required in properties.missing_provider_entries(declared):
                if required:
                    declared[entry] = FILLERS[entry]
            item = dict(item, properties=declared)
        providers.append(item)
    return dict(args, providers=providers)
