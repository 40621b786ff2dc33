"""Governance round trip between DataHub's SDK and mlcat's GraphQL: the SDK emits `globalTags`,
`ownership`, `glossaryTerms`, `domains`, `deprecation` and `institutionalMemory` for a model
(with DatahubRestEmitter, as an ingestion job does); GraphQL reads them in DataHub's shapes;
GraphQL mutations edit them as DataHub's UI does (addTag, removeOwner, addTerm, setDomain,
updateDeprecation, addLink), and so do the DataHubGraph helpers that go through GraphQL
(remove_tag, and create_tag when the server has createTag); then the SDK's get_aspect and its
get_tags / get_ownership / get_glossary_terms read every edit back in DataHub's aspect shape."""

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter

from common import GMS, check, expect, gql, graph

g = graph()
emitter = DatahubRestEmitter(gms_server=GMS)

MODEL = builder.make_ml_model_urn("mlflow", "governed-churn", "PROD")
ALICE = builder.make_user_urn("alice")
TEAM = builder.make_group_urn("ml-platform")
CHURN = builder.make_tag_urn("Churn")
PRODUCTION = builder.make_tag_urn("Production")
CONFIDENTIAL = builder.make_term_urn("Classification.Confidential")
SENSITIVE = builder.make_term_urn("Classification.Sensitive")
PLATFORM_DOMAIN = builder.make_domain_urn("ml-platform")
MARKETING = builder.make_domain_urn("marketing")
TECHNICAL = "urn:li:ownershipType:__system__technical_owner"
BUSINESS = "urn:li:ownershipType:__system__business_owner"
WIKI = "https://wiki.example.com/ml/churn"
RUNBOOK = "https://wiki.example.com/ml/churn/runbook"
WHEN = 1_772_409_600_000  # 2 March 2026
DECOMMISSION = 1_806_451_200_000  # 31 March 2027
stamp = models.AuditStampClass(time=WHEN, actor=ALICE)

# --- The SDK writes: the model, the entities its governance names, and the governance itself.
emitter.emit_mcps([
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.MLModelPropertiesClass(
        description="Predicts churn next month")),
    MetadataChangeProposalWrapper(entityUrn=CHURN, aspect=models.TagPropertiesClass(
        name="Churn", description="About customers leaving", colorHex="#f59e0b")),
    MetadataChangeProposalWrapper(entityUrn=ALICE, aspect=models.CorpUserInfoClass(
        active=True, displayName="Alice Martin", email="alice@example.com")),
    MetadataChangeProposalWrapper(entityUrn=TEAM, aspect=models.CorpGroupInfoClass(
        displayName="ML Platform", admins=[], members=[ALICE], groups=[])),
    MetadataChangeProposalWrapper(entityUrn=CONFIDENTIAL, aspect=models.GlossaryTermInfoClass(
        name="Confidential", definition="Shared inside the company only", termSource="INTERNAL")),
    MetadataChangeProposalWrapper(entityUrn=PLATFORM_DOMAIN, aspect=models.DomainPropertiesClass(
        name="ML Platform")),
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.GlobalTagsClass(
        tags=[models.TagAssociationClass(tag=CHURN)])),
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.OwnershipClass(owners=[
        models.OwnerClass(owner=ALICE, type=models.OwnershipTypeClass.TECHNICAL_OWNER, typeUrn=TECHNICAL),
        models.OwnerClass(owner=TEAM, type=models.OwnershipTypeClass.BUSINESS_OWNER, typeUrn=BUSINESS),
    ], lastModified=stamp)),
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.GlossaryTermsClass(
        terms=[models.GlossaryTermAssociationClass(urn=CONFIDENTIAL)], auditStamp=stamp)),
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.DomainsClass(domains=[PLATFORM_DOMAIN])),
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.DeprecationClass(
        deprecated=False, note="", actor=ALICE)),
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.InstitutionalMemoryClass(elements=[
        models.InstitutionalMemoryMetadataClass(url=WIKI, description="Model card", createStamp=stamp),
    ])),
])

GOVERNANCE = """query($urn: String!) { mlModel(urn: $urn) {
    tags { tags { tag { urn properties { name colorHex } } } }
    ownership { owners {
        owner { ... on CorpUser { urn properties { displayName } } ... on CorpGroup { urn properties { displayName } } }
        type ownershipType { urn }
    } }
    glossaryTerms { terms { term { urn properties { name } } } }
    domain { domain { urn properties { name } } }
    deprecation { deprecated note decommissionTime actor }
    institutionalMemory { elements { url label } }
} }"""


def governance() -> dict:
    return gql(GOVERNANCE, {"urn": MODEL})["mlModel"]


# --- GraphQL reads what the SDK wrote, in DataHub's GraphQL shapes.
read = governance()
expect("GraphQL reads the SDK's globalTags", read["tags"],
       {"tags": [{"tag": {"urn": CHURN, "properties": {"name": "Churn", "colorHex": "#f59e0b"}}}]})
expect("GraphQL reads the SDK's ownership", read["ownership"], {"owners": [
    {"owner": {"urn": ALICE, "properties": {"displayName": "Alice Martin"}},
     "type": "TECHNICAL_OWNER", "ownershipType": {"urn": TECHNICAL}},
    {"owner": {"urn": TEAM, "properties": {"displayName": "ML Platform"}},
     "type": "BUSINESS_OWNER", "ownershipType": {"urn": BUSINESS}},
]})
expect("GraphQL reads the SDK's glossaryTerms", read["glossaryTerms"],
       {"terms": [{"term": {"urn": CONFIDENTIAL, "properties": {"name": "Confidential"}}}]})
