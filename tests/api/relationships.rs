//! Relationships read and written one edge at a time: the reverse fields on the demo catalog,
//! DataHub's `relationships` field, `addRelationships`/`removeRelationships` for every
//! `RelationshipField`, concurrent additions to one list, and soft-deleted entities.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::lineage::{
    graph, nodes, run, CUSTOMER, DEPLOYMENT, EDIT, FREQUENCY, GROUP, KEY, LINEITEM, ORDERS,
    RAW_ORDERS, REMOVE, RETURN_RATIO, SEGMENTS, TABLE, TRAINING, V1, V2,
};
use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Rows of the three tables a write touches, to assert that nothing was written.
async fn row_counts(app: &TestApp) -> [i64; 3] {
    [
        app.count_rows("entity").await,
        app.count_rows("aspect").await,
        app.count_rows("edge").await,
    ]
}

fn edit_vars(owner: &str, field: &str, targets: &[&str]) -> Value {
    json!({"urn": owner, "field": field, "targets": targets})
}

/// `addRelationships` (or `removeRelationships` when `add` is false), which must succeed;
/// answers `(version, changed)`.
async fn edit(app: &TestApp, add: bool, owner: &str, field: &str, targets: &[&str]) -> (i64, bool) {
    let (query, name) = if add {
        (EDIT, "addRelationships")
    } else {
        (REMOVE, "removeRelationships")
    };
    let data = run(app, query, edit_vars(owner, field, targets)).await;
    let result = &data[name];
    assert_eq!(result["urn"], owner);
    assert_eq!(result["field"], field);
    (
        result["version"].as_i64().unwrap(),
        result["changed"].as_bool().unwrap(),
    )
}

/// The code of the first error of an edit that must fail.
async fn edit_refused(
    app: &TestApp,
    add: bool,
    owner: &str,
    field: &str,
    targets: &[&str],
) -> String {
    let query = if add { EDIT } else { REMOVE };
    let answer = app.gql_vars(query, edit_vars(owner, field, targets)).await;
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{field} {targets:?}: expected an error: {answer:#}"))
        .to_string()
}

/// The URNs of the list aliased `list` somewhere in a query's answer (its elements' `urn`, or
/// `dataset` for training data); empty when the query answered no list.
fn listed(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => match map.get("list") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.get("urn")
                        .or_else(|| i.get("dataset"))
                        .and_then(Value::as_str)
                        .unwrap()
                        .to_string()
                })
                .collect(),
            _ => map.values().flat_map(listed).collect(),
        },
        _ => Vec::new(),
    }
}

/// Runs `query` (with its one variable `$u` set to `urn`) and answers the URNs it lists.
async fn list_of(app: &TestApp, query: &str, urn: &str) -> Vec<String> {
    listed(&run(app, query, json!({ "u": urn })).await)
}

/// The names of a list of entities in an answer.
fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reverse fields on the demo catalog

