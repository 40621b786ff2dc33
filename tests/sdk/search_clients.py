"""DataHub's search clients against mlcat, unchanged: the SDK writes models and a dataset, then
`DataHubGraph.get_urns_by_filter` (entity_types, platform, env, query, status, extraFilters,
scrolling in pages of two), `DataHubClient().search.get_urns` with the filter DSL, the CLI's
`datahub search`, and `datahub delete --platform ... --entity-type ... --soft` (a dry run that
removes nothing, then for real) find and remove exactly the entities they should."""

import json
import os
import subprocess
import sys

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter
from datahub.ingestion.graph.filters import RemovedStatusFilter
from datahub.sdk import DataHubClient, FilterDsl as F

from common import GMS, check, expect, graph

g = graph()
emitter = DatahubRestEmitter(gms_server=GMS)
DATAHUB = os.path.join(os.path.dirname(sys.executable), "datahub")

# Platforms of this script's own, so the entities other scripts wrote do not count.
LAB, KEEP, DROP = "sclab", "sckeep", "scdrop"
TAG = builder.make_tag_urn("SearchClientsGold")
m = lambda platform, name, env="PROD": builder.make_ml_model_urn(platform, name, env)
LAB_PROD = [m(LAB, f"quasar-{i}") for i in range(5)]
LAB_DEV = m(LAB, "quasar-dev", "DEV")
KEPT = m(KEEP, "pulsar-kept")
DROPPED = [m(DROP, f"pulsar-{i}") for i in range(3)]
DROP_DATASET = builder.make_dataset_urn(DROP, "pulsar_table", "PROD")

mcps = []
for urn in LAB_PROD + [LAB_DEV]:
    mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=models.MLModelPropertiesClass(
        description="Finds quasars in survey images", customProperties={"team": "astro"})))
mcps.append(MetadataChangeProposalWrapper(entityUrn=LAB_PROD[0], aspect=models.GlobalTagsClass(
    tags=[models.TagAssociationClass(tag=TAG)])))
for urn in [KEPT] + DROPPED:
    mcps.append(MetadataChangeProposalWrapper(entityUrn=urn, aspect=models.MLModelPropertiesClass(
        description="Pulsar timing model")))
mcps.append(MetadataChangeProposalWrapper(entityUrn=DROP_DATASET, aspect=models.DatasetPropertiesClass(
    description="Pulsar timings")))
emitter.emit_mcps(mcps)

# --- DataHubGraph.get_urns_by_filter, scrolling in pages of two.
def by_filter(**kwargs):
    return sorted(g.get_urns_by_filter(batch_size=2, **kwargs))

expect("get_urns_by_filter(entity_types, platform)",
       by_filter(entity_types=["mlModel"], platform=LAB), sorted(LAB_PROD + [LAB_DEV]))
expect("get_urns_by_filter(platform, env=PROD)",
       by_filter(entity_types=["mlModel"], platform=LAB, env="PROD"), sorted(LAB_PROD))
expect("get_urns_by_filter(platform, env=DEV)",
       by_filter(platform=LAB, env="DEV"), [LAB_DEV])
expect("get_urns_by_filter(query)",
       by_filter(query="quasars survey", platform=LAB), sorted(LAB_PROD + [LAB_DEV]))
expect("get_urns_by_filter(query) finds nothing for other words",
       by_filter(query="nebula", platform=LAB), [])
expect("get_urns_by_filter(extraFilters on tags)",
       by_filter(platform=LAB, extraFilters=[{"field": "tags", "values": [TAG], "condition": "EQUAL"}]),
       [LAB_PROD[0]])
expect("get_urns_by_filter(extraFilters on customProperties)",
       by_filter(platform=[LAB, KEEP], extraFilters=[{"field": "customProperties", "values": ["team=astro"], "condition": "EQUAL"}]),
       sorted(LAB_PROD + [LAB_DEV]))
expect("get_urns_by_filter(several platforms)",
       by_filter(entity_types=["mlModel"], platform=[KEEP, DROP]), sorted([KEPT] + DROPPED))
expect("get_urns_by_filter(entity_types=dataset)",
       by_filter(entity_types=["dataset"], platform=DROP), [DROP_DATASET])
expect("get_urns_by_filter(sort_by=name, DESCENDING)",
       list(g.get_urns_by_filter(platform=LAB, env="PROD", batch_size=2, sort_by="name", sort_order="DESCENDING")),
       sorted(LAB_PROD, reverse=True))

# --- DataHubClient().search.get_urns with the filter DSL.
client = DataHubClient(server=GMS)
def dsl(query=None, filter=None):
    return sorted(str(u) for u in client.search.get_urns(query=query, filter=filter))

