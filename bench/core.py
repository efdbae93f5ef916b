# -*- coding: utf-8 -*-
"""Core benchmark: bytes in, one service declared, bytes out, without Ansible.

Our core (parse, apply, render) against ConfigUpdater and configparser doing the same 20
key edits. Each timed call starts from the file's bytes and ends with the new bytes, so
decoding and encoding count for everyone.
"""

from __future__ import annotations

import configparser
import difflib
import gc
import io
import time

from configupdater import ConfigUpdater

import sample
from ansible_collections.mapi.messaging.plugins.plugin_utils import declaration, ini, plan

# (label, size in bytes, repetitions): fewer repetitions where one run takes seconds.
SIZES = [("20 KB", 20_000, 30), ("1 MB", 1_000_000, 5), ("10 MB", 10_000_000, 2)]
EDITS = sample.edits()


def ours(data):
    doc = ini.parse(data)
    plan.apply(doc, [declaration.from_args(sample.OPTIONS, doc.can_encode)], "present")
    return doc.render()


def with_configupdater(data):
    # No blanks around "=": what MAPISVC.INF files use, and what Windows writes.
    updater = ConfigUpdater(space_around_delimiters=False)
    updater.read_string(data.decode("cp1252"))
    for section, key, value in EDITS:
        if not updater.has_section(section):
            updater.add_section(section)
        updater[section].set(key, value)
    return str(updater).encode("cp1252")


def configparser_edit(strict):
    # interpolation=None: "%" in a value is plain text in MAPISVC.INF.
    def with_configparser(data):
        parser = configparser.ConfigParser(interpolation=None, strict=strict)
        parser.read_string(data.decode("cp1252"))
        for section, key, value in EDITS:
            if not parser.has_section(section):
                parser.add_section(section)
            parser.set(section, key, value)
        out = io.StringIO()
        parser.write(out, space_around_delimiters=False)
        return out.getvalue().encode("cp1252")
    return with_configparser


IMPLEMENTATIONS = [
    ("mapisvc core", ours),
    ("ConfigUpdater", with_configupdater),
    ("configparser", configparser_edit(strict=True)),
]


def best_of(fn, data, repetitions):
    times = []
    for dummy in range(repetitions):
        start = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - start)
    return min(times)


def best_without_gc(fn, data, repetitions):
    """Diagnostic: the same timing with Python's cyclic garbage collector off. Parsing makes
    one object per line, and the collector's full passes cost more the more objects are
    alive, which bends the time per MB upwards for big files."""
    gc.collect()
    gc.disable()
    try:
        return best_of(fn, data, repetitions)
    finally:
        gc.enable()


def phases(data, repetitions):
    """Best time of each step of our core: parse, declare and apply, render."""
    best = {"parse": float("inf"), "apply": float("inf"), "render": float("inf")}
    for dummy in range(repetitions):
        start = time.perf_counter()
        doc = ini.parse(data)
        parsed = time.perf_counter()
        plan.apply(doc, [declaration.from_args(sample.OPTIONS, doc.can_encode)], "present")
        applied = time.perf_counter()
        doc.render()
        rendered = time.perf_counter()
        for step, seconds in (("parse", parsed - start), ("apply", applied - parsed), ("render", rendered - applied)):
            best[step] = min(best[step], seconds)
    return best


def first_call(label, fn, data):
    """One untimed call (warm-up, and the output for the fidelity check). Returns
    (function to time, output, note); function None when the tool cannot edit the file."""
    try:
        return fn, fn(data), ""
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError) as e:
        if label != "configparser":
            return None, None, "failed: %s: %s" % (type(e).__name__, e)
        lenient = configparser_edit(strict=False)
        return lenient, lenient(data), "strict=True failed (%s); timed with strict=False" % type(e).__name__
    except Exception as e:  # noqa: BLE001 - any failure is a result to report, not a crash
        return None, None, "failed: %s: %s" % (type(e).__name__, str(e).splitlines()[0][:200])


def fidelity(original, output):
    """What an edit did to the file, as facts a reader can check."""
    doc = ini.parse(output)
    before = original.decode("cp1252").splitlines(keepends=True)
    after = output.decode("cp1252").splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    touched = sum(i2 - i1 for tag, i1, i2, dummy, dummy in matcher.get_opcodes() if tag in ("replace", "delete"))
    comments = sum(1 for line in before if line.lstrip().startswith(";"))
    return {
        "read back": all(doc.get(section, key) == value for section, key, value in EDITS),
        "touched": touched,
        "lines": len(before),
        "comments kept": sum(1 for line in after if line.lstrip().startswith(";")),
        "comments": comments,
        "crlf": b"\n" not in output.replace(b"\r\n", b""),
        "same as ours": None,
    }


def run(log):
    """Returns {size label: {"bytes", "repetitions", "results": {impl: {"seconds", "note"}},
    "phases", "no gc", and for the first size "fidelity": {impl: facts}}}."""
    report = {}
    for size_label, target, repetitions in SIZES:
        data = sample.mapisvc_inf(target)
        entry = report[size_label] = {"bytes": len(data), "repetitions": repetitions, "results": {}}
        outputs = {}
        for label, fn in IMPLEMENTATIONS:
            timed, output, note = first_call(label, fn, data)
            result = entry["results"][label] = {"note": note, "seconds": None}
            if timed is not None:
                result["seconds"] = best_of(timed, data, repetitions)
                outputs[label] = output
            seconds = "%.4f s" % result["seconds"] if result["seconds"] else "-"
            log("core %-6s %-14s %s %s" % (size_label, label, seconds, note))
        entry["phases"] = phases(data, repetitions)
        entry["no gc"] = best_without_gc(ours, data, repetitions)
        log("core %-6s mapisvc core, phases %s; gc off %.4f s" % (
            size_label, " ".join("%s %.4f" % kv for kv in entry["phases"].items()), entry["no gc"]))
        if size_label == SIZES[0][0]:
            entry["fidelity"] = {}
            for label, output in outputs.items():
                facts = fidelity(data, output)
                facts["same as ours"] = output == outputs.get("mapisvc core")
                entry["fidelity"][label] = facts
    return report
