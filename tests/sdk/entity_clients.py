"""DataHub's entity and run clients against mlcat, unchanged: `graph.emit_mce` (a
MetadataChangeEvent), `list_all_entity_urns`, `get_domain_urn_by_name`,
`get_container_urns_by_filter`, `hard_delete_entity`, `delete_references_to_urn`,
`DataHubClient(...).entities.delete(urn, hard=True)`, and the CLI's `datahub delete --hard`,
`datahub delete references`, `datahub ingest list-runs`, `datahub ingest show` and `datahub
ingest rollback` (dry run, then for real), asserting what each returns or prints."""

import atexit
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.sdk.main_client import DataHubClient

from common import GMS, check, expect, graph

stamp = str(int(time.time() * 1000))
RUN = f"entity-clients-{stamp}"
TAG = builder.make_tag_urn(f"entity-clients-pii-{stamp}")
DOMAIN = builder.make_domain_urn(f"entity-clients-{stamp}")
DOMAIN_NAME = f"Entity Clients {stamp}"
TABLE_DS = builder.make_dataset_urn("hive", f"entity_clients.orders_{stamp}", "PROD")
MCE_DS = builder.make_dataset_urn("hive", f"entity_clients.mce_{stamp}", "PROD")
MODEL = builder.make_ml_model_urn("mlflow", f"entity-clients-{stamp}", "PROD")

g = graph()
meta = models.SystemMetadataClass(runId=RUN, lastObserved=int(stamp))


def emit(urn, aspect, system_metadata=meta):
    g.emit(MetadataChangeProposalWrapper(entityUrn=urn, aspect=aspect, systemMetadata=system_metadata))


# --- A MetadataChangeEvent: each aspect of the snapshot is written.
g.emit_mce(models.MetadataChangeEventClass(
    proposedSnapshot=models.DatasetSnapshotClass(urn=MCE_DS, aspects=[
        models.StatusClass(removed=False),
        models.DatasetPropertiesClass(description="written by emit_mce"),
    ]),
    systemMetadata=models.SystemMetadataClass(runId=f"{RUN}-mce"),
))
props = g.get_aspect(MCE_DS, models.DatasetPropertiesClass)
expect("emit_mce: the snapshot's aspect reads back", props.description if props else None,
       "written by emit_mce")

# --- listUrns.
emit(TAG, models.TagPropertiesClass(name=f"pii-{stamp}"))
emit(DOMAIN, models.DomainPropertiesClass(name=DOMAIN_NAME))
emit(TABLE_DS, models.GlobalTagsClass(tags=[models.TagAssociationClass(tag=TAG)]))
emit(TABLE_DS, models.DomainsClass(domains=[DOMAIN]))
tags = g.list_all_entity_urns("tag", 0, 1000)
check("list_all_entity_urns lists the tag", tags is not None and TAG in tags, tags)
first = g.list_all_entity_urns("dataset", 0, 1)
expect("list_all_entity_urns pages (count 1)", len(first or []), 1)

# --- Search with the SDK's filters.
expect("get_domain_urn_by_name", g.get_domain_urn_by_name(DOMAIN_NAME), DOMAIN)
expect("get_domain_urn_by_name of an unknown name", g.get_domain_urn_by_name(f"No such {stamp}"), None)
expect("get_container_urns_by_filter (no containers)",
       list(g.get_container_urns_by_filter(env="PROD")), [])

# --- deleteReferences, dry run then for real.
count, related = g.delete_references_to_urn(TAG, dry_run=True)
expect("delete_references_to_urn dry run", (count, related),
       (1, [{"relationship": "TaggedWith", "entity": TABLE_DS, "aspect": "globalTags"}]))
check("a dry run leaves the tag on the dataset",
      [t.tag for t in g.get_aspect(TABLE_DS, models.GlobalTagsClass).tags] == [TAG])
count, _ = g.delete_references_to_urn(TAG, dry_run=False)
expect("delete_references_to_urn", count, 1)
expect("the dataset's tags after deleteReferences",
       g.get_aspect(TABLE_DS, models.GlobalTagsClass).tags, [])

