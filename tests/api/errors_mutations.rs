//! Bad mutation input: unknown enum values, URNs of the wrong type in relations, empty names,
//! missing or contradicting key parts, malformed upsert URNs, invalid aspects for
//! `replaceAspect`, and bad URNs for `updateDescription` and soft deletes. Each is refused with
//! a clear error code naming the field, and a refused mutation writes nothing.

use serde_json::{json, Value};

use crate::errors::{refused, row_counts, DATASET, FEATURE, GROUP, KEY, MODEL, TABLE};
use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Runs one upsert mutation with `input` as a variable; it must be refused and write nothing.
async fn refused_upsert(app: &TestApp, mutation: &str, input: Value) -> String {
    let input_type = match mutation {
        "upsertDataset" => "UpsertDatasetInput".to_string(),
        other => format!("Upsert{}Input", other.trim_start_matches("upsert")),
    };
    let query =
        format!("mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ urn }} }}");
    refused(app, &query, json!({ "input": input })).await
}

const REPLACE: &str = "mutation($urn: String!, $aspect: String!, $value: JSON!) {
    replaceAspect(input: {urn: $urn, aspectName: $aspect, value: $value}) { version changed } }";

/// The whole latest state of an entity as a lookup answers it, to show a refusal left it alone.
async fn model_state(app: &TestApp, urn: &str) -> Value {
    app.data(&format!(
        r#"{{ mlModel(urn: "{urn}") {{ description status {{ removed }} properties {{ name description
             version type tags mlFeatures groups {{ urn }} customProperties {{ key value }} }} }} }}"#
    ))
    .await
}

// ---------------------------------------------------------------------------------------------
// Mutation input

#[tokio::test]
async fn an_unknown_enum_value_is_bad_input() {
    let app = TestApp::new().await;
    refused(
        &app,
        r#"mutation { upsertMLFeature(input: {featureNamespace: "t", name: "f", dataType: NOPE}) { urn } }"#,
        json!({}),
    )
    .await;
    refused_upsert(
        &app,
        "upsertMLFeature",
        json!({"featureNamespace": "t", "name": "f", "dataType": "NOPE"}),
    )
    .await;
    refused_upsert(
        &app,
        "upsertMLPrimaryKey",
        json!({"featureNamespace": "t", "name": "k", "dataType": "nominal"}),
    )
    .await;
    refused_upsert(
        &app,
        "upsertMLModel",
        json!({"platform": "p", "name": "m", "origin": "MARS"}),
    )
    .await;
    refused(
        &app,
        r#"{ listMLModels(input: {origin: MARS}) { total } }"#,
        json!({}),
    )
    .await;
}

#[tokio::test]
async fn a_urn_of_the_wrong_type_in_a_relation_is_refused_naming_the_field() {
    let app = TestApp::with_demo().await;
    let cases = [
        (
            "upsertMLFeatureTable",
            json!({"urn": TABLE, "mlFeatures": [MODEL]}),
            "mlFeatures[0]",
        ),
        (
            "upsertMLFeatureTable",
            json!({"urn": TABLE, "mlFeatures": [FEATURE, GROUP]}),
            "mlFeatures[1]",
        ),
        (
            "upsertMLFeatureTable",
            json!({"urn": TABLE, "mlPrimaryKeys": [FEATURE]}),
            "mlPrimaryKeys[0]",
        ),
        (
            "upsertMLFeatureTable",
            json!({"urn": TABLE, "mlFeatures": ["nope"]}),
            "mlFeatures[0]",
        ),
        (
            "upsertMLModel",
            json!({"urn": MODEL, "mlFeatures": [GROUP]}),
            "mlFeatures[0]",
        ),
        (
            "upsertMLModel",
            json!({"urn": MODEL, "groups": [GROUP, MODEL]}),
            "groups[1]",
        ),
        (
            "upsertMLModel",
            json!({"urn": MODEL, "mlFeatures": [KEY]}),
            "mlFeatures[0]",
        ),
        (
            "upsertMLFeature",
            json!({"urn": FEATURE, "sources": [FEATURE]}),
            "sources[0]",
        ),
        (
            "upsertMLFeature",
            json!({"urn": FEATURE, "sources": [DATASET, "urn:li:dataset:x"]}),
            "sources[1]",
        ),
        (
            "upsertMLPrimaryKey",
            json!({"urn": KEY, "sources": [MODEL]}),
            "sources[0]",
        ),
        // The same on entities that do not exist yet.
        (
            "upsertMLFeatureTable",
            json!({"platform": "feast", "name": "new_table", "mlFeatures": [MODEL]}),
            "mlFeatures[0]",
        ),
        (
            "upsertMLModel",
            json!({"platform": "p", "name": "new_model", "mlFeatures": [GROUP]}),
            "mlFeatures[0]",
        ),
        (
            "upsertMLFeature",
            json!({"featureNamespace": "t", "name": "new", "sources": [FEATURE]}),
            "sources[0]",
        ),
    ];
    let model_before = model_state(&app, MODEL).await;
    for (mutation, input, field) in cases {
        let message = refused_upsert(&app, mutation, input.clone()).await;
        assert!(
            message.contains(field),
            "{mutation} {input}: {message:?} does not name {field}"
        );
    }
    // The model the refused writes aimed at is as it was.
    assert_eq!(model_state(&app, MODEL).await, model_before);
    let new = app
        .data(
            r#"{ mlModel(urn: "urn:li:mlModel:(urn:li:dataPlatform:p,new_model,PROD)") { urn } }"#,
        )
        .await;
    assert_eq!(new, json!({"mlModel": null}));
}

