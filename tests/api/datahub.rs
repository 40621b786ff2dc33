//! The DataHub REST front door, in-process: what the DataHub Python SDK sends to
//! `ingestProposal`, byte for byte, and what it must get back; versions and their history;
//! `\uXXXX`-escaped URNs; batches; GraphQL reads that see an ingested aspect and its edges at
//! once; and every row written naming rows that exist. The helpers here are shared with
//! datahub_reads.rs and datahub_refused.rs.

use axum::http::StatusCode;
use mlcat::catalog::history::Version;
use mlcat::urn::Urn;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

use crate::support::TestApp;

pub(crate) const FEATURE: &str = "urn:li:mlFeature:(my-feature-table,my-feature)";
pub(crate) const FEATURE2: &str = "urn:li:mlFeature:(my-feature-table,my-feature2)";
pub(crate) const TABLE: &str = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,my-feature-table)";
pub(crate) const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:science,my-test-model,PROD)";
const GROUP: &str = "urn:li:mlModelGroup:(urn:li:dataPlatform:science,my-model-group,PROD)";
pub(crate) const DATASET: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_deleted,PROD)";

pub(crate) const INGEST: &str = "/aspects?action=ingestProposal";
const BATCH: &str = "/aspects?action=ingestProposalBatch";

/// The exact body `create_mlfeature.py` sends (one line on the wire).
const CREATE_MLFEATURE: &str = r#"{"proposal": {"entityType": "mlFeature", "entityUrn": "urn:li:mlFeature:(my-feature-table,my-feature)", "changeType": "UPSERT", "aspectName": "mlFeatureProperties", "aspect": {"value": "{\"customProperties\": {}, \"description\": \"my feature\", \"dataType\": \"TEXT\", \"sources\": [\"urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_deleted,PROD)\"]}", "contentType": "application/json"}, "systemMetadata": {"lastObserved": 1795342990938, "runId": "no-run-id-provided", "lastRunId": "no-run-id-provided", "properties": {"clientId": "acryl-datahub", "clientVersion": "1.7.0.17"}}}, "async": "false"}"#;

/// A proposal as the SDK builds it: the aspect serialised a second time into a string.
pub(crate) fn proposal(entity_type: &str, urn: &str, aspect: &str, value: Value) -> Value {
    json!({
        "entityType": entity_type,
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect,
        "aspect": {"value": value.to_string(), "contentType": "application/json"},
        "systemMetadata": {"lastObserved": 1, "runId": "no-run-id-provided"},
    })
}

pub(crate) fn single(p: Value) -> String {
    json!({"proposal": p, "async": "false"}).to_string()
}

fn batch(ps: Vec<Value>) -> String {
    json!({"proposals": ps, "async": "false"}).to_string()
}

/// `urllib.parse.quote(urn, safe="")`, as the SDK encodes a URN in a path.
pub(crate) fn encode(urn: &str) -> String {
    urn.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn aspect_path(urn: &str, aspect: &str, version: i64) -> String {
    format!("/aspects/{}?aspect={aspect}&version={version}", encode(urn))
}

pub(crate) async fn ingest(app: &TestApp, p: Value) {
    let (status, body) = app.post_json(INGEST, single(p)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"value": "success"}));
}

pub(crate) async fn row_counts(app: &TestApp) -> [i64; 3] {
    [
        app.count_rows("entity").await,
        app.count_rows("aspect").await,
        app.count_rows("edge").await,
    ]
}

/// Asserts an error answer: the status, the JSON shape, and a piece of the message.
#[track_caller]
pub(crate) fn refused(answer: &(StatusCode, Value), status: StatusCode, needle: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "{needle:?} not in {message:?}");
    assert_eq!(body["status"], json!(status.as_u16()), "{body}");
    let code = if status == StatusCode::NOT_FOUND {
        "NOT_FOUND"
    } else {
        "BAD_USER_INPUT"
    };
    assert_eq!(body["code"], code, "{body}");
}

// ---------------------------------------------------------------------------------------------
// The SDK's calls

