//! Columns as lineage nodes: the demo's schemas and column lineage through GraphQL, the walks
//! from a column to a deployment, the two column questions (`MLModel.upstreamColumns`,
//! `columnReach` / `SchemaFieldEntity.reaches`), features from columns through the mutations and
//! DataHub ingestion, `asOf`, and the refusals that name their argument.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::datahub::{ingest, proposal};
use crate::lineage::{
    graph, run, CUSTOMER, DEPLOYMENT, EDIT, FREQUENCY, ORDERS, RAW_ORDERS, REMOVE, RETURN_RATIO,
    SEGMENTS, TABLE, V1, V2,
};
use crate::support::TestApp;

fn column(dataset: &str, path: &str) -> String {
    format!("urn:li:schemaField:({dataset},{path})")
}

const UPSTREAM_COLUMNS: &str = "query($urn: String!, $depth: Int, $budget: Int, $asOf: Long) {
  mlModel(urn: $urn) {
    upstreamColumns(depth: $depth, budget: $budget, asOf: $asOf) {
      total truncated
      columns {
        column { urn fieldPath }
        datasetUrn dataset { urn }
        fieldPath degree
        feature { urn }
        path { source target relation }
      }
    }
  }
}";

const REACH: &str =
    "query($column: String!, $model: String!, $depth: Int, $budget: Int, $asOf: Long) {
  columnReach(column: $column, model: $model, depth: $depth, budget: $budget, asOf: $asOf) {
    reaches truncated model
    column { urn fieldPath }
    feature { urn }
    path { source target relation }
  }
}";

async fn reach(app: &TestApp, column: &str, model: &str, extra: Value) -> Value {
    let mut vars = json!({"column": column, "model": model});
    if let (Some(v), Some(e)) = (vars.as_object_mut(), extra.as_object()) {
        v.extend(e.clone());
    }
    run(app, REACH, vars).await["columnReach"].clone()
}

fn urns(list: &Value, at: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.pointer(at).and_then(Value::as_str).unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_demo_s_datasets_answer_their_schema_and_column_lineage() {
    let app = TestApp::with_demo().await;
    let data = run(
        &app,
        "query($urn: String!) { dataset(urn: $urn) {
            schemaMetadata { fields { fieldPath type nativeDataType description nullable
                schemaFieldEntity { urn fieldPath } } }
            fineGrainedLineages { upstreams { urn path } downstreams { urn path } transformOperation }
        } }",
        json!({"urn": ORDERS}),
    )
    .await;
    let fields = &data["dataset"]["schemaMetadata"]["fields"];
    assert_eq!(
        urns(fields, "/fieldPath"),
        ["O_ORDER_ID", "O_CUSTOMER_SK", "WEEKDAY", "DATE", "STORE"]
    );
    assert_eq!(
        fields[3],
        json!({
            "fieldPath": "DATE", "type": "DATE", "nativeDataType": "DATE",
            "description": "When the order was placed", "nullable": false,
            "schemaFieldEntity": {"urn": column(ORDERS, "DATE"), "fieldPath": "DATE"},
        })
    );
    let lineage = &data["dataset"]["fineGrainedLineages"];
    assert_eq!(lineage.as_array().unwrap().len(), 5);
    assert_eq!(
        lineage[0],
        json!({
            "upstreams": [{"urn": column(RAW_ORDERS, "O_ORDER_ID"), "path": "O_ORDER_ID"}],
            "downstreams": [{"urn": column(ORDERS, "O_ORDER_ID"), "path": "O_ORDER_ID"}],
            "transformOperation": "COPY",
        })
    );
}

#[tokio::test]
async fn a_column_is_an_entity_with_its_dataset_type_and_label() {
    let app = TestApp::with_demo().await;
    let churned = column(CUSTOMER, "C_CHURNED");
    let data = run(
        &app,
        "query($urn: String!) { entity(urn: $urn) { urn type ... on SchemaFieldEntity {
            fieldPath datasetUrn
            parent { urn type }
            schemaField { type nativeDataType nullable }
            description
            tags { tags { tag { urn } } }
        } } }",
        json!({"urn": churned}),
    )
    .await;
    assert_eq!(
        data["entity"],
        json!({
            "urn": churned, "type": "SCHEMA_FIELD", "fieldPath": "C_CHURNED",
            "datasetUrn": CUSTOMER,
            "parent": {"urn": CUSTOMER, "type": "DATASET"},
            "schemaField": {"type": "BOOLEAN", "nativeDataType": "BOOLEAN", "nullable": false},
            "description": "The churn label: whether the customer left within twelve months",
            "tags": {"tags": [{"tag": {"urn": "urn:li:tag:Label"}}]},
        })
    );
}

