# Parses a scrape read from stdin with the Prometheus Python client's own parsers, and prints what they
# found as JSON: argv[1] is "prometheus" (text format 0.0.4) or "openmetrics" (the strict OpenMetrics
# 1.0 parser, which refuses a missing "# EOF", a unit that is not the name's suffix, buckets out of
# order, a count that is not the +Inf bucket...). A parse error exits with status 1 and its message.
import json
import math
import sys

if sys.argv[1] == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families


def number(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


try:
    families = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        families.append({
            "name": family.name,
            "type": family.type,
            "help": family.documentation,
            "unit": family.unit,
            "samples": [{"name": s.name, "labels": s.labels, "value": number(s.value)} for s in family.samples],
        })
except Exception as e:  # the parsers raise ValueError and friends: all of them mean "not a valid scrape"
    print("%s: %s" % (type(e).__name__, e), file=sys.stderr)
    sys.exit(1)
json.dump(families, sys.stdout)
