//! Governance read through GraphQL: the aspects the DataHub SDK writes (`globalTags`,
//! `ownership`, `glossaryTerms`, `domains`, `deprecation`, `institutionalMemory`, `subTypes`),
//! ingested through the REST front door as the SDK sends them, read back in DataHub's GraphQL
//! shapes on each of the seven entity types; the tags, terms, domains, users, groups and
//! ownership types they name, by lookup and through `entity(urn)`; and the statements a page of
//! governed models costs.

use serde_json::{json, Value};

use crate::datahub::{ingest, proposal};
use crate::support::TestApp;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;

const TAG: &str = "urn:li:tag:pii";
const BARE_TAG: &str = "urn:li:tag:never-described";
const USER: &str = "urn:li:corpuser:jdoe";
const GROUP: &str = "urn:li:corpGroup:ml-platform";
const STEWARD: &str = "urn:li:ownershipType:steward";
const TERM: &str = "urn:li:glossaryTerm:Classification.Sensitive";
const NODE: &str = "urn:li:glossaryNode:Classification";
const ROOT_NODE: &str = "urn:li:glossaryNode:Root";
const DOMAIN: &str = "urn:li:domain:marketing";
const PARENT_DOMAIN: &str = "urn:li:domain:business";

/// The seven governed types: entity type in a proposal, GraphQL lookup, GraphQL type, URN.
/// DataHub's model gives a deployment tags, owners and deprecation only.
const TYPES: [(&str, &str, &str, &str); 7] = [
    (
        "mlModel",
        "mlModel",
        "MLModel",
        "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)",
    ),
    (
        "mlModelGroup",
        "mlModelGroup",
        "MLModelGroup",
        "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,churn-models,PROD)",
    ),
    (
        "mlFeature",
        "mlFeature",
        "MLFeature",
        "urn:li:mlFeature:(users,age)",
    ),
    (
        "mlFeatureTable",
        "mlFeatureTable",
        "MLFeatureTable",
        "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,users)",
    ),
    (
        "mlPrimaryKey",
        "mlPrimaryKey",
        "MLPrimaryKey",
        "urn:li:mlPrimaryKey:(users,user_id)",
    ),
    (
        "mlModelDeployment",
        "mlModelDeployment",
        "MLModelDeployment",
        "urn:li:mlModelDeployment:(urn:li:dataPlatform:sagemaker,churn-endpoint,PROD)",
    ),
    (
        "dataset",
        "dataset",
        "Dataset",
        "urn:li:dataset:(urn:li:dataPlatform:hive,users,PROD)",
    ),
];

/// Whether DataHub's model gives the type glossary terms, a domain, links and sub-types.
fn full(entity_type: &str) -> bool {
    entity_type != "mlModelDeployment"
}

/// The governance aspects as the SDK's aspect classes serialise them.
fn governance_aspects() -> Vec<(&'static str, Value)> {
    vec![
        (
            "globalTags",
            json!({"tags": [{"tag": TAG}, {"tag": BARE_TAG, "context": "from a test"}]}),
        ),
        (
            "ownership",
            json!({
                "owners": [
                    {"owner": USER, "type": "TECHNICAL_OWNER"},
                    {"owner": GROUP, "type": "CUSTOM", "typeUrn": STEWARD},
                ],
                "ownerTypes": {},
                "lastModified": {"time": 1700000000000_i64, "actor": USER},
            }),
        ),
        (
            "glossaryTerms",
            json!({
                "terms": [{"urn": TERM}],
                "auditStamp": {"time": 1700000000000_i64, "actor": USER},
            }),
        ),
        ("domains", json!({"domains": [DOMAIN]})),
        (
            "deprecation",
            json!({
                "deprecated": true,
                "note": "use churn v2",
                "actor": USER,
                "decommissionTime": 1800000000000_i64,
            }),
        ),
        (
            "institutionalMemory",
            json!({"elements": [{
                "url": "https://wiki.example.com/churn",
                "description": "Model card",
                "createStamp": {"time": 1700000000001_i64, "actor": USER},
            }]}),
        ),
        ("subTypes", json!({"typeNames": ["Classifier"]})),
    ]
}

