//! The N+1 guard: nested relations load through dataloaders, so the SQL statements of a request
//! depend on the depth of the query, not on how many entities it returns.

use serde_json::json;

use crate::support::TestApp;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;

/// `models` models, each in one of two groups, each consuming two features of its own, each
/// feature derived from two datasets.
async fn catalog_of(models: usize) -> TestApp {
    let app = TestApp::new().await;
    let mut writes = Vec::new();
    for g in 0..2 {
        let group = Urn::ml_model_group("mlflow", &format!("group_{g}"), "PROD").unwrap();
        writes.push(AspectWrite::upsert(
            group,
            "mlModelGroupProperties",
            json!({"description": "g"}),
        ));
    }
    for m in 0..models {
        let mut features = Vec::new();
        for f in 0..2 {
            let feature = Urn::ml_feature("t", &format!("f_{m}_{f}")).unwrap();
            let sources: Vec<String> = (0..2)
                .map(|s| format!("urn:li:dataset:(urn:li:dataPlatform:hive,src_{m}_{f}_{s},PROD)"))
                .collect();
            writes.push(AspectWrite::upsert(
                feature.clone(),
                "mlFeatureProperties",
                json!({"dataType": "CONTINUOUS", "sources": sources}),
            ));
            features.push(feature.to_string());
        }
        let model = Urn::ml_model("mlflow", &format!("model_{m:03}"), "PROD").unwrap();
        writes.push(AspectWrite::upsert(
            model,
            "mlModelProperties",
            json!({
                "mlFeatures": features,
                "groups": [format!("urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,group_{},PROD)", m % 2)],
            }),
        ));
    }
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

const NESTED: &str = "query($n: Int) {
  listMLModels(input: {count: $n}) {
    total
    entities {
      urn
      description
      properties {
        groups { name description }
        features { name properties { dataType sources { name properties { description } } } }
      }
    }
  }
}";

/// Runs the nested list and returns the statements it ran and the answer.
async fn statements_of(app: &TestApp, models: usize) -> (usize, serde_json::Value) {
    let before = app.statements();
    let answer = app.gql_vars(NESTED, json!({"n": models})).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    (app.statements() - before, answer)
}

#[tokio::test]
async fn nested_list_runs_as_many_statements_for_fifty_models_as_for_five() {
    let small = catalog_of(5).await;
    let large = catalog_of(50).await;
    let (few, small_answer) = statements_of(&small, 5).await;
    let (many, large_answer) = statements_of(&large, 50).await;

    let models = large_answer["data"]["listMLModels"]["entities"]
        .as_array()
        .unwrap();
    assert_eq!(models.len(), 50);
    assert_eq!(
        small_answer["data"]["listMLModels"]["entities"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let first = &models[0]["properties"];
    assert_eq!(first["groups"][0]["name"], "group_0");
    assert_eq!(first["features"][1]["name"], "f_0_1");
    assert_eq!(
        first["features"][1]["properties"]["sources"][1]["name"],
        "src_0_1_1"
    );

    assert_eq!(few, many, "statements grew with the number of models");
    // Count and page of the list; the models' aspects; their groups and features by URN; the
    // aspects of those; the sources by URN; the sources' aspects. One statement per level.
    assert_eq!(many, 7);
}
