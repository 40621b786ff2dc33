"""DataHub's patch builders and the other change types against mlcat, through the real SDK and
CLI: `DatasetPatchBuilder` (upstream, tag, owner, term, custom property, and their removal),
patches of an ML model and a feature table built on the SDK's own patch mixins,
`DataHubClient().lineage.add_lineage`, `DataHubClient().entities.create` (a second creation
refused, by the client and by the server's CREATE_ENTITY check), `datahub put` and
`datahub timeline`, each checked by what the client reads back."""

import json
import os
import subprocess
import tempfile
from typing import Tuple

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.configuration.common import OperationalError
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.mcp_patch_builder import MetadataPatchProposal, PatchPath
from datahub.emitter.rest_emitter import DatahubRestEmitter
from datahub.errors import SdkUsageError
from datahub.sdk import Dataset
from datahub.sdk.main_client import DataHubClient
from datahub.specific.aspect_helpers.custom_properties import HasCustomPropertiesPatch
from datahub.specific.aspect_helpers.tags import HasTagsPatch
from datahub.specific.dataset import DatasetPatchBuilder

from common import GMS, check, expect, gql, graph

DS = builder.make_dataset_urn("hive", "patch_clients.orders", "PROD")
UP = builder.make_dataset_urn("hive", "patch_clients.raw_orders", "PROD")
UP2 = builder.make_dataset_urn("hive", "patch_clients.raw_refunds", "PROD")
MODEL = builder.make_ml_model_urn("mlflow", "patch-clients-churn", "PROD")
TABLE = builder.make_ml_feature_table_urn("feast", "patch_clients_users")
F1 = builder.make_ml_feature_urn("patch_clients_users", "age")
F2 = builder.make_ml_feature_urn("patch_clients_users", "tenure")
PII = "urn:li:tag:pii"
GOLD = "urn:li:tag:gold"
ANA = "urn:li:corpuser:ana"
BEN = "urn:li:corpuser:ben"
TERM = "urn:li:glossaryTerm:Revenue"

g = graph()
emitter = DatahubRestEmitter(gms_server=GMS)
g.emit(MetadataChangeProposalWrapper(entityUrn=DS, aspect=models.DatasetPropertiesClass(
    name="orders", description="Orders", customProperties={"owner_team": "sales"})))
for upstream in (UP, UP2):
    g.emit(MetadataChangeProposalWrapper(entityUrn=upstream, aspect=models.DatasetPropertiesClass(
        description="Raw data")))

# --- DatasetPatchBuilder: one PATCH proposal per aspect, applied to the latest value.
patch = (
    DatasetPatchBuilder(DS)
    .add_upstream_lineage(models.UpstreamClass(dataset=UP, type=models.DatasetLineageTypeClass.TRANSFORMED))
    .add_tag(models.TagAssociationClass(tag=PII))
    .add_tag(models.TagAssociationClass(tag=GOLD))
    .add_owner(models.OwnerClass(owner=ANA, type=models.OwnershipTypeClass.DATAOWNER))
    .add_owner(models.OwnerClass(owner=BEN, type=models.OwnershipTypeClass.TECHNICAL_OWNER))
    .add_term(models.GlossaryTermAssociationClass(urn=TERM))
    .add_custom_property("refresh", "hourly")
)
mcps = patch.build()
check("the builder sends PATCH", all(m.changeType == "PATCH" for m in mcps), [m.changeType for m in mcps])
g.emit_mcps(mcps)

upstreams = g.get_aspect(DS, models.UpstreamLineageClass)
expect("patched upstream", [(u.dataset, u.type) for u in upstreams.upstreams], [(UP, "TRANSFORMED")])
expect("patched tags", [t.tag for t in g.get_tags(DS).tags], [PII, GOLD])
expect("patched owners", sorted((o.owner, o.type) for o in g.get_ownership(DS).owners),
       [(ANA, "DATAOWNER"), (BEN, "TECHNICAL_OWNER")])
expect("patched terms", [t.urn for t in g.get_glossary_terms(DS).terms], [TERM])
props = g.get_aspect(DS, models.DatasetPropertiesClass)
expect("patched custom property keeps the others", props.customProperties,
       {"owner_team": "sales", "refresh": "hourly"})
expect("the rest of datasetProperties is untouched", (props.name, props.description), ("orders", "Orders"))