/// The entities behind the governance, described as the SDK writes them.
async fn write_governance_entities(app: &TestApp) {
    let described = [
        (
            "tag",
            TAG,
            "tagProperties",
            json!({"name": "PII", "description": "Personal data", "colorHex": "#ff0000"}),
        ),
        (
            "corpuser",
            USER,
            "corpUserInfo",
            json!({"active": true, "displayName": "Jane Doe", "email": "jdoe@example.com",
                   "title": "ML engineer", "fullName": "Jane Doe"}),
        ),
        (
            "corpuser",
            USER,
            "corpUserEditableInfo",
            json!({"aboutMe": "models", "teams": ["ml"], "skills": [], "pictureLink": "https://example.com/p.png"}),
        ),
        (
            "corpGroup",
            GROUP,
            "corpGroupEditableInfo",
            json!({"description": "Edited", "slack": "#ml", "pictureLink": "https://example.com/g.png"}),
        ),
        (
            "corpGroup",
            GROUP,
            "corpGroupInfo",
            json!({"displayName": "ML platform", "description": "Runs the models",
                   "email": "ml@example.com", "admins": [], "members": [], "groups": []}),
        ),
        (
            "ownershipType",
            STEWARD,
            "ownershipTypeInfo",
            json!({"name": "Steward", "description": "Looks after it",
                   "created": {"time": 1, "actor": USER}, "lastModified": {"time": 2, "actor": USER}}),
        ),
        (
            "glossaryTerm",
            TERM,
            "glossaryTermInfo",
            json!({"name": "Sensitive", "definition": "Handle with care", "termSource": "INTERNAL",
                   "parentNode": NODE, "customProperties": {}}),
        ),
        (
            "glossaryNode",
            NODE,
            "glossaryNodeInfo",
            json!({"name": "Classification", "definition": "How data is classified", "parentNode": ROOT_NODE}),
        ),
        (
            "glossaryNode",
            ROOT_NODE,
            "glossaryNodeInfo",
            json!({"definition": "The top"}),
        ),
        (
            "domain",
            DOMAIN,
            "domainProperties",
            json!({"name": "Marketing", "description": "Campaigns", "parentDomain": PARENT_DOMAIN}),
        ),
        (
            "domain",
            PARENT_DOMAIN,
            "domainProperties",
            json!({"name": "Business"}),
        ),
    ];
    for (entity_type, urn, aspect, value) in described {
        ingest(app, proposal(entity_type, urn, aspect, value)).await;
    }
}

const GOVERNANCE: &str = "
  urn exists status { removed }
  deprecation { deprecated note actor decommissionTime }
  tags { tags { associatedUrn context tag { urn type name exists properties { name description colorHex } } } }
  globalTags { tags { tag { urn } } }
  ownership {
    lastModified { time actor }
    owners {
      type associatedUrn
      owner {
        __typename
        ... on CorpUser { urn type username exists properties { displayName email title fullName active } editableProperties { aboutMe teams pictureLink } }
        ... on CorpGroup { urn type name properties { displayName description email } }
      }
      ownershipType { urn type info { name description } }
    }
  }
";

/// What only the types whose DataHub aspects include them answer (not `MLModelDeployment`).
const GLOSSARY: &str = "
  glossaryTerms { terms { associatedUrn term { urn type hierarchicalName properties { name description definition termSource } parentNodes { count nodes { urn properties { name description } } } } } }
  domain { associatedUrn domain { urn type id properties { name description } parentDomains { count domains { urn type } } } }
  institutionalMemory { elements { url label description author { urn username } created { time actor } associatedUrn } }
  subTypes { typeNames }
";

