//! DataHub's web UI pages for the ML entities, pointed at mlcat: every `Type.field(arguments)`
//! its page queries select (the list `datahub_ui_fields.txt`, names read from DataHub's
//! repository) exists in mlcat's schema, and queries of the pages' shape (written here, in
//! `datahub_ui/`) answer the demo catalog and a governed entity with no errors, under the
//! server's default limits.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use mlcat::auth::{self, Scope};
use serde_json::{json, Value};

use crate::datahub::{ingest, proposal};
use crate::support::TestApp;

const FIELDS: &str = include_str!("datahub_ui_fields.txt");
/// The pairs mlcat does not answer yet, one a line: the test fails when one of them appears,
/// so this list only shrinks (and must be emptied as they are built).
const STILL_MISSING: &str = include_str!("datahub_ui/still_missing.txt");

const INTROSPECTION: &str = r#"{ __schema { types { name
    fields(includeDeprecated: true) { name args { name } }
    possibleTypes { name } } } }"#;

/// A line of the list: `Type.field(arg1,arg2)`.
fn parse_pair(line: &str) -> (String, String, Vec<String>) {
    let (parent, rest) = line.split_once('.').expect("Type.field");
    let (field, args) = match rest.split_once('(') {
        Some((f, a)) => (
            f,
            a.trim_end_matches(')')
                .split(',')
                .map(str::to_string)
                .collect(),
        ),
        None => (rest, Vec::new()),
    };
    (parent.to_string(), field.to_string(), args)
}