# Removal, and the same patch twice changes nothing more.
removal = DatasetPatchBuilder(DS).remove_tag(GOLD).remove_owner(BEN).remove_custom_property("refresh")
g.emit_mcps(removal.build())
g.emit_mcps(DatasetPatchBuilder(DS).remove_tag(GOLD).build())
expect("tag removed", [t.tag for t in g.get_tags(DS).tags], [PII])
expect("owner removed", [o.owner for o in g.get_ownership(DS).owners], [ANA])
expect("custom property removed", g.get_aspect(DS, models.DatasetPropertiesClass).customProperties,
       {"owner_team": "sales"})

# --- The lineage client's add_lineage sends an upstream patch; the first upstream stays.
client = DataHubClient(graph=g)
client.lineage.add_lineage(upstream=UP2, downstream=DS)
upstreams = g.get_aspect(DS, models.UpstreamLineageClass)
expect("add_lineage adds an upstream", [(u.dataset, u.type) for u in upstreams.upstreams],
       [(UP, "TRANSFORMED"), (UP2, "COPY")])
# Column-level lineage: the builder sends one path per upstream field.
total = builder.make_schema_field_urn(DS, "total")
price, qty = builder.make_schema_field_urn(UP, "price"), builder.make_schema_field_urn(UP, "qty")
g.emit_mcps(DatasetPatchBuilder(DS).add_fine_grained_lineage(models.FineGrainedLineageClass(
    upstreamType="FIELD_SET", upstreams=[price, qty], downstreamType="FIELD", downstreams=[total],
    transformOperation="SUM", confidenceScore=0.9)).build())
fine = g.get_aspect(DS, models.UpstreamLineageClass).fineGrainedLineages
expect("column-level lineage patched", [(f.upstreams, f.downstreams, f.transformOperation) for f in fine],
       [([price, qty], [total], "SUM")])
expect("the upstreams stay", len(g.get_aspect(DS, models.UpstreamLineageClass).upstreams), 2)
lineage = client.lineage.get_lineage(source_urn=DS, direction="upstream", max_hops=1)
expect("the patched upstreams are lineage", sorted(r.urn for r in lineage), sorted([UP, UP2]))


# --- ML entities: the SDK's patch mixins on an ML model and a feature table.
class MLModelPatch(HasTagsPatch, HasCustomPropertiesPatch):
    @classmethod
    def _custom_properties_location(cls) -> Tuple[str, PatchPath]:
        return "mlModelProperties", ("customProperties",)

    def add_feature(self, feature: str) -> "MLModelPatch":
        self._add_patch("mlModelProperties", "add", path=("mlFeatures", feature), value=feature)
        return self


class FeatureTablePatch(MetadataPatchProposal):
    def add_feature(self, feature: str) -> "FeatureTablePatch":
        self._add_patch("mlFeatureTableProperties", "add", path=("mlFeatures", feature), value=feature)
        return self


g.emit(MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.MLModelPropertiesClass(
    description="Churn", mlFeatures=[F1])))
g.emit_mcps(MLModelPatch(MODEL).add_tag(models.TagAssociationClass(tag=PII))
            .add_custom_property("framework", "xgboost").add_feature(F2).build())
g.emit_mcps(FeatureTablePatch(TABLE).add_feature(F1).add_feature(F2).build())
model = g.get_aspect(MODEL, models.MLModelPropertiesClass)
expect("model patch keeps the description", model.description, "Churn")
expect("model patch adds a feature", model.mlFeatures, [F1, F2])
expect("model patch adds a custom property", model.customProperties, {"framework": "xgboost"})
expect("model patch adds a tag", [t.tag for t in g.get_tags(MODEL).tags], [PII])
table = g.get_aspect(TABLE, models.MLFeatureTablePropertiesClass)
expect("feature table patch creates the aspect", table.mlFeatures, [F1, F2])
answer = gql("query($u: String!) { mlFeatureTable(urn: $u) { properties { mlFeatures { urn } } } }", {"u": TABLE})
expect("the patched features are edges", [f["urn"] for f in answer["mlFeatureTable"]["properties"]["mlFeatures"]], [F1, F2])

# A patch the server cannot apply is refused at once (a 4xx), and nothing is written.
bad = MetadataPatchProposal(DS)
bad._add_patch("globalTags", "add", path=("labels", "x"), value={})
try:
    g.emit_mcps(bad.build())
    check("an unknown patch path is refused", False)