#[tokio::test]
async fn sdk_written_governance_reads_on_every_type() {
    let app = TestApp::new().await;
    write_governance_entities(&app).await;
    for (entity_type, _, _, urn) in TYPES {
        for (aspect, value) in governance_aspects() {
            if full(entity_type) || ["globalTags", "ownership", "deprecation"].contains(&aspect) {
                ingest(&app, proposal(entity_type, urn, aspect, value)).await;
            }
        }
    }
    for (entity_type, lookup, gql_type, urn) in TYPES {
        let fields = if full(entity_type) {
            format!("{GOVERNANCE} {GLOSSARY}")
        } else {
            GOVERNANCE.to_string()
        };
        let data = app
            .data(&format!(
                "{{ {lookup}(urn: \"{urn}\") {{ ...g }} }} fragment g on {gql_type} {{ {fields} }}"
            ))
            .await;
        let e = &data[lookup];
        assert_eq!(e["urn"], urn, "{gql_type}");
        assert_eq!(e["exists"], true);

        let tags = e["tags"]["tags"].as_array().unwrap();
        assert_eq!(tags.len(), 2, "{gql_type}");
        assert_eq!(
            tags[0],
            json!({"associatedUrn": urn, "context": null, "tag": {
                "urn": TAG, "type": "TAG", "name": "pii", "exists": true,
                "properties": {"name": "PII", "description": "Personal data", "colorHex": "#ff0000"}}})
        );
        // A tag only attached so far: its key, no properties, `exists: false`.
        assert_eq!(
            tags[1]["tag"],
            json!({"urn": BARE_TAG, "type": "TAG", "name": "never-described", "exists": false, "properties": null})
        );
        assert_eq!(tags[1]["context"], "from a test");
        assert_eq!(e["globalTags"]["tags"][1]["tag"]["urn"], BARE_TAG);

        let ownership = &e["ownership"];
        assert_eq!(
            ownership["lastModified"],
            json!({"time": 1700000000000_i64, "actor": USER})
        );
        assert_eq!(
            ownership["owners"][0],
            json!({
                "type": "TECHNICAL_OWNER", "associatedUrn": urn,
                "owner": {"__typename": "CorpUser", "urn": USER, "type": "CORP_USER", "username": "jdoe", "exists": true,
                    "properties": {"displayName": "Jane Doe", "email": "jdoe@example.com", "title": "ML engineer", "fullName": "Jane Doe", "active": true},
                    "editableProperties": {"aboutMe": "models", "teams": ["ml"], "pictureLink": "https://example.com/p.png"}},
                // Only the fixed type was written: DataHub's system ownership type of it.
                "ownershipType": {"urn": "urn:li:ownershipType:__system__technical_owner",
                                  "type": "CUSTOM_OWNERSHIP_TYPE",
                                  "info": {"name": "Technical Owner",
                                           "description": "Builds, runs or delivers the asset."}},
            })
        );
        assert_eq!(
            ownership["owners"][1],
            json!({
                "type": "CUSTOM", "associatedUrn": urn,
                "owner": {"__typename": "CorpGroup", "urn": GROUP, "type": "CORP_GROUP", "name": "ml-platform",
                    "properties": {"displayName": "ML platform", "description": "Runs the models", "email": "ml@example.com"}},
                "ownershipType": {"urn": STEWARD, "type": "CUSTOM_OWNERSHIP_TYPE", "info": {"name": "Steward", "description": "Looks after it"}},
            })
        );
        assert_eq!(
            e["deprecation"],
            json!({"deprecated": true, "note": "use churn v2", "actor": USER, "decommissionTime": 1800000000000_i64})
        );
        if !full(entity_type) {
            continue;
        }
        assert_eq!(
            e["glossaryTerms"]["terms"][0],
            json!({"associatedUrn": urn, "term": {
                "urn": TERM, "type": "GLOSSARY_TERM", "hierarchicalName": "Classification.Sensitive",
                "properties": {"name": "Sensitive", "description": "Handle with care", "definition": "Handle with care", "termSource": "INTERNAL"},
                "parentNodes": {"count": 2, "nodes": [
                    {"urn": NODE, "properties": {"name": "Classification", "description": "How data is classified"}},
                    {"urn": ROOT_NODE, "properties": {"name": "Root", "description": "The top"}},
                ]},
            }})
        );
        assert_eq!(
            e["domain"],
            json!({"associatedUrn": urn, "domain": {
                "urn": DOMAIN, "type": "DOMAIN", "id": "marketing",
                "properties": {"name": "Marketing", "description": "Campaigns"},
                "parentDomains": {"count": 1, "domains": [{"urn": PARENT_DOMAIN, "type": "DOMAIN"}]},
            }})
        );
        assert_eq!(
            e["institutionalMemory"]["elements"],
            json!([{
                "url": "https://wiki.example.com/churn", "label": "Model card", "description": "Model card",
                "author": {"urn": USER, "username": "jdoe"},
                "created": {"time": 1700000000001_i64, "actor": USER}, "associatedUrn": urn,
            }])
        );
        assert_eq!(e["subTypes"], json!({"typeNames": ["Classifier"]}));
    }
}