#[tokio::test]
async fn the_sdk_body_is_stored_and_read_back_under_its_fqn() {
    let app = TestApp::new().await;
    let (status, body) = app.post_json(INGEST, CREATE_MLFEATURE).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"value": "success"}))
    );

    let (status, bytes) = app
        .get(&aspect_path(FEATURE, "mlFeatureProperties", 0))
        .await;
    assert_eq!(status, StatusCode::OK);
    // The aspect comes back as it was sent: same fields, same order.
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        r#"{"urn":"urn:li:mlFeature:(my-feature-table,my-feature)","version":0,"aspect":{"com.linkedin.ml.metadata.MLFeatureProperties":{"customProperties":{},"description":"my feature","dataType":"TEXT","sources":["urn:li:dataset:(urn:li:dataPlatform:hive,fct_users_deleted,PROD)"]}}}"#
    );
}

#[tokio::test]
async fn graphql_sees_an_ingested_aspect_and_its_edges_at_once() {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal(
            "mlFeatureTable",
            TABLE,
            "mlFeatureTableProperties",
            json!({"customProperties": {}, "description": "Test description", "mlFeatures": [FEATURE, FEATURE2]}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "mlFeature",
            FEATURE,
            "mlFeatureProperties",
            json!({"customProperties": {}, "dataType": "TEXT", "sources": [DATASET]}),
        ),
    )
    .await;
    let data = app
        .data(&format!(
            r#"{{
              table: mlFeatureTable(urn: "{TABLE}") {{
                description platform {{ name }} properties {{ mlFeatures {{ name }} }}
              }}
              feature: mlFeature(urn: "{FEATURE}") {{
                dataType properties {{ sources {{ urn }} }} featureTables {{ urn }}
              }}
            }}"#
        ))
        .await;
    assert_eq!(
        data,
        json!({
            "table": {
                "description": "Test description",
                "platform": {"name": "feast"},
                "properties": {"mlFeatures": [{"name": "my-feature"}, {"name": "my-feature2"}]},
            },
            "feature": {
                "dataType": "TEXT",
                "properties": {"sources": [{"urn": DATASET}]},
                "featureTables": [{"urn": TABLE}],
            },
        })
    );
    // Contains (twice) and DerivedFrom.
    assert_eq!(app.count_rows("edge").await, 3);
}

