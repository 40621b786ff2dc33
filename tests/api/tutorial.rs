//! The four "Read ML Entities" queries of the DataHub ML tutorial, sent unchanged to the demo
//! catalog, answer in the documented shape.

use serde_json::json;

use crate::support::TestApp;

const FEATURE: &str = include_str!("../../playground/examples/01-tutorial-read-ml-feature.graphql");
const TABLE: &str =
    include_str!("../../playground/examples/02-tutorial-read-ml-feature-table.graphql");
const MODEL: &str = include_str!("../../playground/examples/03-tutorial-read-ml-model.graphql");
const GROUP: &str =
    include_str!("../../playground/examples/04-tutorial-read-ml-model-group.graphql");

#[tokio::test]
async fn read_ml_feature() {
    let app = TestApp::with_demo().await;
    assert_eq!(
        app.gql(FEATURE).await,
        json!({
            "data": {
                "mlFeature": {
                    "name": "test_BOOL_LIST_feature",
                    "featureNamespace": "test_feature_table_all_feature_dtypes",
                    "description": null,
                    "properties": {
                        "description": null,
                        "dataType": "SEQUENCE",
                        "version": null
                    }
                }
            }
        })
    );
}

#[tokio::test]
async fn read_ml_feature_table() {
    let app = TestApp::with_demo().await;
    let answer = app.gql(TABLE).await;
    let table = &answer["data"]["mlFeatureTable"];
    assert_eq!(table["name"], "test_feature_table_all_feature_dtypes");
    assert_eq!(table["description"], json!(null));
    assert_eq!(table["platform"], json!({"name": "feast"}));
    assert_eq!(table["properties"]["description"], json!(null));
    let names: Vec<&str> = table["properties"]["mlFeatures"]
        .as_array()
        .expect("mlFeatures is a list")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    // The tutorial shows the first and the last, with the rest elided.
    assert_eq!(names.first(), Some(&"test_BOOL_LIST_feature"));
    assert_eq!(names.last(), Some(&"test_STRING_feature"));
    assert_eq!(names.len(), 14);
    assert!(answer.get("errors").is_none());
}

#[tokio::test]
async fn read_ml_model() {
    let app = TestApp::with_demo().await;
    assert_eq!(
        app.gql(MODEL).await,
        json!({
            "data": {
                "mlModel": {
                    "name": "scienceModel",
                    "description": "A sample model for predicting some outcome.",
                    "properties": {
                        "description": "A sample model for predicting some outcome.",
                        "version": null,
                        "type": "Naive Bayes classifier",
                        "mlFeatures": null,
                        "groups": []
                    }
                }
            }
        })
    );
}

#[tokio::test]
async fn read_ml_model_group() {
    let app = TestApp::with_demo().await;
    assert_eq!(
        app.gql(GROUP).await,
        json!({
            "data": {
                "mlModelGroup": {
                    "name": "my-model-group",
                    "description": "my model group",
                    "platform": {"name": "science"},
                    "properties": {"description": "my model group"}
                }
            }
        })
    );
}

#[tokio::test]
async fn loading_the_demo_twice_writes_nothing_new() {
    let app = TestApp::with_demo().await;
    let aspects = app.count_rows("aspect").await;
    let changed = mlcat::demo::load(&app.catalog()).await.expect("reload");
    assert_eq!(changed, 0);
    assert_eq!(app.count_rows("aspect").await, aspects);
}