#[tokio::test]
async fn an_entity_without_governance_answers_null() {
    let app = TestApp::new().await;
    let (entity_type, lookup, gql_type, urn) = TYPES[0];
    ingest(
        &app,
        proposal(
            entity_type,
            urn,
            "mlModelProperties",
            json!({"description": "bare"}),
        ),
    )
    .await;
    let data = app
        .data(&format!(
            "{{ {lookup}(urn: \"{urn}\") {{ ...g }} }} fragment g on {gql_type} {{ {GOVERNANCE} {GLOSSARY} }}"
        ))
        .await;
    let e = &data[lookup];
    for field in [
        "tags",
        "globalTags",
        "ownership",
        "glossaryTerms",
        "domain",
        "deprecation",
        "institutionalMemory",
        "subTypes",
        "status",
    ] {
        assert_eq!(e[field], Value::Null, "{field}");
    }
}

#[tokio::test]
async fn governance_entities_resolve_by_lookup_and_through_entity() {
    let app = TestApp::new().await;
    write_governance_entities(&app).await;
    let data = app
        .data(&format!(
            r#"{{
              tag(urn: "{TAG}") {{ urn properties {{ name colorHex }} }}
              glossaryTerm(urn: "{TERM}") {{ urn name properties {{ name }} }}
              glossaryNode(urn: "{NODE}") {{ urn properties {{ name }} parentNodes {{ count }} }}
              domain(urn: "{DOMAIN}") {{ id properties {{ name }} }}
              corpUser(urn: "{USER}") {{ username properties {{ displayName }} info {{ displayName title active }} editableInfo {{ aboutMe teams }} }}
              corpGroup(urn: "{GROUP}") {{ name properties {{ displayName }} info {{ displayName email }} editableProperties {{ description slack email pictureLink }} }}
              missing: tag(urn: "{BARE_TAG}") {{ urn }}
              t: entity(urn: "{TAG}") {{ urn type ... on Tag {{ properties {{ name }} }} }}
              u: entity(urn: "{USER}") {{ type ... on CorpUser {{ username }} }}
              g: entity(urn: "{GROUP}") {{ type }}
              o: entity(urn: "{STEWARD}") {{ type ... on OwnershipTypeEntity {{ info {{ name }} }} }}
              n: entity(urn: "{NODE}") {{ type }}
              d: entity(urn: "{DOMAIN}") {{ type }}
              te: entity(urn: "{TERM}") {{ type }}
            }}"#
        ))
        .await;
    assert_eq!(
        data["tag"],
        json!({"urn": TAG, "properties": {"name": "PII", "colorHex": "#ff0000"}})
    );
    assert_eq!(
        data["glossaryTerm"],
        json!({"urn": TERM, "name": "Classification.Sensitive", "properties": {"name": "Sensitive"}})
    );
    assert_eq!(
        data["glossaryNode"],
        json!({"urn": NODE, "properties": {"name": "Classification"}, "parentNodes": {"count": 1}})
    );
    assert_eq!(
        data["domain"],
        json!({"id": "marketing", "properties": {"name": "Marketing"}})
    );
    assert_eq!(
        data["corpUser"],
        json!({"username": "jdoe", "properties": {"displayName": "Jane Doe"},
               "info": {"displayName": "Jane Doe", "title": "ML engineer", "active": true},
               "editableInfo": {"aboutMe": "models", "teams": ["ml"]}})
    );
    assert_eq!(
        data["corpGroup"],
        json!({"name": "ml-platform", "properties": {"displayName": "ML platform"},
               "info": {"displayName": "ML platform", "email": "ml@example.com"},
               "editableProperties": {"description": "Edited", "slack": "#ml", "email": null,
                                      "pictureLink": "https://example.com/g.png"}})
    );
    assert_eq!(data["missing"], Value::Null);
    assert_eq!(
        data["t"],
        json!({"urn": TAG, "type": "TAG", "properties": {"name": "PII"}})
    );
    assert_eq!(data["u"], json!({"type": "CORP_USER", "username": "jdoe"}));
    assert_eq!(data["g"]["type"], "CORP_GROUP");
    assert_eq!(
        data["o"],
        json!({"type": "CUSTOM_OWNERSHIP_TYPE", "info": {"name": "Steward"}})
    );
    assert_eq!(data["n"]["type"], "GLOSSARY_NODE");
    assert_eq!(data["d"]["type"], "DOMAIN");
    assert_eq!(data["te"]["type"], "GLOSSARY_TERM");
}