#[tokio::test]
async fn an_empty_or_blank_name_is_refused() {
    let app = TestApp::new().await;
    for blank in ["", "   ", "\t"] {
        let cases = [
            (
                "upsertMLFeature",
                json!({"featureNamespace": "t", "name": blank}),
            ),
            (
                "upsertMLFeature",
                json!({"featureNamespace": blank, "name": "f"}),
            ),
            (
                "upsertMLPrimaryKey",
                json!({"featureNamespace": "t", "name": blank}),
            ),
            (
                "upsertMLPrimaryKey",
                json!({"featureNamespace": blank, "name": "k"}),
            ),
            (
                "upsertMLFeatureTable",
                json!({"platform": "feast", "name": blank}),
            ),
            (
                "upsertMLFeatureTable",
                json!({"platform": blank, "name": "t"}),
            ),
            ("upsertMLModel", json!({"platform": "p", "name": blank})),
            ("upsertMLModel", json!({"platform": blank, "name": "m"})),
            (
                "upsertMLModelGroup",
                json!({"platform": "p", "name": blank}),
            ),
            ("upsertDataset", json!({"platform": "hive", "name": blank})),
            ("upsertDataset", json!({"platform": blank, "name": "d"})),
        ];
        for (mutation, input) in cases {
            refused_upsert(&app, mutation, input).await;
        }
    }
    assert_eq!(row_counts(&app).await, [0, 0, 0]);
}

#[tokio::test]
async fn neither_urn_nor_key_parts_is_refused() {
    let app = TestApp::new().await;
    let cases = [
        ("upsertMLFeature", json!({})),
        (
            "upsertMLFeature",
            json!({"name": "f", "description": "no namespace"}),
        ),
        ("upsertMLPrimaryKey", json!({"featureNamespace": "t"})),
        ("upsertMLFeatureTable", json!({"description": "d"})),
        ("upsertMLFeatureTable", json!({"name": "t"})),
        ("upsertMLModel", json!({"description": "d"})),
        ("upsertMLModel", json!({"platform": "p", "origin": "PROD"})),
        ("upsertMLModelGroup", json!({"name": "g"})),
        ("upsertDataset", json!({})),
    ];
    for (mutation, input) in cases {
        refused_upsert(&app, mutation, input).await;
    }
    assert_eq!(row_counts(&app).await, [0, 0, 0]);
}