# --- Hard delete through the graph client and the v2 client.
rows, ts_rows = g.hard_delete_entity(TAG)
expect("hard_delete_entity (rows, timeseriesRows)", (rows, ts_rows), (1, 0))
expect("the hard-deleted tag is gone", g.exists(TAG), False)
expect("hard_delete_entity of an unknown urn", g.hard_delete_entity(TAG), (0, 0))
emit(MODEL, models.MLModelPropertiesClass(description="to delete"), models.SystemMetadataClass(runId=f"{RUN}-model"))
client = DataHubClient(graph=g)
client.entities.delete(MODEL, hard=True)
expect("entities.delete(hard=True)", g.exists(MODEL), False)
expect("nothing of it is read back", g.get_aspect(MODEL, models.MLModelPropertiesClass), None)

# --- The CLI.
cli = os.path.join(os.path.dirname(sys.executable), "datahub")
env = dict(os.environ, DATAHUB_GMS_URL=GMS)


def run(*args: str) -> str:
    done = subprocess.run([cli, *args], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"FAIL datahub {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


out = run("ingest", "list-runs")
check("datahub ingest list-runs lists the run", RUN in out, out)
row = next(line for line in out.splitlines() if f" {RUN} " in line)
# Four written; the tags were replaced by deleteReferences and the tag erased: two are current.
expect("datahub ingest list-runs rows of the run", row.split("|")[2].strip(), "2")

out = run("ingest", "show", "--run-id", RUN)
for urn, aspect in [(DOMAIN, "domainProperties"), (TABLE_DS, "domains")]:
    check(f"datahub ingest show lists {aspect}", any(urn in l and aspect in l for l in out.splitlines()), out)

# The CLI writes a report of the unsafe entities (those another write touched) to --report-dir.
reports = tempfile.mkdtemp()
atexit.register(shutil.rmtree, reports, True)
out = run("ingest", "rollback", "--run-id", RUN, "--dry-run", "--report-dir", reports)
check("datahub ingest rollback --dry-run", "will roll back 2 aspects" in out, out)
# The dataset's tags were rewritten by deleteReferences, outside the run.
check("datahub ingest rollback --dry-run warns of the unsafe entity",
      "will hide 1 aspects related to 1 entities" in out, out)
csvs = glob.glob(os.path.join(reports, "*", "unsafe_entities.csv"))
check("the rollback report names the unsafe entity",
      len(csvs) == 1 and TABLE_DS in open(csvs[0]).read(), csvs)
expect("a dry run leaves the domain", g.get_aspect(TABLE_DS, models.DomainsClass).domains, [DOMAIN])

out = run("ingest", "rollback", "--run-id", RUN, "--force", "--report-dir", reports)
check("datahub ingest rollback", "rolled back 2 aspects" in out, out)
expect("the domain the run wrote is rolled back", g.get_aspect(TABLE_DS, models.DomainsClass), None)
expect("the entities the run created are soft-deleted",
       [g.get_aspect(u, models.StatusClass).removed for u in (DOMAIN, TABLE_DS)], [True, True])
out = run("ingest", "rollback", "--run-id", f"no-such-run-{stamp}", "--force", "--report-dir", reports)
check("datahub ingest rollback of an unknown run", "No entities found" in out, out)

# datahub delete --hard of a domain also cleans up the references to it.
emit(DOMAIN, models.DomainPropertiesClass(name=DOMAIN_NAME), models.SystemMetadataClass(runId=f"{RUN}-2"))
emit(TABLE_DS, models.DomainsClass(domains=[DOMAIN]), models.SystemMetadataClass(runId=f"{RUN}-2"))
out = run("delete", "references", "--urn", DOMAIN, "--dry-run")
check("datahub delete references --dry-run", f"Found 1 references to {DOMAIN}" in out, out)
out = run("delete", "--urn", DOMAIN, "--hard", "--force")
check("datahub delete --hard", "Hard deleted 1 entities" in out and "cleaned up 1 referenced entities" in out, out)
expect("the domain is gone", g.exists(DOMAIN), False)
expect("the dataset no longer names it", g.get_aspect(TABLE_DS, models.DomainsClass).domains, [])
print("entity clients: all checks passed")