#[tokio::test]
async fn every_reverse_field_answers_what_the_demo_declares() {
    let app = TestApp::with_demo().await;
    let data = run(
        &app,
        "query($group: String!, $orders: String!, $lineitem: String!, $customer: String!,
               $rawOrders: String!, $training: String!, $segments: String!, $v1: String!,
               $v2: String!, $table: String!, $deployment: String!, $frequency: String!,
               $returnRatio: String!, $key: String!) {
          group: mlModelGroup(urn: $group) { models { name } }
          orders: dataset(urn: $orders) {
            derivedFeatures { name } derivedPrimaryKeys { name }
            upstreams { ... on Dataset { name } } downstreamDatasets { name }
            trainedModels { name } producedBy { name }
          }
          lineitem: dataset(urn: $lineitem) { derivedFeatures { name } derivedPrimaryKeys { name } }
          customer: dataset(urn: $customer) { derivedPrimaryKeys { name } downstreamDatasets { name } }
          rawOrders: dataset(urn: $rawOrders) { upstreams { type } downstreamDatasets { name } }
          training: dataset(urn: $training) {
            upstreams { type ... on MLFeatureTable { name } } trainedModels { name }
            derivedFeatures { name }
          }
          segments: dataset(urn: $segments) {
            upstreams { ... on Dataset { name } } producedBy { name } trainedModels { name }
          }
          v1: mlModel(urn: $v1) { deployments { name } predictions { name } trainingDatasets { name } }
          v2: mlModel(urn: $v2) {
            deployments { name properties { status } } predictions { name }
            trainingDatasets { name } trainingData { dataset motivation preProcessing }
          }
          table: mlFeatureTable(urn: $table) { models { name } downstreamDatasets { name } }
          deployment: mlModelDeployment(urn: $deployment) { models { name } }
          frequency: mlFeature(urn: $frequency) { featureTables { name } models { name } }
          returnRatio: mlFeature(urn: $returnRatio) { featureTables { name } models { name } }
          key: mlPrimaryKey(urn: $key) { featureTables { name } }
        }",
        json!({
            "group": GROUP, "orders": ORDERS, "lineitem": LINEITEM, "customer": CUSTOMER,
            "rawOrders": RAW_ORDERS, "training": TRAINING, "segments": SEGMENTS, "v1": V1,
            "v2": V2, "table": TABLE, "deployment": DEPLOYMENT, "frequency": FREQUENCY,
            "returnRatio": RETURN_RATIO, "key": KEY,
        }),
    )
    .await;
    let models =
        json!([{"name": "customer_segmentation_v1"}, {"name": "customer_segmentation_v2"}]);
    let table = json!([{"name": "uc01_preprocess"}]);
    let training = json!([{"name": "ml_lineage_database.ml_lineage_schema.uc01_training_data"}]);
    assert_eq!(
        data,
        json!({
            "group": {"models": models},
            "orders": {
                "derivedFeatures": [{"name": "FREQUENCY"}],
                "derivedPrimaryKeys": [{"name": "O_CUSTOMER_SK"}],
                "upstreams": [{"name": "tpcxai-raw/orders.csv"}],
                "downstreamDatasets": [],
                "trainedModels": [],
                "producedBy": [],
            },
            "lineitem": {
                "derivedFeatures": [{"name": "FREQUENCY"}, {"name": "RETURN_RATIO"}],
                "derivedPrimaryKeys": [],
            },
            "customer": {
                "derivedPrimaryKeys": [{"name": "O_CUSTOMER_SK"}],
                "downstreamDatasets": [{"name": "tpcxai_sf0001.public.customer_segments"}],
            },
            "rawOrders": {
                "upstreams": [],
                "downstreamDatasets": [{"name": "tpcxai_sf0001.public.orders"}],
            },
            "training": {
                "upstreams": [{"type": "MLFEATURE_TABLE", "name": "uc01_preprocess"}],
                "trainedModels": models,
                "derivedFeatures": [],
            },
            "segments": {
                // The model that produced the segments is not an upstream dataset.
                "upstreams": [{"name": "tpcxai_sf0001.public.customer"}],
                "producedBy": [{"name": "customer_segmentation_v2"}],
                "trainedModels": [],
            },
            "v1": {"deployments": [], "predictions": [], "trainingDatasets": training},
            "v2": {
                "deployments": [{
                    "name": "customer_segmentation_service",
                    "properties": {"status": "IN_SERVICE"},
                }],
                "predictions": [{"name": "tpcxai_sf0001.public.customer_segments"}],
                "trainingDatasets": training,
                "trainingData": [{
                    "dataset": TRAINING,
                    "motivation": "Customer behaviour of the last twelve months",
                    "preProcessing": ["MinMaxScaler on FREQUENCY and RETURN_RATIO"],
                }],
            },
            "table": {"models": models, "downstreamDatasets": training},
            "deployment": {"models": [{"name": "customer_segmentation_v2"}]},
            "frequency": {"featureTables": table, "models": models},
            "returnRatio": {"featureTables": table, "models": models},
            "key": {"featureTables": table},
        })
    );
}