#[tokio::test]
async fn key_parts_that_contradict_the_urn_are_refused() {
    let app = TestApp::with_demo().await;
    let cases = [
        (
            "upsertMLModel",
            json!({"urn": MODEL, "name": "other"}),
            "name",
        ),
        (
            "upsertMLModel",
            json!({"urn": MODEL, "platform": "vertex"}),
            "platform",
        ),
        (
            "upsertMLModel",
            json!({"urn": MODEL, "platform": "urn:li:dataPlatform:vertex"}),
            "platform",
        ),
        (
            "upsertMLModel",
            json!({"urn": MODEL, "origin": "DEV"}),
            "origin",
        ),
        (
            "upsertMLModelGroup",
            json!({"urn": GROUP, "name": "other"}),
            "name",
        ),
        (
            "upsertDataset",
            json!({"urn": DATASET, "origin": "QA"}),
            "origin",
        ),
        (
            "upsertDataset",
            json!({"urn": DATASET, "name": "orders"}),
            "name",
        ),
        (
            "upsertMLFeatureTable",
            json!({"urn": TABLE, "platform": "feast"}),
            "platform",
        ),
        (
            "upsertMLFeature",
            json!({"urn": FEATURE, "featureNamespace": "other"}),
            "featureNamespace",
        ),
        (
            "upsertMLPrimaryKey",
            json!({"urn": KEY, "name": "other"}),
            "name",
        ),
    ];
    let model_before = model_state(&app, MODEL).await;
    for (mutation, input, field) in cases {
        let message = refused_upsert(&app, mutation, input.clone()).await;
        assert!(
            message.contains(field),
            "{mutation} {input}: {message:?} does not name {field}"
        );
    }
    assert_eq!(model_state(&app, MODEL).await, model_before);

    // Key parts that agree with the URN are accepted.
    let answer = app
        .gql_vars(
            "mutation($input: UpsertMLModelInput!) { upsertMLModel(input: $input) { urn } }",
            json!({"input": {"urn": MODEL, "platform": "snowflake", "name": "customer_segmentation_v1",
                             "origin": "PROD"}}),
        )
        .await;
    assert_eq!(answer, json!({"data": {"upsertMLModel": {"urn": MODEL}}}));
}

#[tokio::test]
async fn an_upsert_urn_that_is_malformed_or_of_another_type_is_refused() {
    let app = TestApp::with_demo().await;
    let cases = [
        ("upsertMLModel", json!({"urn": FEATURE, "description": "d"})),
        ("upsertMLModel", json!({"urn": "nope"})),
        (
            "upsertMLModel",
            json!({"urn": "urn:li:mlModel:(urn:li:dataPlatform:p,m,NOPE)"}),
        ),
        ("upsertMLFeature", json!({"urn": MODEL})),
        (
            "upsertMLFeature",
            json!({"urn": "urn:li:mlFeature:(a,b,c)"}),
        ),
        ("upsertMLPrimaryKey", json!({"urn": FEATURE})),
        ("upsertMLFeatureTable", json!({"urn": DATASET})),
        ("upsertMLModelGroup", json!({"urn": MODEL})),
        ("upsertDataset", json!({"urn": TABLE})),
        // A name that cannot make a URN.
        (
            "upsertMLFeature",
            json!({"featureNamespace": "a,b", "name": "f"}),
        ),
        ("upsertMLModel", json!({"platform": "p", "name": "m)"})),
        ("upsertMLModel", json!({"platform": "p(x", "name": "m"})),
    ];
    for (mutation, input) in cases {
        refused_upsert(&app, mutation, input).await;
    }
}