#[tokio::test]
async fn upsert_replaces_the_whole_aspect() {
    let app = TestApp::new().await;
    let full = json!({"customProperties": {}, "description": "my feature", "mlFeatures": [FEATURE], "tags": [], "groups": [GROUP]});
    ingest(&app, proposal("mlModel", MODEL, "mlModelProperties", full)).await;
    let partial = json!({"customProperties": {}, "mlFeatures": [FEATURE2, FEATURE], "tags": []});
    ingest(
        &app,
        proposal("mlModel", MODEL, "mlModelProperties", partial.clone()),
    )
    .await;
    let (_, body) = app
        .get_json(&aspect_path(MODEL, "mlModelProperties", 0))
        .await;
    assert_eq!(
        body["aspect"]["com.linkedin.ml.metadata.MLModelProperties"],
        partial
    );
    let data = app
        .data(&format!(
            r#"{{ mlModel(urn: "{MODEL}") {{ description properties {{ groups {{ urn }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        data,
        json!({"mlModel": {"description": null, "properties": {"groups": []}}})
    );
    // The group edge the first version declared is gone from the current graph.
    let data = app
        .data(&format!(
            r#"{{ mlFeature(urn: "{FEATURE2}") {{ models {{ urn }} }} }}"#
        ))
        .await;
    assert_eq!(data, json!({"mlFeature": {"models": [{"urn": MODEL}]}}));
}

#[tokio::test]
async fn versions_0_is_the_latest_and_n_the_nth_write() {
    let app = TestApp::new().await;
    for description in ["one", "two", "two", "three"] {
        ingest(
            &app,
            proposal(
                "mlModelGroup",
                GROUP,
                "mlModelGroupProperties",
                json!({"customProperties": {}, "description": description}),
            ),
        )
        .await;
    }
    let read = |version: i64| {
        let app = &app;
        async move {
            app.get_json(&aspect_path(GROUP, "mlModelGroupProperties", version))
                .await
        }
    };
    let description = |body: &Value| {
        body["aspect"]["com.linkedin.ml.metadata.MLModelGroupProperties"]["description"].clone()
    };
    let (status, latest) = read(0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (latest["version"].clone(), description(&latest)),
        (json!(0), json!("three"))
    );
    // An unchanged write made no version: three versions for four writes.
    for (n, want) in [(1, "one"), (2, "two"), (3, "three")] {
        let (status, body) = read(n).await;
        assert_eq!(status, StatusCode::OK, "version {n}: {body}");
        assert_eq!(
            (body["version"].clone(), description(&body)),
            (json!(n), json!(want))
        );
    }
    refused(
        &read(4).await,
        StatusCode::NOT_FOUND,
        "has no version 4 of aspect mlModelGroupProperties",
    );
    // No version parameter means the latest.
    let (_, body) = app
        .get_json(&format!(
            "/aspects/{}?aspect=mlModelGroupProperties",
            encode(GROUP)
        ))
        .await;
    assert_eq!(description(&body), json!("three"));
}

#[tokio::test]
async fn every_version_records_its_actor_time_and_run_id() {
    let app = TestApp::new().await;
    let mut p = proposal(
        "mlFeature",
        FEATURE,
        "mlFeatureProperties",
        json!({"description": "a"}),
    );
    p["systemMetadata"] = json!({
        "lastObserved": 1,
        "runId": "feast-2026-11-26",
        "aspectModified": {"time": 1, "actor": "urn:li:corpuser:ana"},
    });
    ingest(&app, p).await;
    // No system metadata at all: anonymous, no run id.
    let mut p = proposal(
        "mlFeature",
        FEATURE,
        "mlFeatureProperties",
        json!({"description": "b"}),
    );
    p.as_object_mut().unwrap().remove("systemMetadata");
    ingest(&app, p).await;

    let catalog = app.catalog();
    let urn = Urn::parse(FEATURE).unwrap();
    let id = catalog.entity(&urn).await.unwrap().unwrap().id;
    let history = catalog.aspect_histories(&[id], None, 10).await.unwrap();
    let got: Vec<(i64, bool, &str, Option<&str>, Value)> = history
        .iter()
        .map(|v| {
            (
                v.version,
                v.is_latest,
                v.actor.as_str(),
                v.run_id.as_deref(),
                v.value.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (2, true, "anonymous", None, json!({"description": "b"})),
            (
                1,
                false,
                "urn:li:corpuser:ana",
                Some("feast-2026-11-26"),
                json!({"description": "a"})
            ),
        ]
    );
    assert!(history[0].created_at >= history[1].created_at);
    let first = catalog
        .aspect_version(&urn, "mlFeatureProperties", Version::Number(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.value, json!({"description": "a"}));
}

#[tokio::test]
async fn escaped_non_ascii_urns_are_read_as_their_characters() {
    let app = TestApp::new().await;
    // What the SDK's Rest.li path puts on the wire for `café-模型`: the six characters \u00e9
    // (the JSON text holds a doubled backslash).
    let body = single(proposal(
        "mlFeature",
        "urn:li:mlFeature:(unicode-table,caf\\u00e9-\\u6a21\\u578b)",
        "mlFeatureProperties",
        json!({"description": "na\u{ef}ve"}),
    ));
    assert!(body.contains(r"caf\\u00e9"));
    let (status, answer) = app.post_json(INGEST, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let real = "urn:li:mlFeature:(unicode-table,café-模型)";
    let (status, answer) = app
        .get_json(&aspect_path(real, "mlFeatureProperties", 0))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["urn"], real);
    assert_eq!(
        answer["aspect"]["com.linkedin.ml.metadata.MLFeatureProperties"]["description"],
        "naïve"
    );
    let data = app
        .data(&format!(
            r#"{{ mlFeature(urn: "{real}") {{ name featureNamespace }} }}"#
        ))
        .await;
    assert_eq!(
        data,
        json!({"mlFeature": {"name": "café-模型", "featureNamespace": "unicode-table"}})
    );
    // The batch path sends the characters themselves; they name the same entity.
    let (status, _) = app
        .post_json(
            BATCH,
            batch(vec![proposal(
                "mlFeature",
                real,
                "mlFeatureProperties",
                json!({"description": "again"}),
            )]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.count_rows("entity").await, 1);
}

#[tokio::test]
async fn an_aspect_mlcat_does_not_model_is_stored_and_returned_unchanged() {
    let app = TestApp::new().await;
    let tags = r#"{"tags":[{"tag":"urn:li:tag:pii","context":"x"}],"auditStamp":{"time":0,"actor":"urn:li:corpuser:ana"},"zFirst":1,"aLast":[3,2,1]}"#;
    let value: Value = serde_json::from_str(tags).unwrap();
    ingest(&app, proposal("mlModel", MODEL, "globalTags", value)).await;
    let (status, bytes) = app.get(&aspect_path(MODEL, "globalTags", 0)).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains(&format!(
            r#""aspect":{{"com.linkedin.common.GlobalTags":{tags}}}"#
        )),
        "{text}"
    );
}

#[tokio::test]
async fn a_batch_lands_whole() {
    let app = TestApp::new().await;
    let ps = vec![
        proposal(
            "mlFeature",
            FEATURE,
            "mlFeatureProperties",
            json!({"sources": [DATASET]}),
        ),
        proposal(
            "mlFeatureTable",
            TABLE,
            "mlFeatureTableProperties",
            json!({"mlFeatures": [FEATURE]}),
        ),
        proposal(
            "mlModel",
            MODEL,
            "mlModelProperties",
            json!({"mlFeatures": [FEATURE], "groups": [GROUP]}),
        ),
        proposal("mlModel", MODEL, "status", json!({"removed": false})),
        proposal(
            "mlModelGroup",
            GROUP,
            "mlModelGroupProperties",
            json!({"description": "g"}),
        ),
    ];
    let (status, body) = app.post_json(BATCH, batch(ps)).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"value": "success"}))
    );
    let data = app
        .data(&format!(
            r#"{{ mlFeature(urn: "{FEATURE}") {{ featureTables {{ urn }} models {{ urn }} }}
                 mlModel(urn: "{MODEL}") {{ properties {{ groups {{ description }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        data,
        json!({
            "mlFeature": {"featureTables": [{"urn": TABLE}], "models": [{"urn": MODEL}]},
            "mlModel": {"properties": {"groups": [{"description": "g"}]}},
        })
    );
    // An empty batch is a no-op.
    let (status, _) = app.post_json(BATCH, batch(vec![])).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_batch_with_a_bad_proposal_writes_nothing_and_names_it() {
    let app = TestApp::new().await;
    let good = |i: usize| {
        proposal(
            "mlFeature",
            &format!("urn:li:mlFeature:(t,f{i})"),
            "mlFeatureProperties",
            json!({"dataType": "TEXT", "sources": [DATASET]}),
        )
    };
    // Refused at the front door (the aspect is not one of a feature's) ...
    let mut ps: Vec<Value> = (1..=5).map(good).collect();
    ps[2]["aspectName"] = json!("mlModelProperties");
    let answer = app.post_json(BATCH, batch(ps)).await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "proposal 3 of 5 (urn:li:mlFeature:(t,f3) mlModelProperties): aspect \"mlModelProperties\" is not an aspect of a mlFeature",
    );
    // ... or by the write path, after two proposals were applied in the transaction.
    let mut ps: Vec<Value> = (1..=5).map(good).collect();
    ps[2] = proposal(
        "mlFeature",
        "urn:li:mlFeature:(t,f3)",
        "mlFeatureProperties",
        json!({"dataType": "NOPE"}),
    );
    let answer = app.post_json(BATCH, batch(ps)).await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "proposal 3 of 5 (urn:li:mlFeature:(t,f3) mlFeatureProperties): aspect mlFeatureProperties is not valid: unknown variant `NOPE`",
    );
    assert_eq!(row_counts(&app).await, [0, 0, 0]);
}

// ---------------------------------------------------------------------------------------------
// What ingestion stores

#[tokio::test]
async fn histories_of_many_entities_load_in_one_statement_with_a_limit_each() {
    let app = TestApp::new().await;
    for (urn, entity_type, aspect) in [
        (MODEL, "mlModel", "mlModelProperties"),
        (GROUP, "mlModelGroup", "mlModelGroupProperties"),
    ] {
        let mut ps = Vec::new();
        for i in 0..3 {
            ps.push(proposal(
                entity_type,
                urn,
                aspect,
                json!({"description": format!("v{i}")}),
            ));
            ps.push(proposal(
                entity_type,
                urn,
                "status",
                json!({"removed": i == 1}),
            ));
        }
        let (status, _) = app.post_json(BATCH, batch(ps)).await;
        assert_eq!(status, StatusCode::OK);
    }
    let catalog = app.catalog();
    let model = catalog
        .entity(&Urn::parse(MODEL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let group = catalog
        .entity(&Urn::parse(GROUP).unwrap())
        .await
        .unwrap()
        .unwrap();

    let before = app.statements();
    let all = catalog
        .aspect_histories(&[model.id, group.id], None, 4)
        .await
        .unwrap();
    assert_eq!(app.statements() - before, 1);
    let of = |id: mlcat::catalog::EntityId| -> Vec<(String, i64)> {
        all.iter()
            .filter(|v| v.entity == id)
            .map(|v| (v.aspect.clone(), v.version))
            .collect()
    };
    // Newest first: within one transaction, the later write first.
    let want = |props: &str| {
        vec![
            ("status".to_string(), 3),
            (props.to_string(), 3),
            ("status".to_string(), 2),
            (props.to_string(), 2),
        ]
    };
    assert_eq!(of(model.id), want("mlModelProperties"));
    assert_eq!(of(group.id), want("mlModelGroupProperties"));

    let props = catalog
        .aspect_histories(&[model.id], Some("mlModelProperties"), 10)
        .await
        .unwrap();
    let versions: Vec<(i64, bool, Value)> = props
        .iter()
        .map(|v| (v.version, v.is_latest, v.value["description"].clone()))
        .collect();
    assert_eq!(
        versions,
        vec![
            (3, true, json!("v2")),
            (2, false, json!("v1")),
            (1, false, json!("v0"))
        ]
    );
    assert!(catalog
        .aspect_histories(&[], None, 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn every_version_and_edge_written_names_rows_that_exist() {
    // SQLite's writer connection does not enforce foreign keys (`store::writer_connection`):
    // the write path itself must give every version an owner and every edge two ends, through
    // ingestion, GraphQL mutations and the demo load alike, including ends named before they
    // are written.
    let app = TestApp::with_demo().await;
    let feature = "urn:li:mlFeature:(fk_table,fk_feature)";
    let source = "urn:li:dataset:(urn:li:dataPlatform:hive,fk_source,PROD)";
    let group = "urn:li:mlModelGroup:(urn:li:dataPlatform:sklearn,fk_group,PROD)";
    let edges_before = app.count_rows("edge").await;
    let (status, body) = app
        .post_json(
            BATCH,
            batch(vec![
                proposal(
                    "mlFeature",
                    feature,
                    "mlFeatureProperties",
                    json!({"sources": [source]}),
                ),
                proposal(
                    "mlFeatureTable",
                    "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,fk_table)",
                    "mlFeatureTableProperties",
                    json!({"mlFeatures": [feature]}),
                ),
                proposal(
                    "mlModel",
                    "urn:li:mlModel:(urn:li:dataPlatform:sklearn,fk_model,PROD)",
                    "mlModelProperties",
                    json!({"mlFeatures": [feature], "groups": [group]}),
                ),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = app
        .gql_vars(
            "mutation($urns: [String!]!) { batchUpdateSoftDeleted(input: {urns: $urns, deleted: true}) }",
            json!({"urns": [feature]}),
        )
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    assert!(
        app.count_rows("edge").await >= edges_before + 4,
        "the batch's edges were not written"
    );

    if app.db.get_database_backend() == DbBackend::Sqlite {
        let broken = app
            .db
            .query_all(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA foreign_key_check",
            ))
            .await
            .unwrap();
        assert!(
            broken.is_empty(),
            "{} rows name an entity that does not exist",
            broken.len()
        );
    }
}