// ---------------------------------------------------------------------------------------------
// DataHub's relationships field

const RELATIONSHIPS: &str = "relationships(input: $input) {
  start count total
  relationships { type direction entity { urn } created { time } }
}";

/// The `relationships` field of the entity `urn`, looked up with `lookup`.
async fn relationships(app: &TestApp, lookup: &str, urn: &str, input: Value) -> Value {
    let query = format!(
        "query($urn: String!, $input: RelationshipsInput!) {{ e: {lookup}(urn: $urn) {{ {RELATIONSHIPS} }} }}"
    );
    run(app, &query, json!({ "urn": urn, "input": input })).await["e"]["relationships"].clone()
}

/// (type, direction, URN) of each relationship answered.
fn related(result: &Value) -> Vec<(&str, &str, &str)> {
    result["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap(),
                r["direction"].as_str().unwrap(),
                r["entity"]["urn"].as_str().unwrap(),
            )
        })
        .collect()
}

fn page(result: &Value) -> (i64, i64, i64) {
    (
        result["start"].as_i64().unwrap(),
        result["count"].as_i64().unwrap(),
        result["total"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn datahubs_relationships_field_lists_by_type_and_declaring_side() {
    let app = TestApp::with_demo().await;

    // DataHub's UI asks for a group's member models this way.
    let r = relationships(
        &app,
        "mlModelGroup",
        GROUP,
        json!({"types": ["MemberOf"], "direction": "INCOMING"}),
    )
    .await;
    assert_eq!(
        related(&r),
        [("MemberOf", "INCOMING", V1), ("MemberOf", "INCOMING", V2)]
    );
    assert_eq!(page(&r), (0, 2, 2));
    assert!(r["relationships"][0]["created"]["time"].as_i64().unwrap() > 0);

    // ... and for a feature's feature tables.
    let r = relationships(
        &app,
        "mlFeature",
        FREQUENCY,
        json!({"types": ["Contains"], "direction": "INCOMING"}),
    )
    .await;
    assert_eq!(related(&r), [("Contains", "INCOMING", TABLE)]);

    let r = relationships(
        &app,
        "mlModel",
        V2,
        json!({"types": ["Consumes"], "direction": "OUTGOING"}),
    )
    .await;
    assert_eq!(
        related(&r),
        [
            ("Consumes", "OUTGOING", FREQUENCY),
            ("Consumes", "OUTGOING", RETURN_RATIO)
        ]
    );

    // The group declares no membership; the model declares it.
    let r = relationships(
        &app,
        "mlModelGroup",
        GROUP,
        json!({"types": ["MemberOf"], "direction": "OUTGOING"}),
    )
    .await;
    assert_eq!(page(&r), (0, 0, 0));
    let r = relationships(
        &app,
        "mlModel",
        V2,
        json!({"types": ["Consumes", "MemberOf", "DeployedTo"], "direction": "OUTGOING"}),
    )
    .await;
    let all: BTreeSet<_> = related(&r).into_iter().collect();
    assert_eq!(
        all,
        BTreeSet::from([
            ("Consumes", "OUTGOING", FREQUENCY),
            ("Consumes", "OUTGOING", RETURN_RATIO),
            ("DeployedTo", "OUTGOING", DEPLOYMENT),
            ("MemberOf", "OUTGOING", GROUP),
        ])
    );

    // Pages.
    let group_page = |start: i64, count: i64| json!({"types": ["MemberOf"], "direction": "INCOMING", "start": start, "count": count});
    let r = relationships(&app, "mlModelGroup", GROUP, group_page(1, 1)).await;
    assert_eq!(related(&r), [("MemberOf", "INCOMING", V2)]);
    assert_eq!(page(&r), (1, 1, 2));
    let r = relationships(&app, "mlModelGroup", GROUP, group_page(0, 1)).await;
    assert_eq!(related(&r), [("MemberOf", "INCOMING", V1)]);
    assert_eq!(page(&r), (0, 1, 2));
    let r = relationships(&app, "mlModelGroup", GROUP, group_page(5, 10)).await;
    assert_eq!(page(&r), (5, 0, 2));

    for bad in [
        json!({"types": ["IsFriendsWith"], "direction": "INCOMING"}),
        json!({"types": ["MemberOf", "memberof"], "direction": "INCOMING"}),
        json!({"types": ["MemberOf"], "direction": "INCOMING", "start": -1}),
        json!({"types": ["MemberOf"], "direction": "INCOMING", "count": -1}),
    ] {
        let answer = app
            .gql_vars(
                &format!(
                    "query($urn: String!, $input: RelationshipsInput!) {{ mlModelGroup(urn: $urn) {{ {RELATIONSHIPS} }} }}"
                ),
                json!({"urn": GROUP, "input": bad}),
            )
            .await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{bad}: {answer:#}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// addRelationships and removeRelationships

/// One `RelationshipField`, with URNs to edit and the queries that read the list from both ends.
struct FieldCase {
    field: &'static str,
    owner: &'static str,
    /// An entity of the owner's type that does not exist.
    missing_owner: &'static str,
    target: &'static str,
    /// Another target of the right type, never added.
    other: &'static str,
    /// A target of the wrong type for the field.
    wrong: &'static str,
    /// Lists the owner's targets; `$u` is the owner.
    forward: &'static str,
    /// Lists the target's owners; `$u` is the target.
    reverse: &'static str,
}

const TABLE_A: &str = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,table_a)";
const TABLE_MISSING: &str = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,missing)";
const FEATURE_A: &str = "urn:li:mlFeature:(table_a,f_a)";
const FEATURE_B: &str = "urn:li:mlFeature:(table_a,f_b)";
const FEATURE_MISSING: &str = "urn:li:mlFeature:(table_a,missing)";
const KEY_A: &str = "urn:li:mlPrimaryKey:(table_a,k_a)";
const KEY_B: &str = "urn:li:mlPrimaryKey:(table_a,k_b)";
const KEY_MISSING: &str = "urn:li:mlPrimaryKey:(table_a,missing)";
const MODEL_A: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,model_a,PROD)";
const MODEL_B: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,model_b,PROD)";
const MODEL_MISSING: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,missing,PROD)";
const GROUP_A: &str = "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,group_a,PROD)";
const GROUP_B: &str = "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,group_b,PROD)";
const DEPLOYMENT_A: &str =
    "urn:li:mlModelDeployment:(urn:li:dataPlatform:sagemaker,endpoint_a,PROD)";
const DEPLOYMENT_B: &str =
    "urn:li:mlModelDeployment:(urn:li:dataPlatform:sagemaker,endpoint_b,PROD)";
const DATASET_A: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,db.a,PROD)";
const DATASET_B: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,db.b,PROD)";
const DATASET_C: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,db.c,PROD)";
const DATASET_MISSING: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,db.missing,PROD)";
/// No field is declared by a model group.
const NOT_AN_OWNER: &str = "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,not_an_owner,PROD)";