#[tokio::test]
async fn a_walk_goes_from_a_raw_column_to_the_deployment() {
    let app = TestApp::with_demo().await;
    let start = column(RAW_ORDERS, "O_ORDER_ID");
    let g = graph(
        &app,
        json!({"urn": start, "direction": "DOWNSTREAM", "depth": 5}),
    )
    .await;
    let nodes: Vec<(String, String, i64)> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["urn"].as_str().unwrap().to_string(),
                n["type"].as_str().unwrap().to_string(),
                n["degree"].as_i64().unwrap(),
            )
        })
        .collect();
    let has = |urn: &str, kind: &str, degree: i64| {
        assert!(
            nodes.contains(&(urn.to_string(), kind.to_string(), degree)),
            "{urn} {kind} at {degree} in {nodes:#?}"
        )
    };
    has(&start, "SCHEMA_FIELD", 0);
    has(&column(ORDERS, "O_ORDER_ID"), "SCHEMA_FIELD", 1);
    has(FREQUENCY, "MLFEATURE", 2);
    has(TABLE, "MLFEATURE_TABLE", 3);
    has(V2, "MLMODEL", 3);
    has(DEPLOYMENT, "MLMODEL_DEPLOYMENT", 4);
    assert_eq!(g["truncated"], json!(false));
    // A column is shown by its table and path.
    assert_eq!(g["nodes"][0]["name"], json!("orders.csv.O_ORDER_ID"));
    assert!(g["edges"].as_array().unwrap().iter().any(|e| {
        e["source"] == json!(start)
            && e["target"] == json!(column(ORDERS, "O_ORDER_ID"))
            && e["relation"] == json!("DownstreamOf")
    }));
    // The budget cuts the walk, and says so.
    let cut = graph(
        &app,
        json!({"urn": start, "direction": "DOWNSTREAM", "depth": 5, "budget": 2}),
    )
    .await;
    assert_eq!(cut["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(cut["truncated"], json!(true));

    // DataHub's one-hop lineage of a feature answers its columns, typed.
    let data = run(
        &app,
        "query($urn: String!) { mlFeature(urn: $urn) {
            lineage(input: {direction: UPSTREAM, types: [SCHEMA_FIELD]}) {
                total relationships { type entity { urn type } } } } }",
        json!({"urn": RETURN_RATIO}),
    )
    .await;
    let rel = &data["mlFeature"]["lineage"]["relationships"];
    let mut got = urns(rel, "/entity/urn");
    got.sort();
    let lineitem = crate::lineage::LINEITEM;
    let returns = crate::lineage::RETURNS;
    let mut want = vec![
        column(lineitem, "QUANTITY"),
        column(returns, "OR_RETURN_QUANTITY"),
    ];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(rel[0]["type"], json!("DerivedFrom"));
}