#[tokio::test]
async fn a_lookup_of_the_wrong_entity_type_is_bad_user_input() {
    let app = TestApp::new().await;
    for query in [
        format!(r#"{{ tag(urn: "{USER}") {{ urn }} }}"#),
        format!(r#"{{ corpUser(urn: "{TAG}") {{ urn }} }}"#),
        format!(r#"{{ domain(urn: "{TERM}") {{ urn }} }}"#),
        r#"{ glossaryTerm(urn: "not a urn") { urn } }"#.to_string(),
    ] {
        assert_eq!(app.error_code(&query).await, "BAD_USER_INPUT", "{query}");
    }
}

/// `models` models, each with two tags (one described), two owners and a domain.
async fn governed_models(models: usize) -> TestApp {
    let app = TestApp::new().await;
    let mut writes = vec![
        AspectWrite::upsert(
            Urn::parse(TAG).unwrap(),
            "tagProperties",
            json!({"name": "PII"}),
        ),
        AspectWrite::upsert(
            Urn::parse(USER).unwrap(),
            "corpUserInfo",
            json!({"active": true, "displayName": "Jane Doe"}),
        ),
    ];
    for m in 0..models {
        let model = Urn::ml_model("mlflow", &format!("model_{m:03}"), "PROD").unwrap();
        writes.push(AspectWrite::upsert(
            model.clone(),
            "globalTags",
            json!({"tags": [{"tag": TAG}, {"tag": format!("urn:li:tag:t{m}")}]}),
        ));
        writes.push(AspectWrite::upsert(
            model.clone(),
            "ownership",
            json!({"owners": [
                {"owner": USER, "type": "TECHNICAL_OWNER"},
                {"owner": format!("urn:li:corpGroup:g{m}"), "type": "CUSTOM", "typeUrn": STEWARD},
            ], "lastModified": {"time": 0, "actor": USER}}),
        ));
        writes.push(AspectWrite::upsert(
            model,
            "domains",
            json!({"domains": [format!("urn:li:domain:d{}", m % 3)]}),
        ));
    }
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

const GOVERNED_PAGE: &str = "query($n: Int) {
  listMLModels(input: {count: $n}) {
    entities {
      urn
      tags { tags { tag { urn exists properties { name colorHex } } } }
      ownership { owners { type owner { ... on CorpUser { username properties { displayName } } ... on CorpGroup { name properties { displayName } } } ownershipType { urn info { name } } } }
      domain { domain { id properties { name } } }
    }
  }
}";

#[tokio::test]
async fn a_page_of_governed_models_costs_the_same_statements_for_fifty_as_for_five() {
    let mut counts = Vec::new();
    for models in [5, 50] {
        let app = governed_models(models).await;
        let before = app.statements();
        let answer = app.gql_vars(GOVERNED_PAGE, json!({"n": models})).await;
        assert!(answer.get("errors").is_none(), "{answer:#}");
        counts.push(app.statements() - before);
        let entities = answer["data"]["listMLModels"]["entities"]
            .as_array()
            .unwrap();
        assert_eq!(entities.len(), models);
        let first = &entities[0];
        assert_eq!(
            first["tags"]["tags"][0]["tag"],
            json!({"urn": TAG, "exists": true, "properties": {"name": "PII", "colorHex": null}})
        );
        assert_eq!(
            first["tags"]["tags"][1]["tag"],
            json!({"urn": "urn:li:tag:t0", "exists": false, "properties": null})
        );
        assert_eq!(
            first["ownership"]["owners"][0]["owner"],
            json!({"username": "jdoe", "properties": {"displayName": "Jane Doe"}})
        );
        assert_eq!(
            first["ownership"]["owners"][1]["owner"],
            json!({"name": "g0", "properties": null})
        );
        assert_eq!(first["domain"]["domain"]["id"], "d0");
    }
    assert_eq!(
        counts[0], counts[1],
        "statements grew with the number of models"
    );
    // Count and page of the list; the models' aspects; the named entities by URN; their
    // aspects. One statement per level.
    assert_eq!(counts[1], 5);
}

#[tokio::test]
async fn a_domain_lists_its_entities_by_urn_leaving_out_soft_deleted_ones() {
    let app = TestApp::new().await;
    write_governance_entities(&app).await;
    for (entity_type, _, _, urn) in TYPES.iter().filter(|t| full(t.0)) {
        ingest(
            &app,
            proposal(entity_type, urn, "domains", json!({"domains": [DOMAIN]})),
        )
        .await;
    }
    // Not in the domain: another domain whose id starts alike, or differs by case.
    let others = [
        (
            "urn:li:mlModel:(urn:li:dataPlatform:mlflow,other,PROD)",
            "urn:li:domain:market",
        ),
        (
            "urn:li:mlModel:(urn:li:dataPlatform:mlflow,cased,PROD)",
            "urn:li:domain:Marketing",
        ),
    ];
    for (urn, domain) in others {
        ingest(
            &app,
            proposal("mlModel", urn, "domains", json!({"domains": [domain]})),
        )
        .await;
    }
    // Soft-deleted: left out.
    let removed = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,gone,PROD)";
    ingest(
        &app,
        proposal("mlModel", removed, "domains", json!({"domains": [DOMAIN]})),
    )
    .await;
    ingest(
        &app,
        proposal("mlModel", removed, "status", json!({"removed": true})),
    )
    .await;
    // Moved to another domain: its latest aspect no longer names this one.
    let moved = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,moved,PROD)";
    ingest(
        &app,
        proposal("mlModel", moved, "domains", json!({"domains": [DOMAIN]})),
    )
    .await;
    ingest(
        &app,
        proposal(
            "mlModel",
            moved,
            "domains",
            json!({"domains": [PARENT_DOMAIN]}),
        ),
    )
    .await;

    let query = |input: &str| {
        format!(
            r#"{{ domain(urn: "{DOMAIN}") {{ entities{input} {{ start count total searchResults {{ entity {{ urn type }} }} }} }} }}"#
        )
    };
    let data = app.data(&query("")).await;
    let page = &data["domain"]["entities"];
    let mut expected: Vec<&str> = TYPES.iter().filter(|t| full(t.0)).map(|t| t.3).collect();
    expected.sort_unstable();
    assert_eq!(page["total"], 6);
    assert_eq!(page["count"], 6);
    let urns: Vec<&str> = page["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["urn"].as_str().unwrap())
        .collect();
    assert_eq!(urns, expected);

    let data = app.data(&query("(input: {start: 1, count: 2})")).await;
    let page = &data["domain"]["entities"];
    assert_eq!(page["start"], 1);
    assert_eq!(page["count"], 2);
    assert_eq!(page["total"], 6);
    assert_eq!(page["searchResults"][0]["entity"]["urn"], expected[1]);

    let data = app
        .data(&format!(
            r#"{{ domain(urn: "{PARENT_DOMAIN}") {{ entities {{ total searchResults {{ entity {{ urn }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        data["domain"]["entities"],
        json!({"total": 1, "searchResults": [{"entity": {"urn": moved}}]})
    );

    assert_eq!(
        app.error_code(&query("(input: {start: -1})")).await,
        "BAD_USER_INPUT"
    );
}