const FIELD_CASES: [FieldCase; 10] = [
    FieldCase {
        field: "FEATURE_TABLE_FEATURES",
        owner: TABLE_A,
        missing_owner: TABLE_MISSING,
        target: FEATURE_A,
        other: FEATURE_B,
        wrong: MODEL_A,
        forward: "query($u: String!) { e: mlFeatureTable(urn: $u) { properties { list: mlFeatures { urn } } } }",
        reverse: "query($u: String!) { e: mlFeature(urn: $u) { list: featureTables { urn } } }",
    },
    FieldCase {
        field: "FEATURE_TABLE_PRIMARY_KEYS",
        owner: TABLE_A,
        missing_owner: TABLE_MISSING,
        target: KEY_A,
        other: KEY_B,
        wrong: FEATURE_A,
        forward: "query($u: String!) { e: mlFeatureTable(urn: $u) { properties { list: mlPrimaryKeys { urn } } } }",
        reverse: "query($u: String!) { e: mlPrimaryKey(urn: $u) { list: featureTables { urn } } }",
    },
    FieldCase {
        field: "MODEL_FEATURES",
        owner: MODEL_A,
        missing_owner: MODEL_MISSING,
        target: FEATURE_A,
        other: FEATURE_B,
        wrong: MODEL_B,
        forward: "query($u: String!) { e: mlModel(urn: $u) { properties { list: features { urn } } } }",
        reverse: "query($u: String!) { e: mlFeature(urn: $u) { list: models { urn } } }",
    },
    FieldCase {
        field: "MODEL_GROUPS",
        owner: MODEL_A,
        missing_owner: MODEL_MISSING,
        target: GROUP_A,
        other: GROUP_B,
        wrong: MODEL_B,
        forward: "query($u: String!) { e: mlModel(urn: $u) { properties { list: groups { urn } } } }",
        reverse: "query($u: String!) { e: mlModelGroup(urn: $u) { list: models { urn } } }",
    },
    FieldCase {
        field: "MODEL_DEPLOYMENTS",
        owner: MODEL_A,
        missing_owner: MODEL_MISSING,
        target: DEPLOYMENT_A,
        other: DEPLOYMENT_B,
        wrong: GROUP_A,
        forward: "query($u: String!) { e: mlModel(urn: $u) { list: deployments { urn } } }",
        reverse: "query($u: String!) { e: mlModelDeployment(urn: $u) { list: models { urn } } }",
    },
    FieldCase {
        field: "MODEL_TRAINING_DATASETS",
        owner: MODEL_A,
        missing_owner: MODEL_MISSING,
        target: DATASET_A,
        other: DATASET_B,
        wrong: TABLE_A,
        forward: "query($u: String!) { e: mlModel(urn: $u) { list: trainingData { dataset } } }",
        reverse: "query($u: String!) { e: dataset(urn: $u) { list: trainedModels { urn } } }",
    },
    FieldCase {
        field: "FEATURE_SOURCES",
        owner: FEATURE_A,
        missing_owner: FEATURE_MISSING,
        target: DATASET_A,
        other: DATASET_B,
        wrong: MODEL_A,
        forward: "query($u: String!) { e: mlFeature(urn: $u) { properties { list: sources { urn } } } }",
        reverse: "query($u: String!) { e: dataset(urn: $u) { list: derivedFeatures { urn } } }",
    },
    FieldCase {
        field: "PRIMARY_KEY_SOURCES",
        owner: KEY_A,
        missing_owner: KEY_MISSING,
        target: DATASET_A,
        other: DATASET_B,
        wrong: FEATURE_A,
        forward: "query($u: String!) { e: mlPrimaryKey(urn: $u) { properties { list: sources { urn } } } }",
        reverse: "query($u: String!) { e: dataset(urn: $u) { list: derivedPrimaryKeys { urn } } }",
    },
    FieldCase {
        field: "DATASET_UPSTREAMS",
        owner: DATASET_C,
        missing_owner: DATASET_MISSING,
        target: DATASET_A,
        other: DATASET_B,
        wrong: GROUP_A,
        forward: "query($u: String!) { e: dataset(urn: $u) { list: upstreams { urn } } }",
        reverse: "query($u: String!) { e: dataset(urn: $u) { list: downstreamDatasets { urn } } }",
    },
    // A model upstream of a dataset produced it: the predictions.
    FieldCase {
        field: "DATASET_UPSTREAMS",
        owner: DATASET_C,
        missing_owner: DATASET_MISSING,
        target: MODEL_A,
        other: MODEL_B,
        wrong: GROUP_A,
        forward: "query($u: String!) { e: dataset(urn: $u) { list: producedBy { urn } } }",
        reverse: "query($u: String!) { e: mlModel(urn: $u) { list: predictions { urn } } }",
    },
];