expect("search.get_urns(F.and_(entity_type, platform))",
       dsl(filter=F.and_(F.entity_type("mlModel"), F.platform(LAB))), sorted(LAB_PROD + [LAB_DEV]))
expect("search.get_urns(F.or_ of platforms)",
       dsl(filter=F.and_(F.entity_type("mlModel"), F.or_(F.platform(KEEP), F.platform(DROP)))),
       sorted([KEPT] + DROPPED))
expect("search.get_urns(query, F.env)",
       dsl(query="quasars", filter=F.and_(F.platform(LAB), F.env("DEV"))), [LAB_DEV])
expect("search.get_urns(F.tag)", dsl(filter=F.tag(TAG)), [LAB_PROD[0]])
expect("search.get_urns(F.not_(F.entity_type), platform)",
       dsl(filter=F.and_(F.platform(DROP), F.not_(F.entity_type("mlModel")))), [DROP_DATASET])
expect("search.get_urns(F.has_custom_property)",
       dsl(filter=F.and_(F.platform(LAB), F.env("PROD"), F.has_custom_property("team", "astro"))),
       sorted(LAB_PROD))

# --- The CLI.
env = dict(os.environ, DATAHUB_GMS_URL=GMS)
def cli(*args):
    done = subprocess.run([DATAHUB, *args], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"FAIL datahub {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout

# The CLI's default projection (its bundled fragments: Dataset.container, Container's
# governance, Document), sent whole, since without the optional graphql-core package it cannot
# cut out what a server lacks; then `--projection` to select fewer fields.
found = cli("search", "quasars", "--filter", f"platform={LAB}", "--urns-only", "--limit", "50")
expect("datahub search --filter platform --urns-only",
       sorted(line for line in found.splitlines() if line.strip()), sorted(LAB_PROD + [LAB_DEV]))
answer = json.loads(cli("search", "pulsar", "--where", f"platform = {DROP} AND entity_type = mlModel",
                        "--format", "json", "--limit", "10"))
expect("datahub search --where, JSON, default projection",
       sorted(r["entity"]["urn"] for r in answer["searchResults"]), sorted(DROPPED))
check("datahub search JSON has the total and facets",
      answer["total"] == 3 and any(f["field"] == "platform" for f in answer["facets"]), answer)
answer = json.loads(cli("search", "pulsar", "--where", f"platform = {DROP} AND entity_type = mlModel",
                        "--format", "json", "--limit", "10", "--projection", "urn type"))
expect("datahub search --projection urn type",
       sorted(r["entity"]["urn"] for r in answer["searchResults"]), sorted(DROPPED))
answer = json.loads(cli("search", "*", "--where", f"platform = {DROP} AND entity_type = dataset",
                        "--format", "json", "--limit", "10"))
check("datahub search answers a dataset with its container field (none here)",
      [r["entity"].get("container", "missing") for r in answer["searchResults"]] == [None], answer)

# --- datahub delete: a dry run removes nothing; then soft-deletes exactly the filtered models.
def removed(urn):
    status = g.get_aspect(urn, models.StatusClass)
    return bool(status and status.removed)

out = cli("delete", "--platform", DROP, "--entity-type", "mlModel", "--soft", "--dry-run")
check("datahub delete --dry-run names the three models", "Found 3 mlModel" in out, out)
check("datahub delete --dry-run removes nothing", not any(removed(u) for u in DROPPED + [DROP_DATASET]))
cli("delete", "--platform", DROP, "--entity-type", "mlModel", "--soft", "--force")
check("datahub delete --soft removed the filtered models", all(removed(u) for u in DROPPED))
check("datahub delete --soft left the dataset and other platforms",
      not removed(DROP_DATASET) and not removed(KEPT) and not removed(LAB_PROD[0]))
expect("soft-deleted models are no longer found",
       by_filter(entity_types=["mlModel"], platform=[KEEP, DROP]), [KEPT])
expect("status=ONLY_SOFT_DELETED finds them",
       by_filter(platform=DROP, status=RemovedStatusFilter.ONLY_SOFT_DELETED), sorted(DROPPED))
expect("status=ALL finds all",
       by_filter(platform=DROP, status=RemovedStatusFilter.ALL), sorted(DROPPED + [DROP_DATASET]))
expect("search.get_urns(F.soft_deleted(ONLY_SOFT_DELETED))",
       dsl(filter=F.and_(F.platform(DROP), F.soft_deleted(RemovedStatusFilter.ONLY_SOFT_DELETED))),
       sorted(DROPPED))
out = cli("delete", "--platform", DROP, "--entity-type", "mlModel", "--soft", "--force")
check("a second delete finds nothing left to delete", "Found no urns" in out, out)