#[tokio::test]
async fn replace_aspect_refuses_an_invalid_known_aspect() {
    let app = TestApp::with_demo().await;
    let cases = [
        (FEATURE, "mlFeatureProperties", json!({"dataType": "NOPE"})),
        (FEATURE, "mlFeatureProperties", json!({"description": 5})),
        (
            FEATURE,
            "mlFeatureProperties",
            json!({"sources": "not a list"}),
        ),
        (FEATURE, "mlFeatureProperties", json!({"sources": [MODEL]})),
        (
            FEATURE,
            "mlFeatureProperties",
            json!({"customProperties": {"k": 1}}),
        ),
        (
            FEATURE,
            "mlModelProperties",
            json!({"description": "a model aspect on a feature"}),
        ),
        (FEATURE, "mlFeatureProperties", json!("a string")),
        (FEATURE, "mlFeatureProperties", json!([1, 2])),
        (FEATURE, "mlFeatureProperties", json!(3)),
        (
            KEY,
            "mlPrimaryKeyProperties",
            json!({"description": "sources is required"}),
        ),
        (
            TABLE,
            "mlFeatureTableProperties",
            json!({"mlFeatures": [MODEL]}),
        ),
        (
            MODEL,
            "mlModelProperties",
            json!({"hyperParams": [{"value": "no name"}]}),
        ),
        (MODEL, "mlModelProperties", json!({"tags": "not a list"})),
        (MODEL, "mlModelProperties", json!({"groups": [FEATURE]})),
        (MODEL, "mlModelGroupProperties", json!({})),
        (MODEL, "status", json!({"removed": "yes"})),
        (DATASET, "datasetProperties", json!({"name": ["x"]})),
        (
            DATASET,
            "upstreamLineage",
            json!({"upstreams": [{"dataset": FEATURE}]}),
        ),
        (
            "urn:li:dataPlatform:feast",
            "dataPlatformInfo",
            json!({"name": "feast", "type": "NOPE",
            "datasetNameDelimiter": "."}),
        ),
        // Unknown aspects are stored as given, but must still be objects with a proper name.
        (MODEL, "someFutureAspect", json!("not an object")),
        (MODEL, "bad-name", json!({})),
        (MODEL, "", json!({})),
        // The URN itself.
        ("nope", "mlModelProperties", json!({})),
        (
            "urn:li:mlModel:(urn:li:dataPlatform:p,m,NOPE)",
            "mlModelProperties",
            json!({}),
        ),
    ];
    let model_before = model_state(&app, MODEL).await;
    for (urn, aspect, value) in cases {
        refused(
            &app,
            REPLACE,
            json!({"urn": urn, "aspect": aspect, "value": value}),
        )
        .await;
    }
    assert_eq!(model_state(&app, MODEL).await, model_before);
    // Creating an entity through an invalid aspect creates nothing either.
    let fresh = "urn:li:mlFeature:(t,fresh)";
    refused(
        &app,
        REPLACE,
        json!({"urn": fresh, "aspect": "mlFeatureProperties", "value": {"dataType": 1}}),
    )
    .await;
    let read = app
        .data(&format!(r#"{{ mlFeature(urn: "{fresh}") {{ urn }} }}"#))
        .await;
    assert_eq!(read, json!({"mlFeature": null}));
}

#[tokio::test]
async fn the_refused_field_is_named_by_replace_aspect() {
    let app = TestApp::with_demo().await;
    let message = refused(
        &app,
        REPLACE,
        json!({"urn": TABLE, "aspect": "mlFeatureTableProperties",
               "value": {"mlFeatures": [FEATURE, MODEL]}}),
    )
    .await;
    assert!(message.contains("mlFeatures[1]"), "{message}");
    let message = refused(
        &app,
        REPLACE,
        json!({"urn": FEATURE, "aspect": "mlModelProperties", "value": {}}),
    )
    .await;
    assert!(message.contains("mlModelProperties"), "{message}");
}

#[tokio::test]
async fn description_and_soft_delete_refuse_bad_urns() {
    let app = TestApp::with_demo().await;
    let description = "mutation($urn: String!) { updateDescription(input: {resourceUrn: $urn, description: \"d\"}) }";
    refused(&app, description, json!({"urn": "nope"})).await;
    refused(
        &app,
        description,
        json!({"urn": "urn:li:mlModel:(urn:li:dataPlatform:p,m,NOPE)"}),
    )
    .await;
    // A platform has no editable description.
    refused(
        &app,
        description,
        json!({"urn": "urn:li:dataPlatform:snowflake"}),
    )
    .await;

    refused(
        &app,
        "mutation { softDeleteEntity(urn: \"nope\") }",
        json!({}),
    )
    .await;
    refused(
        &app,
        "mutation { restoreEntity(urn: \"urn:li:mlFeature:(a,b,c)\") }",
        json!({}),
    )
    .await;
    // One malformed URN refuses the whole batch.
    refused(
        &app,
        "mutation($urns: [String!]!) { batchUpdateSoftDeleted(input: {urns: $urns, deleted: true}) }",
        json!({"urns": [MODEL, "nope"]}),
    )
    .await;
    assert_eq!(
        model_state(&app, MODEL).await["mlModel"]["status"],
        json!(null)
    );
}