/// Adds and removes through one field, checking both ends and every refusal.
async fn exercise(case: &FieldCase) {
    let app = TestApp::new().await;
    let FieldCase {
        field,
        owner,
        target,
        other,
        wrong,
        ..
    } = *case;

    // A target of the wrong type is refused, and nothing is written: not even the owner's
    // row, nor the good target given with it.
    let nothing = row_counts(&app).await;
    for targets in [vec![wrong], vec![target, wrong]] {
        let code = edit_refused(&app, true, owner, field, &targets).await;
        assert_eq!(code, "BAD_USER_INPUT", "{field} adding {targets:?}");
        assert_eq!(
            row_counts(&app).await,
            nothing,
            "{field}: a refused edit wrote"
        );
    }

    // Adding shows at both ends.
    let (version, changed) = edit(&app, true, owner, field, &[target]).await;
    assert!(changed, "{field}");
    assert_eq!(
        list_of(&app, case.forward, owner).await,
        [target],
        "{field}"
    );
    assert_eq!(
        list_of(&app, case.reverse, target).await,
        [owner],
        "{field}"
    );

    // Adding it again, or removing what is not there, changes nothing.
    let rows = row_counts(&app).await;
    assert_eq!(
        edit(&app, true, owner, field, &[target]).await,
        (version, false),
        "{field}: adding again"
    );
    assert_eq!(
        edit(&app, false, owner, field, &[other]).await,
        (version, false),
        "{field}: removing what is not there"
    );
    assert_eq!(row_counts(&app).await, rows, "{field}: a no-op edit wrote");

    // A target of the wrong type is refused on an existing owner too.
    let code = edit_refused(&app, true, owner, field, &[wrong]).await;
    assert_eq!(code, "BAD_USER_INPUT", "{field} adding {wrong}");
    assert_eq!(
        row_counts(&app).await,
        rows,
        "{field}: a refused edit wrote"
    );
    assert_eq!(
        list_of(&app, case.forward, owner).await,
        [target],
        "{field}"
    );

    // Removing takes it out at both ends; removing again changes nothing.
    assert_eq!(
        edit(&app, false, owner, field, &[target]).await,
        (version + 1, true),
        "{field}: removing"
    );
    assert!(
        list_of(&app, case.forward, owner).await.is_empty(),
        "{field}"
    );
    assert!(
        list_of(&app, case.reverse, target).await.is_empty(),
        "{field}"
    );
    assert_eq!(
        edit(&app, false, owner, field, &[target]).await,
        (version + 1, false),
        "{field}: removing again"
    );

    // Removing from an entity that does not exist, and editing through an owner of a type
    // that does not declare the field.
    let rows = row_counts(&app).await;
    let code = edit_refused(&app, false, case.missing_owner, field, &[target]).await;
    assert_eq!(code, "NOT_FOUND", "{field}");
    for add in [true, false] {
        let code = edit_refused(&app, add, NOT_AN_OWNER, field, &[target]).await;
        assert_eq!(code, "BAD_USER_INPUT", "{field}: owner of the wrong type");
    }
    assert_eq!(
        row_counts(&app).await,
        rows,
        "{field}: a refused edit wrote"
    );
}

