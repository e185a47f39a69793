"""Validates OCSF events against the official OCSF JSON schemas (the `ocsf-json-schema`
package, offline) of the version each event declares in `metadata.version`, with the profiles
it declares in `metadata.profiles`.

Reads JSON lines on stdin: each line is an event, or carries one under the key `ocsf`; other
lines are ignored. Prints {"validated": N, "classes": {...}, "errors": [...]} and exits 1 when
any event is invalid (or none was found).
"""

import json
import sys

import jsonschema
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

_schemas = {}
_validators = {}


def validator_for(version, class_uid, profiles):
    if version not in _schemas:
        _schemas[version] = OcsfJsonSchemaEmbedded(get_ocsf_schema(version))
    key = (version, class_uid, tuple(sorted(profiles)))
    if key not in _validators:
        embedded = _schemas[version]
        name = embedded.lookup_class_name_from_uid(class_uid)
        schema = embedded.get_class_schema(name, list(profiles))
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validators[key] = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return _validators[key]


def main():
    validated = 0
    classes = {}
    errors = []
    for number, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue
        event = doc.get("ocsf", doc) if isinstance(doc, dict) else None
        if not isinstance(event, dict) or "class_uid" not in event:
            continue
        metadata = event.get("metadata", {})
        try:
            v = validator_for(
                metadata.get("version"), event["class_uid"], metadata.get("profiles", [])
            )
        except Exception as e:  # noqa: BLE001 - an unknown version or class is a failure too
            errors.append({"line": number, "error": f"no schema: {e}"})
            continue
        problems = sorted(v.iter_errors(event), key=lambda e: list(e.absolute_path))
        for p in problems[:5]:
            errors.append(
                {
                    "line": number,
                    "class_uid": event["class_uid"],
                    "path": "/".join(str(x) for x in p.absolute_path),
                    "error": p.message[:300],
                }
            )
        validated += 1
        classes[str(event["class_uid"])] = classes.get(str(event["class_uid"]), 0) + 1
    print(json.dumps({"validated": validated, "classes": classes, "errors": errors}))
    return 1 if errors or validated == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
