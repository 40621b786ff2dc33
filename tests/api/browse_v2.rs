//! `browseV2`: drilling down entity type → platform → the folders of `browsePathsV2`, with
//! exact counts at each level, the entities at a path, paging, and bad input.

use serde_json::{json, Value};

use crate::support::TestApp;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;

const INSTANCE: &str = "urn:li:dataPlatformInstance:(urn:li:dataPlatform:mlflow,eu)";

fn model(platform: &str, name: &str) -> String {
    format!("urn:li:mlModel:(urn:li:dataPlatform:{platform},{name},PROD)")
}

fn steps(ids: &[&str]) -> Value {
    json!({"path": ids.iter().map(|id| if id.starts_with("urn:") {
        json!({"id": id, "urn": id})
    } else {
        json!({"id": id})
    }).collect::<Vec<_>>()})
}

/// mlflow models: churn in eu/team_a/prod, forecast and ranker in eu/team_a, pricing in
/// team_b, scratch with no browse path; a sagemaker model in eu/team_a; an mlflow dataset in
/// eu/team_a; a soft-deleted mlflow model in team_b.
async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    let mut writes = Vec::new();
    let mut put = |urn: String, aspect: &str, value: Value| {
        writes.push(AspectWrite::upsert(
            Urn::parse(&urn).unwrap(),
            aspect,
            value,
        ));
    };
    for (urn, path) in [
        (
            model("mlflow", "churn"),
            Some(steps(&[INSTANCE, "team_a", "prod"])),
        ),
        (
            model("mlflow", "forecast"),
            Some(steps(&[INSTANCE, "team_a"])),
        ),
        (
            model("mlflow", "ranker"),
            Some(steps(&[INSTANCE, "team_a"])),
        ),
        (model("mlflow", "pricing"), Some(steps(&["team_b"]))),
        (model("mlflow", "scratch"), None),
        (
            model("sagemaker", "fraud"),
            Some(steps(&[INSTANCE, "team_a"])),
        ),
        (model("mlflow", "retired"), Some(steps(&["team_b"]))),
    ] {
        put(
            urn.clone(),
            "mlModelProperties",
            json!({"description": "a model"}),
        );
        if let Some(path) = path {
            put(urn, "browsePathsV2", path);
        }
    }
    let dataset = "urn:li:dataset:(urn:li:dataPlatform:mlflow,scores,PROD)".to_string();
    put(dataset.clone(), "datasetProperties", json!({}));
    put(dataset, "browsePathsV2", steps(&[INSTANCE, "team_a"]));
    put(
        model("mlflow", "retired"),
        "status",
        json!({"removed": true}),
    );
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

const BROWSE: &str = "query($input: BrowseV2Input!) {
  browseV2(input: $input) {
    groups { name count hasSubGroups entity { urn } }
    start count total
    metadata { path totalNumEntities }
    entities { urn }
    totalEntities
  }
}";

async fn browse(app: &TestApp, input: Value) -> Value {
    let answer = app.gql_vars(BROWSE, json!({ "input": input })).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"]["browseV2"].clone()
}

fn mlflow() -> Value {
    json!([{"and": [{"field": "platform", "values": ["urn:li:dataPlatform:mlflow"]}]}])
}