#[tokio::test]
async fn every_relationship_field_adds_and_removes_at_both_ends() {
    for case in &FIELD_CASES {
        exercise(case).await;
    }
}

#[tokio::test]
async fn removing_a_target_of_the_wrong_type_is_refused() {
    let mut codes = Vec::new();
    for case in &FIELD_CASES {
        let app = TestApp::new().await;
        edit(&app, true, case.owner, case.field, &[case.target]).await;
        let rows = row_counts(&app).await;
        let answer = app
            .gql_vars(REMOVE, edit_vars(case.owner, case.field, &[case.wrong]))
            .await;
        let code = answer["errors"][0]["extensions"]["code"].clone();
        codes.push((case.field, case.wrong, code));
        assert_eq!(
            row_counts(&app).await,
            rows,
            "{}: a refused edit wrote",
            case.field
        );
    }
    let refused: Vec<_> = codes
        .iter()
        .map(|(f, w, _)| (*f, *w, json!("BAD_USER_INPUT")))
        .collect();
    assert_eq!(codes, refused);
}

#[tokio::test]
async fn adding_what_the_demo_already_declares_changes_nothing() {
    let app = TestApp::with_demo().await;
    let rows = row_counts(&app).await;
    let mut answers = Vec::new();
    for (owner, field, target) in [
        (TABLE, "FEATURE_TABLE_FEATURES", FREQUENCY),
        (TABLE, "FEATURE_TABLE_PRIMARY_KEYS", KEY),
        (V2, "MODEL_FEATURES", FREQUENCY),
        (V2, "MODEL_GROUPS", GROUP),
        (V2, "MODEL_DEPLOYMENTS", DEPLOYMENT),
        (V2, "MODEL_TRAINING_DATASETS", TRAINING),
        (FREQUENCY, "FEATURE_SOURCES", ORDERS),
        (KEY, "PRIMARY_KEY_SOURCES", ORDERS),
        (ORDERS, "DATASET_UPSTREAMS", RAW_ORDERS),
        (SEGMENTS, "DATASET_UPSTREAMS", V2),
    ] {
        let (version, changed) = edit(&app, true, owner, field, &[target]).await;
        answers.push((field, owner, version, changed));
    }
    // Every answer at once, so one failing field does not hide another.
    let unchanged: Vec<_> = answers.iter().map(|&(f, o, ..)| (f, o, 1, false)).collect();
    assert_eq!(answers, unchanged, "adding what was there changed it");
    assert_eq!(row_counts(&app).await, rows, "adding what was there wrote");
}

