//! MLflow's registered-model search shows each model as `registered-models/get` shows it (its
//! latest version of each stage, its aliases), and reads the models of a page together: the
//! statements it runs do not grow with the models on the page.

use serde_json::{json, Value};

use crate::mlflow::{model_with_versions, ok};
use crate::support::TestApp;

/// Moves version `v` of `name` to `stage`.
async fn stage(app: &TestApp, name: &str, v: u32, stage: &str) {
    ok(
        app,
        "POST",
        "model-versions/transition-stage",
        json!({"name": name, "version": v.to_string(), "stage": stage,
               "archive_existing_versions": false}),
    )
    .await;
}

async fn alias(app: &TestApp, name: &str, alias: &str, v: u32) {
    ok(
        app,
        "POST",
        "registered-models/alias",
        json!({"name": name, "alias": alias, "version": v.to_string()}),
    )
    .await;
}

/// Registered models named `<prefix>-0` .. `<prefix>-<n-1>`, each of its own shape: model i has
/// i + 1 versions (the first without any), the first in Production and the second in Staging
/// when they exist, the alias `champion` on the first and `next` on the last.
async fn models(app: &TestApp, prefix: &str, n: usize) -> Vec<String> {
    let mut names = Vec::new();
    for i in 0..n {
        let name = format!("{prefix}-{i}");
        model_with_versions(app, &name, i).await;
        if i >= 1 {
            stage(app, &name, 1, "Production").await;
            alias(app, &name, "champion", 1).await;
        }
        if i >= 2 {
            stage(app, &name, 2, "Staging").await;
            alias(app, &name, "next", i as u32).await;
        }
        names.push(name);
    }
    names
}

/// The search for `<prefix>%` and the statements it ran.
async fn search(app: &TestApp, prefix: &str) -> (Vec<Value>, usize) {
    let before = app.statements();
    let found = ok(
        app,
        "GET",
        "registered-models/search",
        json!({"filter": format!("name LIKE '{prefix}%'"), "order_by": ["name ASC"]}),
    )
    .await;
    let cost = app.statements() - before;
    (found["registered_models"].as_array().unwrap().clone(), cost)
}

#[tokio::test]
async fn search_shows_each_model_as_get_does_in_statements_that_do_not_grow() {
    let app = TestApp::new().await;
    let few = models(&app, "few", 3).await;
    let many = models(&app, "many", 7).await;
    let (found_few, cost_few) = search(&app, "few-").await;
    let (found_many, cost_many) = search(&app, "many-").await;
    for (names, found) in [(&few, &found_few), (&many, &found_many)] {
        assert_eq!(found.len(), names.len(), "{found:?}");
        for (name, shown) in names.iter().zip(found.iter()) {
            let got = ok(&app, "GET", "registered-models/get", json!({"name": name})).await;
            assert_eq!(shown, &got["registered_model"], "{name}");
        }
    }
    // What the answers hold, spelled out for one model: versions 1 to 6, 1 in Production, 2 in
    // Staging, the rest in None; champion on 1, next on 6.
    let six = &found_many[6];
    let latest: Vec<(&str, &str)> = six["latest_versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_str().unwrap(),
                v["current_stage"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        latest,
        [("1", "Production"), ("2", "Staging"), ("6", "None")]
    );
    assert_eq!(
        six["aliases"],
        json!([{"alias": "champion", "version": "1"}, {"alias": "next", "version": "6"}])
    );
    assert_eq!(found_many[0]["latest_versions"], json!([]));
    // The name pattern, the models' properties, the latest of each stage and the alias maps
    // of every set, the versions shown (rows, aspects), and the one model without versions
    // read in full (its members: none, so no aspect read).
    assert_eq!(
        (cost_few, cost_many),
        (7, 7),
        "a page of 3 models and one of 7 cost the same statements"
    );
}
