"""After the tutorial's scripts: older versions of an aspect read back through the SDK's
get_aspect(version=N) (0 is the latest, 1 the oldest), a version that does not exist reads as
None, graph.exists() answers from the key aspect, and GraphQL's aspectHistory (when the schema
has it) lists the versions with their actor and run id."""

import datahub.metadata.schema_classes as models

from common import FEATURE, FEATURE2, FEATURE3, GROUP, MODEL, TABLE, check, expect, gql, graph

g = graph()

latest = g.get_aspect(MODEL, models.MLModelPropertiesClass)
first = g.get_aspect(MODEL, models.MLModelPropertiesClass, version=1)
second = g.get_aspect(MODEL, models.MLModelPropertiesClass, version=2)
missing = g.get_aspect(MODEL, models.MLModelPropertiesClass, version=3)

expect("version 0 is the latest (add_mlfeature_to_mlmodel)", latest.mlFeatures, [FEATURE3, FEATURE, FEATURE2])
expect("version 1 is create_mlmodel's", (first.description, first.groups), ("my feature", [GROUP]))
expect("version 1 keeps its metrics", [(m.name, m.value) for m in first.trainingMetrics], [("accuracy", "1.0")])
expect("version 2 is the latest write", second.to_obj(), latest.to_obj())
expect("a version never written reads as None", missing, None)

old_table = g.get_aspect(TABLE, models.MLFeatureTablePropertiesClass, version=1)
expect("the table's version 1 still has its description", old_table.description, "Test description")

expect("exists: a written feature", g.exists(FEATURE), True)
expect("exists: a feature only referenced", g.exists(FEATURE3), False)
key = g.get_aspect(FEATURE, models.MLFeatureKeyClass)
expect("the key aspect comes from the URN", (key.featureNamespace, key.name), ("my-feature-table", "my-feature"))

fields = gql('{ __type(name: "MLModel") { fields { name } } }')["__type"]["fields"]
if any(f["name"] == "aspectHistory" for f in fields):
    history = gql(
        """query($urn: String!) { mlModel(urn: $urn) {
             aspectHistory(aspectName: "mlModelProperties") { aspectName version isLatest actor runId value } } }""",
        {"urn": MODEL},
    )["mlModel"]["aspectHistory"]
    expect("aspectHistory: newest first", [(h["version"], h["isLatest"]) for h in history], [(2, True), (1, False)])
    expect("aspectHistory: actor and run id", {(h["actor"], h["runId"]) for h in history}, {("anonymous", "no-run-id-provided")})
    check("aspectHistory: the old value", history[1]["value"]["description"] == "my feature", history[1])
else:
    print("skip aspectHistory: the GraphQL schema does not expose it yet")