#[tokio::test]
async fn removing_what_the_demo_does_not_declare_changes_nothing() {
    let app = TestApp::with_demo().await;
    let rows = row_counts(&app).await;
    let tutorial_model = "urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)";
    let mut answers = Vec::new();
    for (owner, field, target) in [
        // v1 declares an empty list of deployments.
        (V1, "MODEL_DEPLOYMENTS", DEPLOYMENT),
        (TABLE, "FEATURE_TABLE_FEATURES", FEATURE_A),
        (ORDERS, "DATASET_UPSTREAMS", DATASET_A),
        // The tutorial's model exists but has no training data at all.
        (tutorial_model, "MODEL_TRAINING_DATASETS", TRAINING),
    ] {
        let (_, changed) = edit(&app, false, owner, field, &[target]).await;
        answers.push((field, owner, changed));
    }
    let unchanged: Vec<_> = answers.iter().map(|&(f, o, _)| (f, o, false)).collect();
    assert_eq!(answers, unchanged, "removing what was not there changed it");
    assert_eq!(
        row_counts(&app).await,
        rows,
        "removing what was not there wrote"
    );
}

// ---------------------------------------------------------------------------------------------
// Concurrency

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_additions_to_one_table_all_land() {
    let app = Arc::new(TestApp::new().await);
    run(
        &app,
        "mutation($u: String!) { upsertMLFeatureTable(input: {urn: $u, description: \"shared\"}) { urn } }",
        json!({ "u": TABLE_A }),
    )
    .await;
    let features: Vec<String> = (0..50)
        .map(|i| format!("urn:li:mlFeature:(table_a,f_{i:02})"))
        .collect();

    let mut edits = JoinSet::new();
    for f in &features {
        let app = app.clone();
        let vars = json!({"urn": TABLE_A, "field": "FEATURE_TABLE_FEATURES", "targets": [f]});
        edits.spawn(async move { app.gql_vars(EDIT, vars).await });
    }
    let mut versions = Vec::new();
    while let Some(answer) = edits.join_next().await {
        let answer = answer.unwrap();
        assert!(answer.get("errors").is_none(), "{answer:#}");
        assert_eq!(answer["data"]["addRelationships"]["changed"], true);
        versions.push(
            answer["data"]["addRelationships"]["version"]
                .as_i64()
                .unwrap(),
        );
    }
    // Each edit made a version of its own on top of the one before.
    versions.sort_unstable();
    assert_eq!(versions, (2..=51).collect::<Vec<i64>>());

    let listed: BTreeSet<String> = list_of(&app, FIELD_CASES[0].forward, TABLE_A)
        .await
        .into_iter()
        .collect();
    assert_eq!(listed, features.iter().cloned().collect::<BTreeSet<_>>());
    let r = relationships(
        &app,
        "mlFeatureTable",
        TABLE_A,
        json!({"types": ["Contains"], "direction": "OUTGOING", "count": 100}),
    )
    .await;
    assert_eq!(page(&r), (0, 50, 50));
}