expect("GraphQL reads the SDK's domains", read["domain"],
       {"domain": {"urn": PLATFORM_DOMAIN, "properties": {"name": "ML Platform"}}})
expect("GraphQL reads the SDK's deprecation", read["deprecation"],
       {"deprecated": False, "note": "", "decommissionTime": None, "actor": ALICE})
expect("GraphQL reads the SDK's institutionalMemory", read["institutionalMemory"],
       {"elements": [{"url": WIKI, "label": "Model card"}]})

# --- GraphQL edits them, as DataHub's UI sends its mutations.
edits = gql("""mutation($model: String!, $production: String!, $alice: String!, $sensitive: String!,
                        $marketing: String!, $decommission: Long!, $runbook: String!) {
    addTag(input: { tagUrn: $production, resourceUrn: $model })
    removeOwner(input: { ownerUrn: $alice, resourceUrn: $model })
    addTerm(input: { termUrn: $sensitive, resourceUrn: $model })
    setDomain(entityUrn: $model, domainUrn: $marketing)
    updateDeprecation(input: { urn: $model, deprecated: true, decommissionTime: $decommission,
                               note: "Replaced by churn v2" })
    addLink(input: { linkUrl: $runbook, label: "Runbook", resourceUrn: $model })
}""", {"model": MODEL, "production": PRODUCTION, "alice": ALICE, "sensitive": SENSITIVE,
       "marketing": MARKETING, "decommission": DECOMMISSION, "runbook": RUNBOOK})
expect("the six GraphQL edits succeed", edits, {
    "addTag": True, "removeOwner": True, "addTerm": True, "setDomain": True,
    "updateDeprecation": True, "addLink": True,
})
# An SDK helper that edits through GraphQL: DataHubGraph.remove_tag sends removeTag.
check("DataHubGraph.remove_tag (GraphQL removeTag)", g.remove_tag(CHURN, MODEL) is True)

# --- The SDK reads every edit back, in DataHub's aspect shape.
tags = g.get_tags(MODEL)
check("get_tags is a GlobalTagsClass", isinstance(tags, models.GlobalTagsClass), repr(tags))
expect("the SDK sees addTag and remove_tag", [t.tag for t in tags.tags], [PRODUCTION])

ownership = g.get_ownership(MODEL)
check("get_ownership is an OwnershipClass", isinstance(ownership, models.OwnershipClass), repr(ownership))
expect("the SDK sees removeOwner",
       [(o.owner, o.type, o.typeUrn) for o in ownership.owners],
       [(TEAM, models.OwnershipTypeClass.BUSINESS_OWNER, BUSINESS)])

terms = g.get_glossary_terms(MODEL)
check("get_glossary_terms is a GlossaryTermsClass", isinstance(terms, models.GlossaryTermsClass), repr(terms))
expect("the SDK sees addTerm", [t.urn for t in terms.terms], [CONFIDENTIAL, SENSITIVE])
check("glossaryTerms keeps an audit stamp", terms.auditStamp is not None and terms.auditStamp.time > 0)

# get_aspect, not the SDK's get_domain: that one is cached per process (functools.lru_cache).
domains = g.get_aspect(MODEL, models.DomainsClass)
expect("the SDK sees setDomain", domains.domains, [MARKETING])

deprecation = g.get_aspect(MODEL, models.DeprecationClass)
expect("the SDK sees updateDeprecation",
       (deprecation.deprecated, deprecation.note, deprecation.decommissionTime),
       (True, "Replaced by churn v2", DECOMMISSION))
check("the deprecation names who made it", deprecation.actor.startswith("urn:li:corpuser:"), deprecation.actor)

memory = g.get_aspect(MODEL, models.InstitutionalMemoryClass)
expect("the SDK sees addLink",
       [(e.url, e.description) for e in memory.elements],
       [(WIKI, "Model card"), (RUNBOOK, "Runbook")])
check("the new link has a create stamp", memory.elements[1].createStamp.time > 0)

# Each edit is a version of its aspect, with who made it: the SDK's write, addTag, remove_tag.
history = gql("""query($u: String!) { mlModel(urn: $u) {
    aspectHistory(aspectName: "globalTags", limit: 10) { version actor } } }""", {"u": MODEL})
versions = history["mlModel"]["aspectHistory"]
expect("globalTags has a version per edit", len(versions), 3)
check("each version names its actor", all(v["actor"] for v in versions), repr(versions))
expect("get_aspect(version=1) reads the SDK's own write",
       [t.tag for t in g.get_aspect(MODEL, models.GlobalTagsClass, version=1).tags], [CHURN])

# What an edit refers to exists as an entity: the tag addTag named, the domain setDomain named.
expect("GraphQL reads the tag addTag referenced", gql(
    "query($u: String!) { tag(urn: $u) { urn } }", {"u": PRODUCTION}), {"tag": {"urn": PRODUCTION}})
expect("GraphQL reads the edit as DataHub's UI shows it", governance()["deprecation"],
       {"deprecated": True, "note": "Replaced by churn v2", "decommissionTime": DECOMMISSION,
        "actor": deprecation.actor})

# DataHubGraph.create_tag sends createTag, a mutation of DataHub's that this server may not
# have yet: used when the schema has it.
has_create_tag = any(
    f["name"] == "createTag"
    for f in gql('{ __type(name: "Mutation") { fields { name } } }')["__type"]["fields"]
)
if has_create_tag:
    created = g.create_tag("sdk-created")
    expect("DataHubGraph.create_tag (GraphQL createTag)", created, builder.make_tag_urn("sdk-created"))
    expect("the SDK reads the created tag", g.get_aspect(created, models.TagPropertiesClass).name, "sdk-created")
else:
    print("skip DataHubGraph.create_tag: this server's schema has no createTag mutation")