fn pairs(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// `# implementors Entity: A B C` lines: DataHub's types behind each interface of the list.
fn implementors() -> BTreeMap<String, Vec<String>> {
    FIELDS
        .lines()
        .filter_map(|l| l.strip_prefix("# implementors "))
        .map(|l| {
            let (name, types) = l.split_once(':').expect("name: types");
            (
                name.to_string(),
                types.split_whitespace().map(str::to_string).collect(),
            )
        })
        .collect()
}

/// Every pair of the list that mlcat's schema does not answer. A pair on a DataHub interface
/// is answered by the interface in mlcat, or else by each mlcat type that implements it in
/// DataHub (at least one).
async fn missing(app: &TestApp) -> BTreeSet<String> {
    let schema = app.data(INTROSPECTION).await;
    let mut fields: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for t in schema["__schema"]["types"].as_array().unwrap() {
        let of_type = fields
            .entry(t["name"].as_str().unwrap().to_string())
            .or_default();
        for f in t["fields"].as_array().into_iter().flatten() {
            let args = f["args"].as_array().unwrap();
            of_type.insert(
                f["name"].as_str().unwrap().to_string(),
                args.iter()
                    .map(|a| a["name"].as_str().unwrap().to_string())
                    .collect(),
            );
        }
    }
    let answers = |parent: &str, field: &str, args: &[String]| {
        fields
            .get(parent)
            .and_then(|f| f.get(field))
            .is_some_and(|have| args.iter().all(|a| have.contains(a)))
    };
    let interfaces = implementors();
    pairs(FIELDS)
        .into_iter()
        .filter(|line| {
            let (parent, field, args) = parse_pair(line);
            if answers(&parent, &field, &args) {
                return false;
            }
            let Some(types) = interfaces.get(&parent) else {
                return true;
            };
            let present: Vec<&String> = types.iter().filter(|t| fields.contains_key(*t)).collect();
            present.is_empty() || !present.iter().all(|t| answers(t, &field, &args))
        })
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_schema_has_every_field_the_ml_pages_select() {
    let app = TestApp::new().await;
    let missing = missing(&app).await;
    let known: BTreeSet<String> = pairs(STILL_MISSING)
        .into_iter()
        .map(str::to_string)
        .collect();
    let new: Vec<&String> = missing.difference(&known).collect();
    let built: Vec<&String> = known.difference(&missing).collect();
    assert!(
        new.is_empty() && built.is_empty(),
        "{} of {} pairs are missing ({} of them not listed in datahub_ui/still_missing.txt):\n{}\n\
         now answered, remove from datahub_ui/still_missing.txt:\n{}",
        missing.len(),
        pairs(FIELDS).len(),
        new.len(),
        missing.iter().cloned().collect::<Vec<_>>().join("\n"),
        built
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    );
}

const FRAGMENTS: &str = include_str!("datahub_ui/fragments.graphql");

/// The pages: query file, and the demo entities each page is opened on.
const PAGES: [(&str, &str, &[&str]); 6] = [
    (
        "model",
        include_str!("datahub_ui/model.graphql"),
        &[
            "urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)",
            "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v2,PROD)",
        ],
    ),
    (
        "model group",
        include_str!("datahub_ui/model_group.graphql"),
        &["urn:li:mlModelGroup:(urn:li:dataPlatform:science,my-model-group,PROD)"],
    ),
    (
        "feature",
        include_str!("datahub_ui/feature.graphql"),
        &["urn:li:mlFeature:(test_feature_table_all_feature_dtypes,test_BOOL_LIST_feature)"],
    ),
    (
        "feature table",
        include_str!("datahub_ui/feature_table.graphql"),
        &[
            "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,test_feature_table_all_feature_dtypes)",
            "urn:li:mlFeatureTable:(urn:li:dataPlatform:snowflake,uc01_preprocess)",
        ],
    ),
    (
        "primary key",
        include_str!("datahub_ui/primary_key.graphql"),
        &["urn:li:mlPrimaryKey:(test_feature_table_all_feature_dtypes,dummy_entity_1)"],
    ),
    (
        "deployment",
        include_str!("datahub_ui/deployment.graphql"),
        &["urn:li:mlModelDeployment:(urn:li:dataPlatform:snowflake,customer_segmentation_service,PROD)"],
    ),
];

/// A page's query with the fragments it spreads, transitively (GraphQL refuses a document
/// with a fragment it does not use).
fn document(page: &str) -> String {
    let fragments: BTreeMap<&str, &str> = FRAGMENTS
        .split("\nfragment ")
        .skip(1)
        .map(|f| (f.split_whitespace().next().unwrap(), f))
        .collect();
    let spreads = |text: &str| -> Vec<String> {
        text.split("...")
            .skip(1)
            .map(|t| {
                t.chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect::<String>()
            })
            .filter(|name| fragments.contains_key(name.as_str()))
            .collect()
    };
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut todo = spreads(page);
    while let Some(name) = todo.pop() {
        if used.insert(name.clone()) {
            todo.extend(spreads(fragments[name.as_str()]));
        }
    }
    let mut doc = page.to_string();
    for name in &used {
        doc.push_str("\nfragment ");
        doc.push_str(fragments[name.as_str()]);
    }
    doc
}

async fn open(app: &TestApp, page: &str, urn: &str) -> Value {
    let answer = app.gql_vars(&document(page), json!({ "urn": urn })).await;
    assert!(answer.get("errors").is_none(), "{urn}: {answer:#}");
    answer["data"].clone()
}

/// The demo catalog, served under the default limits.
async fn demo_for_pages() -> TestApp {
    let app = TestApp::new().await;
    mlcat::demo::load(&app.catalog()).await.unwrap();
    app
}

#[tokio::test]
async fn every_ml_page_answers_the_demo() {
    let app = demo_for_pages().await;
    for (name, page, urns) in PAGES {
        for urn in urns {
            let data = open(&app, page, urn).await;
            let entity = data.as_object().unwrap().values().next().unwrap();
            assert_eq!(entity["urn"], *urn, "{name}: {data:#}");
        }
    }
}

const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";
const RETENTION: &str = "urn:li:structuredProperty:io.example.retentionDays";
const STEWARD_PROPERTY: &str = "urn:li:structuredProperty:io.example.steward";
const RUN: &str = "urn:li:dataProcessInstance:churn-run-7";
const EXPERIMENT: &str = "urn:li:container:churn-experiments";
const INSTANCE: &str = "urn:li:dataPlatformInstance:(urn:li:dataPlatform:mlflow,prod-workspace)";

#[tokio::test]
async fn the_model_page_answers_what_was_stored() {
    let app = TestApp::new().await;
    let aspects = [
        ("globalTags", json!({"tags": [{"tag": "urn:li:tag:pii"}]})),
        (
            "ownership",
            json!({"owners": [{"owner": "urn:li:corpuser:jdoe", "type": "TECHNICAL_OWNER"}],
                   "lastModified": {"time": 1700000000000_i64, "actor": "urn:li:corpuser:jdoe"}}),
        ),
        (
            "glossaryTerms",
            json!({"terms": [{"urn": "urn:li:glossaryTerm:Sensitive"}],
                                 "auditStamp": {"time": 1, "actor": "urn:li:corpuser:jdoe"}}),
        ),
        ("domains", json!({"domains": ["urn:li:domain:marketing"]})),
        (
            "deprecation",
            json!({"deprecated": true, "note": "use v2", "actor": "urn:li:corpuser:jdoe"}),
        ),
        (
            "institutionalMemory",
            json!({"elements": [{"url": "https://wiki.example.com/churn", "description": "Model card",
                                 "createStamp": {"time": 1, "actor": "urn:li:corpuser:jdoe"}}]}),
        ),
        (
            "mlModelProperties",
            json!({"description": "Predicts churn", "customProperties": {}, "trainingJobs": [RUN]}),
        ),
        (
            "dataPlatformInstance",
            json!({"platform": "urn:li:dataPlatform:mlflow", "instance": INSTANCE}),
        ),
        (
            "browsePathsV2",
            json!({"path": [{"id": INSTANCE, "urn": INSTANCE}, {"id": "churn-team"}]}),
        ),
    ];
    for (name, value) in aspects {
        ingest(&app, proposal("mlModel", MODEL, name, value)).await;
    }
    ingest(
        &app,
        proposal(
            "glossaryTerm",
            "urn:li:glossaryTerm:Sensitive",
            "glossaryTermInfo",
            json!({"definition": "Handle with care", "termSource": "INTERNAL",
                   "customProperties": {"level": "3"}}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "mlModel",
            MODEL,
            "structuredProperties",
            json!({"properties": [
                {"propertyUrn": RETENTION, "values": [{"double": 90.0}]},
                {"propertyUrn": STEWARD_PROPERTY, "values": [{"string": "urn:li:corpuser:jdoe"}]},
            ]}),
        ),
    )
    .await;
    let run = [
        ("container", json!({"container": EXPERIMENT})),
        (
            "dataPlatformInstance",
            json!({"platform": "urn:li:dataPlatform:mlflow"}),
        ),
        (
            "dataProcessInstanceProperties",
            json!({"name": "churn training", "created": {"time": 1700000000000_i64, "actor": "urn:li:corpuser:jdoe"},
                   "customProperties": {"seed": "7"}, "externalUrl": "https://mlflow.example.com/runs/7"}),
        ),
        (
            "mlTrainingRunProperties",
            json!({"id": "run-7", "outputUrls": ["s3://models/churn/7"],
                   "hyperParams": [{"name": "depth", "value": "6"}],
                   "trainingMetrics": [{"name": "auc", "value": "0.91"}]}),
        ),
        (
            "dataProcessInstanceRunEvent",
            json!({"timestampMillis": 1700000100000_i64, "status": "COMPLETE", "attempt": 1,
                   "durationMillis": 60000, "result": {"type": "SUCCESS", "nativeResultType": "FINISHED"}}),
        ),
        ("subTypes", json!({"typeNames": ["ML Training Run"]})),
    ];
    for (name, value) in run {
        ingest(&app, proposal("dataProcessInstance", RUN, name, value)).await;
    }
    ingest(
        &app,
        proposal(
            "container",
            EXPERIMENT,
            "containerProperties",
            json!({"name": "churn experiments"}),
        ),
    )
    .await;
    // DataHub's MLflow source writes the experiment's platform; `Container.platform` is
    // non-null, as in DataHub.
    ingest(
        &app,
        proposal(
            "container",
            EXPERIMENT,
            "dataPlatformInstance",
            json!({"platform": "urn:li:dataPlatform:mlflow"}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "corpuser",
            "urn:li:corpuser:jdoe",
            "corpUserInfo",
            json!({"active": true, "displayName": "Jane Doe"}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "structuredProperty",
            RETENTION,
            "propertyDefinition",
            json!({"qualifiedName": "io.example.retentionDays", "displayName": "Retention",
                   "valueType": "urn:li:dataType:datahub.number", "cardinality": "SINGLE",
                   "entityTypes": ["urn:li:entityType:datahub.mlModel", "urn:li:entityType:datahub.chart"],
                   "allowedValues": [{"value": {"double": 90.0}, "description": "a quarter"}]}),
        ),
    )
    .await;
    let page = PAGES[0].1;
    let model = open(&app, page, MODEL).await["mlModel"].clone();
    assert_eq!(model["tags"]["tags"][0]["tag"]["urn"], "urn:li:tag:pii");
    assert_eq!(model["globalTags"], model["tags"]);
    let owner = &model["ownership"]["owners"][0];
    assert_eq!(owner["owner"]["urn"], "urn:li:corpuser:jdoe");
    assert_eq!(owner["type"], "TECHNICAL_OWNER");
    assert_eq!(
        model["glossaryTerms"]["terms"][0]["term"]["urn"],
        "urn:li:glossaryTerm:Sensitive"
    );
    assert_eq!(
        model["glossaryTerms"]["terms"][0]["term"]["properties"]["customProperties"],
        json!([{"key": "level", "value": "3"}]),
        "{:#}",
        model["glossaryTerms"]
    );
    assert_eq!(model["domain"]["domain"]["urn"], "urn:li:domain:marketing");
    assert_eq!(model["deprecation"]["deprecated"], true);
    assert_eq!(model["deprecation"]["note"], "use v2");
    assert_eq!(
        model["institutionalMemory"]["elements"][0]["url"],
        "https://wiki.example.com/churn"
    );
    assert_eq!(
        model["dataPlatformInstance"],
        json!({"urn": INSTANCE, "type": "DATA_PLATFORM_INSTANCE",
               "platform": model["platform"], "instanceId": "prod-workspace"})
    );
    assert_eq!(
        model["browsePathV2"],
        json!({"path": [
            {"name": INSTANCE, "entity": {"urn": INSTANCE, "type": "DATA_PLATFORM_INSTANCE",
                "platform": {"name": "mlflow", "properties": {"displayName": "MLflow"}}, "instanceId": "prod-workspace"}},
            {"name": "churn-team", "entity": null},
        ]})
    );
    // Auth is off: the caller writes, so may run every edit mlcat has, and none it lacks.
    let privileges = &model["privileges"];
    for can in [
        "canEditTags",
        "canEditOwners",
        "canEditGlossaryTerms",
        "canEditDomains",
        "canEditDeprecation",
        "canEditLinks",
        "canEditDescription",
        "canManageEntity",
    ] {
        assert_eq!(privileges[can], true, "{can}");
    }
    for cannot in [
        "canEditLineage",
        "canEditIncidents",
        "canEditAssertions",
        "canEditProperties",
    ] {
        assert_eq!(privileges[cannot], false, "{cannot}");
    }
    assert_eq!(model["autoRenderAspects"], json!([]));
    let trained_by = &model["trainedBy"]["relationships"];
    assert_eq!(trained_by.as_array().unwrap().len(), 1, "{trained_by:#}");
    let run = &trained_by[0]["entity"];
    assert_eq!(run["urn"], RUN);
    assert_eq!(run["name"], "churn training");
    assert_eq!(run["type"], "DATA_PROCESS_INSTANCE");
    assert_eq!(
        run["properties"]["customProperties"][0],
        json!({"key": "seed", "value": "7"})
    );
    assert_eq!(run["mlTrainingRunProperties"]["id"], "run-7");
    assert_eq!(
        run["mlTrainingRunProperties"]["outputUrls"],
        json!(["s3://models/churn/7"])
    );
    assert_eq!(
        run["mlTrainingRunProperties"]["trainingMetrics"][0]["value"],
        "0.91"
    );
    assert_eq!(run["optionalPlatform"]["name"], "mlflow");
    assert_eq!(run["dataPlatformInstance"], Value::Null);
    assert_eq!(
        run["state"],
        json!([{"status": "COMPLETE", "attempt": 1,
                "result": {"resultType": "SUCCESS", "nativeResultType": "FINISHED"},
                "timestampMillis": 1700000100000_i64, "durationMillis": 60000}])
    );
    assert_eq!(run["container"]["urn"], EXPERIMENT);
    assert_eq!(run["container"]["properties"]["name"], "churn experiments");
    assert_eq!(run["container"]["platform"]["name"], "mlflow");
    assert_eq!(run["parentContainers"]["count"], 1);
    assert_eq!(run["subTypes"]["typeNames"], json!(["ML Training Run"]));
    assert_eq!(
        model["forms"],
        json!({"completedForms": [], "incompleteForms": [], "verifications": []})
    );
    // The definition was ingested for one property only.
    assert_eq!(
        model["structuredProperties"]["properties"],
        json!([
            {"structuredProperty": {"urn": RETENTION, "type": "STRUCTURED_PROPERTY", "definition": {
                "displayName": "Retention", "qualifiedName": "io.example.retentionDays",
                "description": null, "cardinality": "SINGLE",
                "valueType": {"info": {"type": "NUMBER", "displayName": null}},
                "entityTypes": [{"info": {"type": "MLMODEL"}}, {"info": {"type": "CHART"}}],
                "typeQualifier": null,
                "allowedValues": [{"value": {"numberValue": 90.0}, "description": "a quarter"}]}},
             "values": [{"numberValue": 90.0}], "valueEntities": []},
            {"structuredProperty": {"urn": STEWARD_PROPERTY, "type": "STRUCTURED_PROPERTY", "definition": null},
             "values": [{"stringValue": "urn:li:corpuser:jdoe"}],
             "valueEntities": [{"urn": "urn:li:corpuser:jdoe", "type": "CORP_USER"}]},
        ])
    );
    assert_eq!(model["activeIncidents"], json!({"total": 0}));

    // The generic aspect read answers the aspects named, as stored.
    let aspects = app
        .data(&format!(
            r#"{{ mlModel(urn: "{MODEL}") {{ aspects(input: {{aspectNames: ["domains", "nope", "domains"]}}) {{ aspectName payload renderSpec {{ key }} }} }} }}"#
        ))
        .await;
    let raw = &aspects["mlModel"]["aspects"];
    assert_eq!(raw.as_array().unwrap().len(), 1, "{raw:#}");
    assert_eq!(raw[0]["aspectName"], "domains");
    let payload: Value = serde_json::from_str(raw[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload, json!({"domains": ["urn:li:domain:marketing"]}));
    assert_eq!(raw[0]["renderSpec"], Value::Null);

    // More than a hundred names is bad input, naming the argument.
    let names: Vec<String> = (0..101).map(|i| format!("\"a{i}\"")).collect();
    let answer = app
        .gql(&format!(
            r#"{{ mlModel(urn: "{MODEL}") {{ aspects(input: {{aspectNames: [{}]}}) {{ aspectName }} }} }}"#,
            names.join(",")
        ))
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer:#}"
    );
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("aspectNames"),
        "{answer:#}"
    );
}

/// POSTs a query with a bearer token; the answer's JSON.
async fn as_token(app: &TestApp, token: &str, query: &str) -> Value {
    let request = Request::post("/api/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let (status, bytes) = app.request(request).await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn privileges_follow_the_token_scope() {
    let app = TestApp::with_auth().await;
    let write = auth::create_token(&app.db, "ci", Scope::Write)
        .await
        .unwrap();
    let read = auth::create_token(&app.db, "dashboards", Scope::Read)
        .await
        .unwrap();
    let created = as_token(
        &app,
        &write,
        r#"mutation { upsertMLModelGroup(input: {platform: "mlflow", name: "churn"}) { urn } }"#,
    )
    .await;
    let urn = created["data"]["upsertMLModelGroup"]["urn"]
        .as_str()
        .unwrap()
        .to_string();
    let query = format!(
        r#"{{ mlModelGroup(urn: "{urn}") {{ privileges {{ canEditTags canEditOwners canManageEntity canEditLineage }} }} }}"#
    );
    let by_write = as_token(&app, &write, &query).await;
    assert_eq!(
        by_write["data"]["mlModelGroup"]["privileges"],
        json!({"canEditTags": true, "canEditOwners": true, "canManageEntity": true, "canEditLineage": false})
    );
    let by_read = as_token(&app, &read, &query).await;
    assert_eq!(
        by_read["data"]["mlModelGroup"]["privileges"],
        json!({"canEditTags": false, "canEditOwners": false, "canManageEntity": false, "canEditLineage": false})
    );
}
