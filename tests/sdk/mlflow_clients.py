"""MLflow's own client (`mlflow` on PyPI, `MlflowClient(registry_uri=...)`) against mlcat's
MLflow registry API: registered models and versions, tags, aliases, stages, searches with
filters, orders and pages, renames and deletes, MLflow's error codes; then what MLflow wrote,
read through GraphQL (the group's versions on platform `mlflow`)."""

import os
import sys
import warnings

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from common import GMS, expect, gql

# Stages are deprecated in MLflow's client, and still served: they are under test here.
warnings.filterwarnings("ignore", category=FutureWarning)

# A refusal is answered at once: no retries to wait through.
os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"

# The tracking URI is never called (no runs are logged); pointing it at the server keeps the
# client from making a local store.
client = MlflowClient(tracking_uri=GMS, registry_uri=GMS)


def refused(what, code, call):
    try:
        call()
    except MlflowException as e:
        expect(f"{what}: error code", e.error_code, code)
        return e
    sys.exit(f"FAIL {what}: no error")


# Registered models.
m = client.create_registered_model("churn", tags={"team": "ml"}, description="churn model")
expect("created name", m.name, "churn")
expect("created tags", m.tags, {"team": "ml"})
expect("created description", m.description, "churn model")
refused("a duplicate name", "RESOURCE_ALREADY_EXISTS", lambda: client.create_registered_model("churn"))
refused("an unknown model", "RESOURCE_DOES_NOT_EXIST", lambda: client.get_registered_model("nope"))
refused("a name with a slash", "INVALID_PARAMETER_VALUE", lambda: client.create_registered_model("a/b"))
for i in range(5):
    client.create_registered_model(f"fraud-{i}")

# Versions: numbered 1, 2, 3; run, source, tags.
v1 = client.create_model_version("churn", "s3://models/churn/1", run_id="run-a", tags={"k": "v"})
v2 = client.create_model_version("churn", "s3://models/churn/2", run_id="run-b", description="second")
v3 = client.create_model_version("churn", "s3://models/churn/3", run_id="run-b")
expect("version numbers", [v1.version, v2.version, v3.version], ["1", "2", "3"])
expect("version source", v1.source, "s3://models/churn/1")
expect("version run", v1.run_id, "run-a")
expect("version tags", v1.tags, {"k": "v"})
expect("version status", v1.status, "READY")
expect("version stage", v1.current_stage, "None")
got = client.get_model_version("churn", "2")
expect("get version", (got.version, got.description, got.run_id), ("2", "second", "run-b"))
expect("download uri", client.get_model_version_download_uri("churn", "3"), "s3://models/churn/3")
refused("an unknown version", "RESOURCE_DOES_NOT_EXIST", lambda: client.get_model_version("churn", "9"))
refused("a version of an unknown model", "RESOURCE_DOES_NOT_EXIST",
        lambda: client.create_model_version("nope", "s3://x"))

client.update_model_version("churn", "1", description="first")
expect("updated version", client.get_model_version("churn", "1").description, "first")
client.set_model_version_tag("churn", "1", "reviewed", "yes")
client.delete_model_version_tag("churn", "1", "k")
expect("version tags edited", client.get_model_version("churn", "1").tags, {"reviewed": "yes"})

# Stages.
client.transition_model_version_stage("churn", "1", "Production")
client.transition_model_version_stage("churn", "2", "staging")
expect("stage", client.get_model_version("churn", "2").current_stage, "Staging")
refused("an unknown stage", "INVALID_PARAMETER_VALUE",
        lambda: client.transition_model_version_stage("churn", "2", "Shipped"))
expect("stage unchanged after a refusal", client.get_model_version("churn", "2").current_stage, "Staging")
client.transition_model_version_stage("churn", "3", "Production", archive_existing_versions=True)
expect("archived", client.get_model_version("churn", "1").current_stage, "Archived")
latest = client.get_latest_versions("churn", stages=["Production"])
expect("latest in production", [v.version for v in latest], ["3"])
latest = client.get_latest_versions("churn")
expect("latest of each stage", sorted((v.current_stage, v.version) for v in latest),
       [("Archived", "1"), ("Production", "3"), ("Staging", "2")])

# Aliases.
client.set_registered_model_alias("churn", "champion", "2")
expect("by alias", client.get_model_version_by_alias("churn", "champion").version, "2")
client.set_registered_model_alias("churn", "champion", "3")
expect("moved alias", client.get_model_version_by_alias("churn", "champion").version, "3")
expect("model aliases", client.get_registered_model("churn").aliases, {"champion": "3"})
expect("version aliases", client.get_model_version("churn", "3").aliases, ["champion"])
# One alias for both APIs: GraphQL reads it on the version MLflow moved it to.
data = gql(
    """query($urn: String!) { mlModel(urn: $urn) {
         versionProperties { version { versionTag } aliases { versionTag } isLatest } } }""",
    {"urn": "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn_3,PROD)"},
)
expect("GraphQL: version 3's version properties", data["mlModel"]["versionProperties"],
       {"version": {"versionTag": "3"}, "aliases": [{"versionTag": "champion"}], "isLatest": True})
