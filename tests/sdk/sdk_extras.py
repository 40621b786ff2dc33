"""The rest of the SDK surface mlcat answers: test_connection() (GET /config), the OpenAPI
ingestion mode, the v2 DataHubClient, a non-ASCII URN (which the Rest.li path sends as \\uXXXX
escapes), and bad input, which fails at once with the server's message (a 4xx: no retries)
and writes nothing, even when only one proposal of a batch is bad."""

import time
import warnings

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.configuration.common import OperationalError
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter

from common import GMS, check, expect, gql, graph

warnings.simplefilter("ignore")  # the v2 SDK warns that it is experimental

g = graph()

# test_connection: GET /config must satisfy the SDK's checks.
emitter = DatahubRestEmitter(gms_server=GMS)
emitter.test_connection()
g.test_connection()
check("test_connection (emitter and graph)", g.server_config.raw_config.get("noCode") == "true")

# OpenAPI mode: POST /openapi/v3/entity/{entityType}, one call and a batch.
openapi = DatahubRestEmitter(gms_server=GMS, openapi_ingestion=True)
one = builder.make_ml_feature_urn("openapi-table", "openapi-single")
openapi.emit(MetadataChangeProposalWrapper(
    entityUrn=one,
    aspect=models.MLFeaturePropertiesClass(description="via openapi", dataType="CONTINUOUS"),
))
expect("OpenAPI emit reads back", g.get_aspect(one, models.MLFeaturePropertiesClass).description, "via openapi")
many = [builder.make_ml_feature_urn("openapi-table", f"openapi-{i}") for i in range(3)]
openapi.emit_mcps([
    MetadataChangeProposalWrapper(entityUrn=u, aspect=models.MLFeaturePropertiesClass(description=u))
    for u in many
] + [MetadataChangeProposalWrapper(
    entityUrn=builder.make_ml_feature_table_urn("feast", "openapi-table"),
    aspect=models.MLFeatureTablePropertiesClass(mlFeatures=many),
)])
table = gql('{ mlFeatureTable(urn: "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,openapi-table)") { properties { mlFeatures { name } } } }')
expect("OpenAPI emit_mcps (two entity types)", table["mlFeatureTable"]["properties"]["mlFeatures"],
       [{"name": "openapi-0"}, {"name": "openapi-1"}, {"name": "openapi-2"}])

# The v2 client: test_connection sees a core version below 1.0.1 and stays on Rest.li.
from datahub.sdk import DataHubClient, MLModel  # noqa: E402

client = DataHubClient(server=GMS)
client.entities.upsert(MLModel(id="v2-model", platform="mlflow", description="from the v2 client"))
urn = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,v2-model,PROD)"
expect("DataHubClient v2 upsert and get", client.entities.get(urn).description, "from the v2 client")

# A non-ASCII URN: the Rest.li path sends it as \u00e9; it reads back under the real characters.
cafe = builder.make_ml_feature_urn("unicode-table", "café-模型")
emitter.emit(MetadataChangeProposalWrapper(
    entityUrn=cafe, aspect=models.MLFeaturePropertiesClass(description="naïve"),
))
expect("a non-ASCII URN round-trips (get_aspect)", g.get_aspect(cafe, models.MLFeaturePropertiesClass).description, "naïve")
expect("a non-ASCII URN round-trips (GraphQL)", gql("query($u: String!) { mlFeature(urn: $u) { name description } }", {"u": cafe}),
       {"mlFeature": {"name": "café-模型", "description": "naïve"}})


def refused(what: str, emit, needle: str) -> None:
    started = time.monotonic()
    try:
        emit()
    except OperationalError as e:
        elapsed = time.monotonic() - started
        message = str(e.info.get("message", e)) if isinstance(e.info, dict) else str(e)
        check(f"{what}: refused with the reason", needle in message, message)
        check(f"{what}: refused at once, not retried", elapsed < 5, f"{elapsed:.1f} s")
        return
    raise SystemExit(f"FAIL {what}: the server accepted it")


def raw(urn: str, aspect: str, value: str) -> models.MetadataChangeProposalClass:
    """A proposal built by hand, as another client might send it: the SDK's own classes refuse
    a bad enum value before sending."""
    return models.MetadataChangeProposalClass(
        entityType="mlFeature",
        changeType=models.ChangeTypeClass.UPSERT,
        entityUrn=urn,
        aspectName=aspect,
        aspect=models.GenericAspectClass(value=value, contentType="application/json"),
    )


bad = builder.make_ml_feature_urn("bad-table", "bad-enum")
refused("a bad enum value", lambda: emitter.emit(
    raw(bad, "mlFeatureProperties", '{"dataType": "NOPE"}')
), "NOPE")
expect("a refused proposal writes nothing", g.get_aspect(bad, models.MLFeaturePropertiesClass), None)

refused("a missing required field", lambda: emitter.emit(models.MetadataChangeProposalClass(
    entityType="mlPrimaryKey",
    changeType=models.ChangeTypeClass.UPSERT,
    entityUrn="urn:li:mlPrimaryKey:(bad-table,no-sources)",
    aspectName="mlPrimaryKeyProperties",
    aspect=models.GenericAspectClass(value='{"description": "no sources"}', contentType="application/json"),
)), "sources")

batch = [builder.make_ml_feature_urn("bad-batch", f"f{i}") for i in range(5)]
refused("a batch whose proposal 3 of 5 is bad", lambda: emitter.emit_mcps([
    raw(u, "mlFeatureProperties", '{"dataType": "%s"}' % ("NOPE" if i == 2 else "TEXT"))
    for i, u in enumerate(batch)
]), "proposal 3 of 5")
expect("a refused batch writes nothing", [g.exists(u) for u in batch], [False] * 5)