#[tokio::test]
async fn drilling_down_type_platform_and_folders_counts_exactly() {
    let app = seeded().await;
    // The top of the mlflow models: the instance folder and team_b, and the model with no path.
    let top = browse(
        &app,
        json!({"types": ["MLMODEL"], "orFilters": mlflow(), "query": "*"}),
    )
    .await;
    assert_eq!(
        top["groups"],
        json!([
            {"name": "team_b", "count": 1, "hasSubGroups": false, "entity": null},
            {"name": INSTANCE, "count": 3, "hasSubGroups": true, "entity": {"urn": INSTANCE}},
        ])
    );
    assert_eq!(top["total"], 2);
    assert_eq!(top["count"], 2);
    assert_eq!(top["start"], 0);
    assert_eq!(top["metadata"], json!({"path": [], "totalNumEntities": 5}));
    assert_eq!(
        top["entities"],
        json!([{"urn": model("mlflow", "scratch")}])
    );
    // One folder down.
    let team = browse(
        &app,
        json!({"types": ["MLMODEL"], "orFilters": mlflow(), "path": [INSTANCE]}),
    )
    .await;
    assert_eq!(
        team["groups"],
        json!([{"name": "team_a", "count": 3, "hasSubGroups": true, "entity": null}])
    );
    assert_eq!(team["metadata"]["totalNumEntities"], 3);
    assert_eq!(team["entities"], json!([]));
    let deeper = browse(
        &app,
        json!({"types": ["MLMODEL"], "orFilters": mlflow(), "path": [INSTANCE, "team_a"]}),
    )
    .await;
    assert_eq!(
        deeper["groups"],
        json!([{"name": "prod", "count": 1, "hasSubGroups": false, "entity": null}])
    );
    assert_eq!(
        deeper["entities"],
        json!([{"urn": model("mlflow", "forecast")}, {"urn": model("mlflow", "ranker")}])
    );
    assert_eq!(deeper["totalEntities"], 2);
    let leaf = browse(
        &app,
        json!({"type": "MLMODEL", "orFilters": mlflow(), "path": [INSTANCE, "team_a", "prod"]}),
    )
    .await;
    assert_eq!(leaf["groups"], json!([]));
    assert_eq!(leaf["total"], 0);
    assert_eq!(leaf["entities"], json!([{"urn": model("mlflow", "churn")}]));
    // A path nothing is under.
    let none = browse(&app, json!({"types": ["MLMODEL"], "path": ["nowhere"]})).await;
    assert_eq!(none["metadata"]["totalNumEntities"], 0);
    assert_eq!(none["groups"], json!([]));
}

#[tokio::test]
async fn every_platform_and_type_and_the_soft_deleted_when_asked() {
    let app = seeded().await;
    // All platforms: the sagemaker model joins team_a.
    let models = browse(&app, json!({"types": ["MLMODEL"], "path": [INSTANCE]})).await;
    assert_eq!(models["groups"][0]["count"], 4);
    // All types: the dataset too.
    let all = browse(&app, json!({"path": [INSTANCE, "team_a"]})).await;
    assert_eq!(all["metadata"]["totalNumEntities"], 5);
    assert_eq!(all["totalEntities"], 4);
    // Soft-deleted models count only when asked for.
    let team_b = json!({"types": ["MLMODEL"], "path": ["team_b"]});
    assert_eq!(
        browse(&app, team_b.clone()).await["metadata"]["totalNumEntities"],
        1
    );
    let mut with_removed = team_b;
    with_removed["searchFlags"] = json!({"includeSoftDeleted": true});
    assert_eq!(
        browse(&app, with_removed).await["metadata"]["totalNumEntities"],
        2
    );
    // Words narrow the browse.
    let words = browse(
        &app,
        json!({"types": ["MLMODEL"], "path": [INSTANCE, "team_a"], "query": "ranker"}),
    )
    .await;
    assert_eq!(
        words["entities"],
        json!([{"urn": model("mlflow", "ranker")}])
    );
    assert_eq!(words["groups"], json!([]));
}

#[tokio::test]
async fn groups_and_entities_are_paged() {
    let app = seeded().await;
    let page = browse(
        &app,
        json!({"types": ["MLMODEL"], "orFilters": mlflow(), "start": 1, "count": 1}),
    )
    .await;
    assert_eq!(page["groups"].as_array().unwrap().len(), 1);
    assert_eq!(page["groups"][0]["name"], INSTANCE);
    assert_eq!(
        (
            page["start"].clone(),
            page["count"].clone(),
            page["total"].clone()
        ),
        (json!(1), json!(1), json!(2))
    );
    // One entity at the top, and the page starts past it.
    assert_eq!(page["entities"], json!([]));
    assert_eq!(page["totalEntities"], 1);
}

#[tokio::test]
async fn bad_input_is_refused_with_what_to_fix() {
    let app = seeded().await;
    for (input, says) in [
        (json!({"viewUrn": "urn:li:dataHubView:x"}), "viewUrn"),
        (json!({"count": 1001}), "count"),
        (json!({"start": -1}), "start"),
        (
            json!({"orFilters": [{"and": [{"field": "colour", "values": ["red"]}]}]}),
            "colour",
        ),
        (json!({"types": ["NOT_A_TYPE"]}), "NOT_A_TYPE"),
    ] {
        let answer = app.gql_vars(BROWSE, json!({ "input": input })).await;
        let e = &answer["errors"][0];
        assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{answer:#}");
        assert!(
            e["message"].as_str().unwrap().contains(says),
            "{input}: {answer:#}"
        );
    }
}