refused("an alias on a missing version", "RESOURCE_DOES_NOT_EXIST",
        lambda: client.set_registered_model_alias("churn", "champion", "9"))
refused("a reserved alias", "INVALID_PARAMETER_VALUE",
        lambda: client.set_registered_model_alias("churn", "v1", "1"))
expect("alias kept after refusals", client.get_model_version_by_alias("churn", "champion").version, "3")
client.delete_registered_model_alias("churn", "champion")
refused("a deleted alias", "RESOURCE_DOES_NOT_EXIST",
        lambda: client.get_model_version_by_alias("churn", "champion"))

# Registered-model tags and description.
client.set_registered_model_tag("churn", "owner", "ana")
client.delete_registered_model_tag("churn", "team")
client.update_registered_model("churn", description="predicts churn")
m = client.get_registered_model("churn")
expect("model tags", m.tags, {"owner": "ana"})
expect("model description", m.description, "predicts churn")
expect("latest versions on the model", sorted(v.version for v in m.latest_versions), ["1", "2", "3"])

# Searches: filters, orders, pages.
names = lambda ms: [x.name for x in ms]
expect("name LIKE", names(client.search_registered_models("name LIKE 'fraud-%'", order_by=["name DESC"])),
       [f"fraud-{i}" for i in reversed(range(5))])
expect("name =", names(client.search_registered_models("name = 'churn'")), ["churn"])
expect("name ILIKE", names(client.search_registered_models("name ILIKE 'CHURN'")), ["churn"])
expect("tags.x =", names(client.search_registered_models("tags.owner = 'ana'")), ["churn"])
expect("name IN", names(client.search_registered_models("name IN ('fraud-1', 'fraud-3')")), ["fraud-1", "fraud-3"])
page1 = client.search_registered_models("name LIKE 'fraud%'", max_results=2)
page2 = client.search_registered_models("name LIKE 'fraud%'", max_results=2, page_token=page1.token)
page3 = client.search_registered_models("name LIKE 'fraud%'", max_results=2, page_token=page2.token)
expect("pages", [names(page1), names(page2), names(page3)],
       [["fraud-0", "fraud-1"], ["fraud-2", "fraud-3"], ["fraud-4"]])
expect("last page has no token", page3.token or None, None)
refused("a filter that does not parse", "INVALID_PARAMETER_VALUE",
        lambda: client.search_registered_models("name = 'a' OR name = 'b'"))
refused("a bad order", "INVALID_PARAMETER_VALUE",
        lambda: client.search_registered_models(order_by=["size DESC"]))
vs = client.search_model_versions("run_id = 'run-b'", order_by=["version_number ASC"])
expect("versions by run", [(v.name, v.version) for v in vs], [("churn", "2"), ("churn", "3")])
vs = client.search_model_versions("name = 'churn' AND version_number >= 2", order_by=["version_number DESC"])
expect("versions by name and number", [v.version for v in vs], ["3", "2"])

# Rename keeps the versions; the old name is free again.
client.rename_registered_model("churn", "churn-v2")
refused("the old name", "RESOURCE_DOES_NOT_EXIST", lambda: client.get_registered_model("churn"))
expect("renamed model's versions", client.get_model_version("churn-v2", "3").source, "s3://models/churn/3")
refused("a rename onto an existing name", "RESOURCE_ALREADY_EXISTS",
        lambda: client.rename_registered_model("churn-v2", "fraud-1"))
client.create_registered_model("churn")
expect("the old name reused", client.get_registered_model("churn").latest_versions, [])

# GraphQL sees what MLflow wrote: the group on platform mlflow, its versions in order.
group_urn = "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,churn,PROD)"
data = gql(
    """query($urn: String!) { mlModelGroup(urn: $urn) { urn properties { name } } }""",
    {"urn": group_urn},
)
expect("GraphQL: the renamed group", data["mlModelGroup"]["properties"]["name"], "churn-v2")
model_urn = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn_3,PROD)"
data = gql(
    """query($urn: String!) { mlModel(urn: $urn) { urn properties { groups { urn } } } }""",
    {"urn": model_urn},
)
expect("GraphQL: version 3's group", data["mlModel"]["properties"]["groups"], [{"urn": group_urn}])

# Deletes.
client.delete_model_version("churn-v2", "1")
refused("a deleted version", "RESOURCE_DOES_NOT_EXIST", lambda: client.get_model_version("churn-v2", "1"))
client.delete_registered_model("churn-v2")
refused("a deleted model", "RESOURCE_DOES_NOT_EXIST", lambda: client.get_registered_model("churn-v2"))
refused("a deleted model's version", "RESOURCE_DOES_NOT_EXIST", lambda: client.get_model_version("churn-v2", "3"))

print("mlflow_clients: ok")