except OperationalError as e:
    check("an unknown patch path is refused", "labels" in str(e), e)
expect("nothing written by the refused patch", [t.tag for t in g.get_tags(DS).tags], [PII])

# --- entities.create: CREATE_ENTITY then CREATE of each aspect; a second create is refused.
NEW = Dataset(platform="hive", name="patch_clients.created", description="Created by the v2 client")
client.entities.create(NEW)
created = client.entities.get(NEW.urn)
expect("entities.create wrote the dataset", created.description, "Created by the v2 client")
try:
    client.entities.create(Dataset(platform="hive", name="patch_clients.created"))
    check("a second entities.create is refused", False)
except SdkUsageError as e:
    check("a second entities.create is refused", "already exists" in str(e), e)
# The server refuses it too, whatever the client checked before.
key = MetadataChangeProposalWrapper(entityUrn=str(NEW.urn), aspect=NEW.urn.to_key_aspect(),
                                    changeType=models.ChangeTypeClass.CREATE_ENTITY)
try:
    emitter.emit(key)
    check("CREATE_ENTITY of an existing entity is refused", False)
except OperationalError as e:
    check("CREATE_ENTITY of an existing entity is refused", "CREATE_ENTITY" in str(e), e)
# The v2 client keeps a description in editableDatasetProperties.
again = MetadataChangeProposalWrapper(entityUrn=str(NEW.urn), aspect=models.EditableDatasetPropertiesClass(
    description="overwritten"), changeType=models.ChangeTypeClass.CREATE)
try:
    emitter.emit(again)
    check("CREATE of an existing aspect is refused", False)
except OperationalError as e:
    check("CREATE of an existing aspect is refused", "CREATE" in str(e), e)
expect("the refused CREATE wrote nothing", client.entities.get(NEW.urn).description, "Created by the v2 client")

# --- The CLI: datahub put (POST /aspects/?action=ingestProposal) and datahub timeline.
env = dict(os.environ, DATAHUB_GMS_URL=GMS, DATAHUB_TELEMETRY_ENABLED="false")
cli = os.path.join(os.path.dirname(os.sys.executable), "datahub")
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"description": "Put by the CLI", "customProperties": {"via": "put"}}, f)
put = subprocess.run([cli, "put", "--urn", DS, "--aspect", "editableDatasetProperties", "-d", f.name],
                     env=env, capture_output=True, text=True, timeout=120)
os.unlink(f.name)
check("datahub put succeeds", put.returncode == 0 and "Update succeeded" in put.stdout, put.stdout + put.stderr)
expect("datahub put wrote the aspect", g.get_aspect(DS, models.EditableDatasetPropertiesClass).description,
       "Put by the CLI")

timeline = subprocess.run([cli, "timeline", "--urn", DS, "--category", "TAG", "--category", "OWNER"],
                          env=env, capture_output=True, text=True, timeout=120)
check("datahub timeline succeeds", timeline.returncode == 0, timeline.stdout + timeline.stderr)
lines = [line.strip() for line in timeline.stdout.splitlines()]
check("the timeline shows the tags added", any(l.startswith("ADD TAG") and PII in l for l in lines), timeline.stdout)
check("the timeline shows the tag removed", any(l.startswith("REMOVE TAG") and GOLD in l for l in lines), timeline.stdout)
check("the timeline shows the owner removed", any(l.startswith("REMOVE OWNER") and BEN in l for l in lines), timeline.stdout)
check("the timeline has computed versions", any("-computed" in l for l in lines), timeline.stdout)
verbose = subprocess.run([cli, "timeline", "--urn", DS, "--category", "TAG", "--verbose"],
                         env=env, capture_output=True, text=True, timeout=120)
body = verbose.stdout[verbose.stdout.index("["):]
txns = json.loads(body)
expect("timeline transactions of TAG", [sorted(e["changeType"] for e in t["changeEvents"]) for t in txns],
       [["ADD", "ADD"], ["REMOVE"]])
expect("timeline semantic versions", [t["semVer"] for t in txns], ["0.1.0-computed", "0.2.0-computed"])
bad_category = subprocess.run([cli, "timeline", "--urn", DS, "--category", "NOPE"],
                              env=env, capture_output=True, text=True, timeout=120)
check("an unknown category is refused", bad_category.returncode != 0, bad_category.stdout)
print("patch_clients: all checks passed")
