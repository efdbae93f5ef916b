# -*- coding: utf-8 -*-
"""What a declared service must make the file read, shared by the property-based tests
(tests/unit) and the differential tests against the Windows API (tests/differential)."""

from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration


def declared_values(service):
    """(section, key) -> file text the declaration puts there (None: must be absent)."""
    values = {(declaration.SERVICES, service.name): service.display_name}
    if service.default_service is not None:
        values[(declaration.DEFAULT_SERVICES, service.name)] = \
            service.display_name if service.default_service else None
    values.update({(service.name, key): text for key, text in service.section_entries().items()})
    for linked in service.linked():
        values.update({(linked.name, key): text for key, text in linked.entries.items()})
    return values


def apply_or_reject(doc, services, **options):
    """``plan.apply``, for property tests about what a run writes: a declaration the core
    refuses (it names a section another service owns) is no example for them, so it is
    rejected, after checking that the refusal left the document as it was (the refusals
    themselves are tested in tests/unit/test_no_harm.py)."""
    from hypothesis import reject

    from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, plan

    before = doc.render()
    try:
        return plan.apply(doc, services, **options)
    except declaration.DeclarationError:
        assert doc.render() == before
        reject()
