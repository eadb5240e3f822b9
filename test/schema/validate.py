#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate dax-admin's JSON output against the schemas in schemas/.

  validate.py SCHEMA-DIR CAPTURE-DIR PREFIX
      Every file CAPTURE-DIR/*.COMMAND.json (one JSON document, or JSON
      lines for COMMAND "monitor-event") is checked against
      SCHEMA-DIR/COMMAND.schema.json. Prints, per command, either
      "PASS: PREFIX/schema/COMMAND: N documents" or one
      "FAIL: PREFIX/schema/COMMAND: FILE: where: what" per invalid document.
      Exit 0 when all are valid, 1 otherwise.
  validate.py SCHEMA-DIR - COMMAND
      Check one document on standard input (exit 0 valid, 1 not).

Every schema is itself checked against its meta-schema first."""
import glob
import json
import os
import sys

try:
    import jsonschema
    from jsonschema.validators import validator_for
except ImportError:
    print("SKIP: schema: python3-jsonschema is not installed (apt-get install python3-jsonschema)")
    sys.exit(77)


def load_validators(schema_dir):
    base = "file://" + os.path.abspath(schema_dir) + "/"
    store = {}
    schemas = {}
    for path in sorted(glob.glob(os.path.join(schema_dir, "*.schema.json"))):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        cls = validator_for(schema)
        cls.check_schema(schema)
        store[base + os.path.basename(path)] = schema
        schemas[os.path.basename(path)[: -len(".schema.json")]] = schema
    validators = {}
    for name, schema in schemas.items():
        resolver = jsonschema.RefResolver(base + name + ".schema.json", schema, store=store)
        validators[name] = validator_for(schema)(schema, resolver=resolver)
    return validators


def documents(path, command):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")  # invalid UTF-8 in output is itself a failure
    if command == "monitor-event":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return [json.loads(text)]


def problems(validator, doc):
    """The most telling error of an invalid document (under oneOf, the
    deepest sub-error says more than "not valid under any"), or nothing."""
    best = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if best is not None:
        where = "/" + "/".join(str(p) for p in best.absolute_path)
        yield where, best.message[:200]


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    schema_dir, capture, third = sys.argv[1:]
    validators = load_validators(schema_dir)
    if capture == "-":
        doc = json.load(sys.stdin)
        bad = list(problems(validators[third], doc))
        for where, what in bad:
            print(f"{where}: {what}", file=sys.stderr)
        return 1 if bad else 0
    counts, failed, bad_commands = {}, 0, set()
    for path in sorted(glob.glob(os.path.join(capture, "*.json"))):
        command = os.path.basename(path).split(".")[-2]
        if command not in validators:
            print(f"FAIL: {third}/schema/{command}: {path}: no schema for this command")
            failed += 1
            continue
        counts[command] = counts.get(command, 0)
        try:
            docs = documents(path, command)
        except (ValueError, UnicodeDecodeError) as e:
            print(f"FAIL: {third}/schema/{command}: {path}: not JSON: {e}")
            failed += 1
            continue
        for doc in docs:
            bad = list(problems(validators[command], doc))
            for where, what in bad:
                print(f"FAIL: {third}/schema/{command}: {path}: {where}: {what}")
                bad_commands.add(command)
            failed += bool(bad)
            counts[command] += 1
    if not counts and not failed:
        print(f"SKIP: {third}/schema: no JSON documents were captured")
    for command, n in sorted(counts.items()):
        if command in bad_commands:
            continue
        print(f"PASS: {third}/schema/{command}: {n} documents" if n else
              f"SKIP: {third}/schema/{command}: no output captured")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