#[tokio::test]
async fn which_columns_of_which_tables_reach_the_model() {
    let app = TestApp::with_demo().await;
    let data = run(&app, UPSTREAM_COLUMNS, json!({"urn": V2})).await;
    let answer = &data["mlModel"]["upstreamColumns"];
    assert_eq!(answer["truncated"], json!(false));
    let columns = &answer["columns"];
    let mut got = urns(columns, "/column/urn");
    got.sort();
    let raw = |file: &str, path: &str| {
        column(
            &format!("urn:li:dataset:(urn:li:dataPlatform:s3,tpcxai-raw/{file}.csv,PROD)"),
            path,
        )
    };
    let lineitem = crate::lineage::LINEITEM;
    let returns = crate::lineage::RETURNS;
    let mut want = vec![
        column(ORDERS, "O_ORDER_ID"),
        column(ORDERS, "O_CUSTOMER_SK"),
        column(ORDERS, "DATE"),
        column(lineitem, "LI_ORDER_ID"),
        column(lineitem, "QUANTITY"),
        column(returns, "OR_RETURN_QUANTITY"),
        raw("orders", "O_ORDER_ID"),
        raw("orders", "O_CUSTOMER_SK"),
        raw("orders", "DATE"),
        raw("lineitem", "LI_ORDER_ID"),
        raw("lineitem", "QUANTITY"),
        raw("order_returns", "OR_RETURN_QUANTITY"),
        // The customer key feeds the feature table's primary key, and the table the training
        // data.
        column(CUSTOMER, "C_CUSTOMER_SK"),
        raw("customer", "C_CUSTOMER_SK"),
    ];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(answer["total"], json!(14));
    // The label column is not among them.
    assert!(!got.contains(&column(CUSTOMER, "C_CHURNED")));
    // Each column with its dataset and the path from it to the model.
    let raw_date = columns
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"]["urn"] == json!(raw("orders", "DATE")))
        .unwrap();
    assert_eq!(raw_date["fieldPath"], json!("DATE"));
    assert_eq!(raw_date["degree"], json!(3));
    assert_eq!(raw_date["feature"]["urn"], json!(FREQUENCY));
    assert_eq!(
        raw_date["path"],
        json!([
            {"source": raw("orders", "DATE"), "target": column(ORDERS, "DATE"), "relation": "DownstreamOf"},
            {"source": column(ORDERS, "DATE"), "target": FREQUENCY, "relation": "DerivedFrom"},
            {"source": FREQUENCY, "target": V2, "relation": "Consumes"},
        ])
    );
    let near = &columns[0];
    assert_eq!(near["degree"], json!(2));
    assert_eq!(near["dataset"]["urn"], near["datasetUrn"]);
    // A shallower walk answers the nearer columns and says it was cut.
    let data = run(&app, UPSTREAM_COLUMNS, json!({"urn": V2, "depth": 2})).await;
    let answer = &data["mlModel"]["upstreamColumns"];
    assert_eq!(answer["total"], json!(6));
    assert_eq!(answer["truncated"], json!(true));
}

#[tokio::test]
async fn the_label_column_reaches_no_feature_of_the_model() {
    let app = TestApp::with_demo().await;
    let label = column(CUSTOMER, "C_CHURNED");
    let answer = reach(&app, &label, V2, json!({})).await;
    assert_eq!(
        answer,
        json!({
            "reaches": false, "truncated": false, "model": V2,
            "column": {"urn": label, "fieldPath": "C_CHURNED"},
            "feature": null, "path": [],
        })
    );
    // A column that feeds RETURN_RATIO does, with the path.
    let returned = column(crate::lineage::RETURNS, "OR_RETURN_QUANTITY");
    let answer = reach(&app, &returned, V1, json!({})).await;
    assert_eq!(answer["reaches"], json!(true));
    assert_eq!(answer["feature"]["urn"], json!(RETURN_RATIO));
    assert_eq!(
        answer["path"],
        json!([
            {"source": returned, "target": RETURN_RATIO, "relation": "DerivedFrom"},
            {"source": RETURN_RATIO, "target": V1, "relation": "Consumes"},
        ])
    );
    // The same question asked of the column itself.
    let data = run(
        &app,
        "query($urn: String!, $model: String!) { dataset(urn: $urn) { schemaMetadata { fields {
            fieldPath schemaFieldEntity { reaches(model: $model) { reaches feature { urn } } } } } } }",
        json!({"urn": CUSTOMER, "model": V2}),
    )
    .await;
    let fields = data["dataset"]["schemaMetadata"]["fields"]
        .as_array()
        .unwrap()
        .clone();
    let reaching: Vec<&str> = fields
        .iter()
        .filter(|f| f["schemaFieldEntity"]["reaches"]["reaches"] == json!(true))
        .map(|f| f["fieldPath"].as_str().unwrap())
        .collect();
    // Of the customer's columns only the key reaches the model: through the feature table's
    // primary key, whose table the training data was generated from.
    assert_eq!(reaching, ["C_CUSTOMER_SK"], "{fields:#?}");
    // Too small a budget cannot say no.
    let answer = reach(&app, &label, V2, json!({"budget": 1})).await;
    assert_eq!(answer["reaches"], json!(false));
    assert_eq!(answer["truncated"], json!(true));
}