// ---------------------------------------------------------------------------------------------
// Soft-deleted entities

const AROUND_FREQUENCY: &str = "query($table: String!, $v2: String!, $orders: String!,
                                      $lineitem: String!) {
  table: mlFeatureTable(urn: $table) { properties { mlFeatures { name } } models { name } }
  v2: mlModel(urn: $v2) { properties { features { name } } }
  orders: dataset(urn: $orders) { derivedFeatures { name } }
  lineitem: dataset(urn: $lineitem) { derivedFeatures { name } }
}";

#[tokio::test]
async fn soft_deleting_a_feature_hides_it_and_restoring_brings_it_back() {
    let app = TestApp::with_demo().await;
    let vars = json!({"table": TABLE, "v2": V2, "orders": ORDERS, "lineitem": LINEITEM});
    let downstream_of_orders = json!({"urn": ORDERS, "direction": "DOWNSTREAM", "depth": 10});
    let before = run(&app, AROUND_FREQUENCY, vars.clone()).await;
    let graph_before = graph(&app, downstream_of_orders.clone()).await;
    assert_eq!(names(&before["orders"]["derivedFeatures"]), ["FREQUENCY"]);

    app.data(&format!(
        "mutation {{ softDeleteEntity(urn: \"{FREQUENCY}\") }}"
    ))
    .await;
    let hidden = run(&app, AROUND_FREQUENCY, vars.clone()).await;
    assert_eq!(
        names(&hidden["table"]["properties"]["mlFeatures"]),
        ["RETURN_RATIO"]
    );
    assert_eq!(
        names(&hidden["table"]["models"]),
        ["customer_segmentation_v1", "customer_segmentation_v2"]
    );
    assert_eq!(
        names(&hidden["v2"]["properties"]["features"]),
        ["RETURN_RATIO"]
    );
    assert!(names(&hidden["orders"]["derivedFeatures"]).is_empty());
    assert_eq!(
        names(&hidden["lineitem"]["derivedFeatures"]),
        ["RETURN_RATIO"]
    );
    let r = relationships(
        &app,
        "mlFeatureTable",
        TABLE,
        json!({"types": ["Contains"], "direction": "OUTGOING"}),
    )
    .await;
    assert_eq!(related(&r), [("Contains", "OUTGOING", RETURN_RATIO)]);
    // Without FREQUENCY, orders reaches the models only through the training dataset.
    let g = graph(&app, downstream_of_orders.clone()).await;
    assert_eq!(
        nodes(&g),
        [
            (ORDERS, 0),
            (KEY, 1),
            (TABLE, 2),
            (TRAINING, 3),
            (V1, 4),
            (V2, 4),
            (GROUP, 5),
            (DEPLOYMENT, 5),
            (SEGMENTS, 5),
        ]
    );

    app.data(&format!(
        "mutation {{ restoreEntity(urn: \"{FREQUENCY}\") }}"
    ))
    .await;
    assert_eq!(run(&app, AROUND_FREQUENCY, vars).await, before);
    assert_eq!(graph(&app, downstream_of_orders).await, graph_before);
}
