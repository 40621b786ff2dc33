//! Lookups by URN: each entity type, the `entity` interface, referenced-only entities, and the
//! relations that resolve to entities.

use serde_json::json;

use crate::support::TestApp;

const MODEL_V1: &str =
    "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v1,PROD)";
const ORDERS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.orders,PROD)";

#[tokio::test]
async fn primary_key_dataset_and_platform() {
    let app = TestApp::with_demo().await;
    let data = app
        .data(&format!(
            r#"{{
              mlPrimaryKey(urn: "urn:li:mlPrimaryKey:(uc01_preprocess,O_CUSTOMER_SK)") {{
                urn type name featureNamespace dataType
                properties {{ dataType sources {{ urn }} }}
              }}
              dataset(urn: "{ORDERS}") {{
                type name origin platform {{ name properties {{ type displayName datasetNameDelimiter }} }}
                properties {{ name qualifiedName description customProperties {{ key value associatedUrn }} }}
                exists
              }}
              dataPlatform(urn: "urn:li:dataPlatform:snowflake") {{ urn type name displayName }}
              unknown: dataPlatform(urn: "urn:li:dataPlatform:nothing") {{ name }}
            }}"#
        ))
        .await;
    assert_eq!(
        data["mlPrimaryKey"],
        json!({
            "urn": "urn:li:mlPrimaryKey:(uc01_preprocess,O_CUSTOMER_SK)",
            "type": "MLPRIMARY_KEY",
            "name": "O_CUSTOMER_SK",
            "featureNamespace": "uc01_preprocess",
            "dataType": "ORDINAL",
            "properties": {
                "dataType": "ORDINAL",
                "sources": [
                    {"urn": ORDERS},
                    {"urn": "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.customer,PROD)"}
                ]
            }
        })
    );
    assert_eq!(data["dataset"]["type"], "DATASET");
    assert_eq!(data["dataset"]["name"], "tpcxai_sf0001.public.orders");
    assert_eq!(data["dataset"]["origin"], "PROD");
    assert_eq!(
        data["dataset"]["platform"],
        json!({"name": "snowflake", "properties": {"type": "RELATIONAL_DB", "displayName": "Snowflake", "datasetNameDelimiter": "."}})
    );
    assert_eq!(data["dataset"]["properties"]["name"], "ORDERS");
    assert_eq!(
        data["dataset"]["properties"]["customProperties"],
        json!([{"key": "source", "value": "TPCx-AI use case 1", "associatedUrn": ORDERS}])
    );
    assert_eq!(data["dataset"]["exists"], true);
    assert_eq!(
        data["dataPlatform"],
        json!({"urn": "urn:li:dataPlatform:snowflake", "type": "DATA_PLATFORM", "name": "snowflake", "displayName": "Snowflake"})
    );
    assert_eq!(data["unknown"], json!(null));
}

#[tokio::test]
async fn entity_interface_answers_each_type() {
    let app = TestApp::with_demo().await;
    let data = app
        .data(&format!(
            r#"{{
              model: entity(urn: "{MODEL_V1}") {{ urn type __typename ... on MLModel {{ name origin properties {{ name version }} }} }}
              table: entity(urn: "urn:li:mlFeatureTable:(urn:li:dataPlatform:snowflake,uc01_preprocess)") {{ type __typename }}
              group: entity(urn: "urn:li:mlModelGroup:(urn:li:dataPlatform:snowflake,customer_segmentation,PROD)") {{ type __typename }}
              feature: entity(urn: "urn:li:mlFeature:(uc01_preprocess,FREQUENCY)") {{ type __typename }}
              dataset: entity(urn: "{ORDERS}") {{ type __typename }}
              missing: entity(urn: "urn:li:mlModel:(urn:li:dataPlatform:x,nothing,PROD)") {{ urn }}
            }}"#
        ))
        .await;
    assert_eq!(
        data["model"],
        json!({
            "urn": MODEL_V1, "type": "MLMODEL", "__typename": "MLModel", "name": "customer_segmentation_v1",
            "origin": "PROD", "properties": {"name": "Customer segmentation v1", "version": "v1"}
        })
    );
    assert_eq!(
        data["table"],
        json!({"type": "MLFEATURE_TABLE", "__typename": "MLFeatureTable"})
    );
    assert_eq!(
        data["group"],
        json!({"type": "MLMODEL_GROUP", "__typename": "MLModelGroup"})
    );
    assert_eq!(
        data["feature"],
        json!({"type": "MLFEATURE", "__typename": "MLFeature"})
    );
    assert_eq!(
        data["dataset"],
        json!({"type": "DATASET", "__typename": "Dataset"})
    );
    assert_eq!(data["missing"], json!(null));
}

#[tokio::test]
async fn a_referenced_entity_answers_with_its_key_and_no_properties() {
    let app = TestApp::new().await;
    app.data(
        r#"mutation { upsertMLFeature(input: {featureNamespace: "t", name: "f",
            sources: ["urn:li:dataset:(urn:li:dataPlatform:hive,raw.events,PROD)"]}) { urn } }"#,
    )
    .await;
    let data = app
        .data(r#"{ dataset(urn: "urn:li:dataset:(urn:li:dataPlatform:hive,raw.events,PROD)") { name origin platform { name } properties { name } exists } }"#)
        .await;
    assert_eq!(
        data["dataset"],
        json!({"name": "raw.events", "origin": "PROD", "platform": {"name": "hive"}, "properties": null, "exists": false})
    );
}

#[tokio::test]
async fn model_relations_resolve_to_entities_beside_the_urn_strings() {
    let app = TestApp::with_demo().await;
    let data = app
        .data(&format!(
            r#"{{ mlModel(urn: "{MODEL_V1}") {{ properties {{
                mlFeatures
                features {{ urn name }}
                groups {{ urn name properties {{ name }} }}
                hyperParams {{ name value }}
                trainingMetrics {{ name value }}
                tags
            }} }} }}"#
        ))
        .await;
    assert_eq!(
        data["mlModel"]["properties"],
        json!({
            "mlFeatures": ["urn:li:mlFeature:(uc01_preprocess,FREQUENCY)", "urn:li:mlFeature:(uc01_preprocess,RETURN_RATIO)"],
            "features": [
                {"urn": "urn:li:mlFeature:(uc01_preprocess,FREQUENCY)", "name": "FREQUENCY"},
                {"urn": "urn:li:mlFeature:(uc01_preprocess,RETURN_RATIO)", "name": "RETURN_RATIO"}
            ],
            "groups": [{
                "urn": "urn:li:mlModelGroup:(urn:li:dataPlatform:snowflake,customer_segmentation,PROD)",
                "name": "customer_segmentation",
                "properties": {"name": "Customer segmentation"}
            }],
            "hyperParams": [{"name": "n_clusters", "value": "4"}, {"name": "scaler", "value": "MinMaxScaler"}],
            "trainingMetrics": [{"name": "inertia", "value": "812.4"}],
            "tags": ["segmentation"]
        })
    );
}