#[tokio::test]
async fn features_from_columns_through_every_front_door() {
    let app = TestApp::new().await;
    let table = "urn:li:dataset:(urn:li:dataPlatform:hive,db.events,PROD)";
    let raw = "urn:li:dataset:(urn:li:dataPlatform:s3,events.json,PROD)";
    let model = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";
    let feature = "urn:li:mlFeature:(events,clicks)";
    // Column lineage through DataHub ingestion.
    ingest(
        &app,
        proposal(
            "dataset",
            table,
            "upstreamLineage",
            json!({
                "upstreams": [{"dataset": raw, "type": "TRANSFORMED"}],
                "fineGrainedLineages": [{
                    "upstreamType": "FIELD_SET",
                    "upstreams": [column(raw, "click"), column(raw, "ts")],
                    "downstreamType": "FIELD",
                    "downstreams": [column(table, "clicks")],
                }],
            }),
        ),
    )
    .await;
    // A feature from a column through GraphQL.
    let data = run(
        &app,
        "mutation($urn: String!, $sources: [String!]) {
            upsertMLFeature(input: {urn: $urn, sources: $sources}) {
                urn properties { sources { urn } sourceColumns { urn fieldPath } } } }",
        json!({"urn": feature, "sources": [table, column(table, "clicks")]}),
    )
    .await;
    assert_eq!(
        data["upsertMLFeature"]["properties"],
        json!({
            "sources": [{"urn": table}],
            "sourceColumns": [{"urn": column(table, "clicks"), "fieldPath": "clicks"}],
        })
    );
    run(
        &app,
        EDIT,
        json!({"urn": model, "field": "MODEL_FEATURES", "targets": [feature]}),
    )
    .await;
    let before = chrono_now();
    let answer = reach(&app, &column(raw, "ts"), model, json!({})).await;
    assert_eq!(answer["reaches"], json!(true));
    assert_eq!(answer["path"].as_array().unwrap().len(), 3);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // The relationship edits take columns too: the feature now reads another column only.
    let other = column(table, "views");
    run(
        &app,
        REMOVE,
        json!({"urn": feature, "field": "FEATURE_SOURCES", "targets": [column(table, "clicks")]}),
    )
    .await;
    let data = run(
        &app,
        EDIT,
        json!({"urn": feature, "field": "FEATURE_SOURCES", "targets": [other]}),
    )
    .await;
    assert_eq!(data["addRelationships"]["changed"], json!(true));
    let answer = reach(&app, &column(raw, "ts"), model, json!({})).await;
    assert_eq!(answer["reaches"], json!(false));
    assert_eq!(answer["truncated"], json!(false));
    let answer = reach(&app, &other, model, json!({})).await;
    assert_eq!(answer["reaches"], json!(true));
    // As of before the edit, the raw column still reached the model, and a walk from it too.
    let answer = reach(&app, &column(raw, "ts"), model, json!({"asOf": before})).await;
    assert_eq!(answer["reaches"], json!(true));
    let g = graph(
        &app,
        json!({"urn": column(raw, "ts"), "direction": "DOWNSTREAM", "asOf": before}),
    )
    .await;
    let reached = urns(&g["nodes"], "/urn");
    assert!(reached.contains(&model.to_string()), "{reached:?}");
    let g = graph(
        &app,
        json!({"urn": column(raw, "ts"), "direction": "DOWNSTREAM"}),
    )
    .await;
    let reached = urns(&g["nodes"], "/urn");
    assert!(!reached.contains(&model.to_string()), "{reached:?}");
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn bad_column_questions_name_the_argument() {
    let app = TestApp::with_demo().await;
    for (column, model, argument) in [
        (ORDERS.to_string(), V2, "column"),
        ("urn:li:schemaField:(O_ORDER_ID)".to_string(), V2, "column"),
        (
            "urn:li:schemaField:(urn:li:mlModel:(urn:li:dataPlatform:x,m,PROD),c)".to_string(),
            V2,
            "column",
        ),
        ("not a urn".to_string(), V2, "column"),
        (column(ORDERS, "DATE"), SEGMENTS, "model"),
        (column(ORDERS, "DATE"), "urn:li:mlModel:nope", "model"),
    ] {
        let (code, message) = app
            .refusal(REACH, json!({"column": column, "model": model}))
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "{column} {model}: {message}");
        assert!(message.starts_with(&format!("{argument}:")), "{message}");
    }
    let (code, message) = app
        .refusal(
            REACH,
            json!({"column": column(ORDERS, "DATE"), "model": V2, "depth": 0}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("depth"), "{message}");
    // A model nobody wrote is not found.
    let (code, _) = app
        .refusal(
            REACH,
            json!({"column": column(ORDERS, "DATE"), "model": "urn:li:mlModel:(urn:li:dataPlatform:x,none,PROD)"}),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");

    // A malformed column among a feature's sources is refused, and nothing is written.
    let before = app.row_counts().await;
    let (code, message) = app
        .refusal(
            "mutation($s: [String!]) { upsertMLFeature(input: {urn: \"urn:li:mlFeature:(t,f)\", sources: $s}) { urn } }",
            json!({"s": ["urn:li:schemaField:(just-a-name)"]}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("sources[0]"), "{message}");
    let (status, body) = app
        .post_json(
            "/aspects?action=ingestProposal",
            crate::datahub::single(proposal(
                "dataset",
                ORDERS,
                "upstreamLineage",
                json!({"upstreams": [], "fineGrainedLineages": [{
                    "upstreamType": "FIELD_SET", "upstreams": ["urn:li:schemaField:(x,)"],
                    "downstreamType": "FIELD", "downstreams": [column(ORDERS, "DATE")],
                }]}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("fineGrainedLineages[0].upstreams[0]"));
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test]
async fn a_job_answers_its_inputs_outputs_and_column_lineage() {
    let app = TestApp::new().await;
    let job = "urn:li:dataJob:(urn:li:dataFlow:(airflow,etl,prod),load)";
    let extract = "urn:li:dataJob:(urn:li:dataFlow:(airflow,etl,prod),extract)";
    let raw = "urn:li:dataset:(urn:li:dataPlatform:s3,events.json,PROD)";
    let table = "urn:li:dataset:(urn:li:dataPlatform:hive,db.events,PROD)";
    ingest(
        &app,
        proposal(
            "dataJob",
            job,
            "dataJobInputOutput",
            json!({
                "inputDatasets": [raw], "outputDatasets": [],
                "outputDatasetEdges": [{"destinationUrn": table}],
                "inputDatajobs": [extract],
                "fineGrainedLineages": [{
                    "upstreamType": "FIELD_SET", "upstreams": [column(raw, "ts")],
                    "downstreamType": "FIELD", "downstreams": [column(table, "day")],
                    "transformOperation": "date_trunc",
                }],
            }),
        ),
    )
    .await;
    let data = run(
        &app,
        "query($urn: String!) { entity(urn: $urn) { ... on DataJob { inputOutput {
            inputDatasets { urn } outputDatasets { urn } inputDatajobs { urn }
            fineGrainedLineages { upstreams { urn path } downstreams { path } transformOperation }
        } } } }",
        json!({"urn": job}),
    )
    .await;
    assert_eq!(
        data["entity"]["inputOutput"],
        json!({
            "inputDatasets": [{"urn": raw}], "outputDatasets": [{"urn": table}],
            "inputDatajobs": [{"urn": extract}],
            "fineGrainedLineages": [{
                "upstreams": [{"urn": column(raw, "ts"), "path": "ts"}],
                "downstreams": [{"path": "day"}], "transformOperation": "date_trunc",
            }],
        })
    );
    // The column walk goes through the job's column lineage.
    let g = graph(
        &app,
        json!({"urn": column(raw, "ts"), "direction": "DOWNSTREAM"}),
    )
    .await;
    assert_eq!(
        urns(&g["nodes"], "/urn"),
        [column(raw, "ts"), column(table, "day")]
    );
    assert_eq!(g["nodes"][0]["name"], json!("events.json.ts"));
    assert_eq!(g["nodes"][1]["name"], json!("events.day"));
}
