//! MLflow's model-registry REST API as its client sends it: registered models and versions,
//! tags, aliases, stages, searches, concurrent creations and alias moves; and what MLflow
//! writes, seen through GraphQL. Refusals are in `mlflow_refused.rs`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::support::TestApp;

const API: &str = "/api/2.0/mlflow";

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Sends a call as the client does: a GET's fields in the query (a list repeats its key),
/// any other method's as a JSON body.
pub(crate) async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    fields: Value,
) -> (StatusCode, Value) {
    call_as(app, None, method, path, fields).await
}

/// [`call`] with an access token (`MLFLOW_TRACKING_TOKEN` sends one as a bearer token).
pub(crate) async fn call_as(
    app: &TestApp,
    token: Option<&str>,
    method: &str,
    path: &str,
    fields: Value,
) -> (StatusCode, Value) {
    let uri = format!("{API}/{path}");
    let request = if method == "GET" {
        let mut pairs = Vec::new();
        for (k, v) in fields.as_object().unwrap() {
            match v {
                Value::Array(items) => {
                    for i in items {
                        pairs.push(format!("{k}={}", encode(i.as_str().unwrap())));
                    }
                }
                Value::String(s) => pairs.push(format!("{k}={}", encode(s))),
                other => pairs.push(format!("{k}={other}")),
            }
        }
        Request::get(format!("{uri}?{}", pairs.join("&")))
            .body(Body::empty())
            .unwrap()
    } else {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(fields.to_string()))
            .unwrap()
    };
    let mut request = request;
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let (status, bytes) = app.request(request).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub(crate) async fn ok(app: &TestApp, method: &str, path: &str, fields: Value) -> Value {
    let (status, body) = call(app, method, path, fields.clone()).await;
    assert_eq!(status, StatusCode::OK, "{method} {path} {fields}: {body}");
    body
}

/// A refusal with MLflow's code and status, and nothing written.
pub(crate) async fn refused(
    app: &TestApp,
    method: &str,
    path: &str,
    fields: Value,
    status: StatusCode,
    code: &str,
) {
    let before = app.row_counts().await;
    let (got, body) = call(app, method, path, fields.clone()).await;
    assert_eq!(
        (got, body["error_code"].as_str()),
        (status, Some(code)),
        "{method} {path} {fields}: {body}"
    );
    assert!(
        !body["message"].as_str().unwrap_or_default().is_empty(),
        "{body}"
    );
    assert_eq!(
        app.row_counts().await,
        before,
        "{method} {path} wrote something"
    );
}

pub(crate) async fn model_with_versions(app: &TestApp, name: &str, count: usize) {
    ok(
        app,
        "POST",
        "registered-models/create",
        json!({"name": name}),
    )
    .await;
    for i in 1..=count {
        ok(
            app,
            "POST",
            "model-versions/create",
            json!({"name": name, "source": format!("s3://m/{name}/{i}"), "run_id": format!("run-{i}")}),
        )
        .await;
    }
}

#[tokio::test]
async fn registered_models_and_versions_round_trip() {
    let app = TestApp::new().await;
    let created = ok(
        &app,
        "POST",
        "registered-models/create",
        json!({"name": "churn", "description": "d", "tags": [{"key": "team", "value": "ml"}]}),
    )
    .await;
    assert_eq!(created["registered_model"]["name"], "churn");
    assert_eq!(
        created["registered_model"]["tags"],
        json!([{"key": "team", "value": "ml"}])
    );
    let v = ok(
        &app,
        "POST",
        "model-versions/create",
        json!({"name": "churn", "source": "s3://a", "run_id": "r1", "tags": [{"key": "k", "value": "v"}]}),
    )
    .await;
    assert_eq!(v["model_version"]["version"], "1");
    assert_eq!(v["model_version"]["run_id"], "r1");
    assert_eq!(v["model_version"]["status"], "READY");
    assert_eq!(v["model_version"]["current_stage"], "None");
    let v = ok(
        &app,
        "POST",
        "model-versions/create",
        json!({"name": "churn", "source": "s3://b"}),
    )
    .await;
    assert_eq!(v["model_version"]["version"], "2");
    let got = ok(
        &app,
        "GET",
        "model-versions/get",
        json!({"name": "churn", "version": "1"}),
    )
    .await;
    assert_eq!(got["model_version"]["source"], "s3://a");
    assert_eq!(
        got["model_version"]["tags"],
        json!([{"key": "k", "value": "v"}])
    );
    let uri = ok(
        &app,
        "GET",
        "model-versions/get-download-uri",
        json!({"name": "churn", "version": "2"}),
    )
    .await;
    assert_eq!(uri["artifact_uri"], "s3://b");

    // Stages, with archiving.
    ok(&app, "POST", "model-versions/transition-stage", json!({"name": "churn", "version": "1", "stage": "Production", "archive_existing_versions": false})).await;
    let moved = ok(&app, "POST", "model-versions/transition-stage", json!({"name": "churn", "version": "2", "stage": "production", "archive_existing_versions": true})).await;
    assert_eq!(moved["model_version"]["current_stage"], "Production");
    let one = ok(
        &app,
        "GET",
        "model-versions/get",
        json!({"name": "churn", "version": "1"}),
    )
    .await;
    assert_eq!(one["model_version"]["current_stage"], "Archived");
    let latest = ok(
        &app,
        "POST",
        "registered-models/get-latest-versions",
        json!({"name": "churn", "stages": ["Production"]}),
    )
    .await;
    assert_eq!(latest["model_versions"][0]["version"], "2");

    // Aliases: one holder, moved atomically, visible on the model and the version.
    ok(
        &app,
        "POST",
        "registered-models/alias",
        json!({"name": "churn", "alias": "champion", "version": "1"}),
    )
    .await;
    ok(
        &app,
        "POST",
        "registered-models/alias",
        json!({"name": "churn", "alias": "champion", "version": "2"}),
    )
    .await;
    let by = ok(
        &app,
        "GET",
        "registered-models/alias",
        json!({"name": "churn", "alias": "champion"}),
    )
    .await;
    assert_eq!(by["model_version"]["version"], "2");
    assert_eq!(by["model_version"]["aliases"], json!(["champion"]));
    let model = ok(
        &app,
        "GET",
        "registered-models/get",
        json!({"name": "churn"}),
    )
    .await;
    assert_eq!(
        model["registered_model"]["aliases"],
        json!([{"alias": "champion", "version": "2"}])
    );
    let one = ok(
        &app,
        "GET",
        "model-versions/get",
        json!({"name": "churn", "version": "1"}),
    )
    .await;
    assert_eq!(one["model_version"]["aliases"], json!([]));
    ok(
        &app,
        "DELETE",
        "registered-models/alias",
        json!({"name": "churn", "alias": "champion"}),
    )
    .await;
    refused(
        &app,
        "GET",
        "registered-models/alias",
        json!({"name": "churn", "alias": "champion"}),
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
    )
    .await;

    // Tags and descriptions.
    ok(
        &app,
        "POST",
        "registered-models/set-tag",
        json!({"name": "churn", "key": "owner", "value": "ana"}),
    )
    .await;
    ok(
        &app,
        "DELETE",
        "registered-models/delete-tag",
        json!({"name": "churn", "key": "team"}),
    )
    .await;
    ok(
        &app,
        "PATCH",
        "registered-models/update",
        json!({"name": "churn", "description": "new"}),
    )
    .await;
    ok(
        &app,
        "POST",
        "model-versions/set-tag",
        json!({"name": "churn", "version": "2", "key": "a", "value": "b"}),
    )
    .await;
    ok(
        &app,
        "PATCH",
        "model-versions/update",
        json!({"name": "churn", "version": "2", "description": "two"}),
    )
    .await;
    let model = ok(
        &app,
        "GET",
        "registered-models/get",
        json!({"name": "churn"}),
    )
    .await;
    assert_eq!(
        model["registered_model"]["tags"],
        json!([{"key": "owner", "value": "ana"}])
    );
    assert_eq!(model["registered_model"]["description"], "new");
    let two = ok(
        &app,
        "GET",
        "model-versions/get",
        json!({"name": "churn", "version": "2"}),
    )
    .await;
    assert_eq!(two["model_version"]["description"], "two");
    assert_eq!(
        two["model_version"]["tags"],
        json!([{"key": "a", "value": "b"}])
    );

    // GraphQL sees the group, its versions and the run edge.
    let data = app
        .data(
            r#"{ mlModel(urn: "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn_1,PROD)") {
                properties { groups { urn } } } }"#,
        )
        .await;
    assert_eq!(
        data["mlModel"]["properties"]["groups"][0]["urn"],
        "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,churn,PROD)"
    );
    let edges = app
        .count_rows("edge WHERE relation = 'TrainedBy' AND removed_at IS NULL")
        .await;
    assert_eq!(edges, 1, "version 1's run is a TrainedBy edge");

    // Deletes: a version, then the model with the rest.
    ok(
        &app,
        "DELETE",
        "model-versions/delete",
        json!({"name": "churn", "version": "1"}),
    )
    .await;
    refused(
        &app,
        "GET",
        "model-versions/get",
        json!({"name": "churn", "version": "1"}),
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
    )
    .await;
    ok(
        &app,
        "DELETE",
        "registered-models/delete",
        json!({"name": "churn"}),
    )
    .await;
    refused(
        &app,
        "GET",
        "registered-models/get",
        json!({"name": "churn"}),
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
    )
    .await;
    ok(
        &app,
        "POST",
        "registered-models/create",
        json!({"name": "churn"}),
    )
    .await;
}

#[tokio::test]
async fn rename_keeps_the_urn_and_frees_the_name() {
    let app = TestApp::new().await;
    model_with_versions(&app, "a", 2).await;
    let renamed = ok(
        &app,
        "POST",
        "registered-models/rename",
        json!({"name": "a", "new_name": "b"}),
    )
    .await;
    assert_eq!(renamed["registered_model"]["name"], "b");
    assert_eq!(
        renamed["registered_model"]["latest_versions"][0]["version"],
        "2"
    );
    refused(
        &app,
        "GET",
        "registered-models/get",
        json!({"name": "a"}),
        StatusCode::NOT_FOUND,
        "RESOURCE_DOES_NOT_EXIST",
    )
    .await;
    let v = ok(
        &app,
        "GET",
        "model-versions/get",
        json!({"name": "b", "version": "1"}),
    )
    .await;
    assert_eq!(v["model_version"]["name"], "b");
    let data = app
        .data(r#"{ mlModelGroup(urn: "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,a,PROD)") { properties { name } } }"#)
        .await;
    assert_eq!(data["mlModelGroup"]["properties"]["name"], "b");
    // The old name is free, under another URN; versions of each stay apart.
    ok(
        &app,
        "POST",
        "registered-models/create",
        json!({"name": "a"}),
    )
    .await;
    let v = ok(
        &app,
        "POST",
        "model-versions/create",
        json!({"name": "a", "source": "s3://x"}),
    )
    .await;
    assert_eq!(v["model_version"]["version"], "1");
    let b = ok(&app, "GET", "registered-models/get", json!({"name": "b"})).await;
    assert_eq!(
        b["registered_model"]["latest_versions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    refused(
        &app,
        "POST",
        "registered-models/rename",
        json!({"name": "b", "new_name": "a"}),
        StatusCode::BAD_REQUEST,
        "RESOURCE_ALREADY_EXISTS",
    )
    .await;
}

#[tokio::test]
async fn searches_filter_order_and_page() {
    let app = TestApp::new().await;
    for name in ["fraud-1", "fraud-2", "fraud-3", "churn"] {
        model_with_versions(&app, name, 1).await;
    }
    ok(
        &app,
        "POST",
        "registered-models/set-tag",
        json!({"name": "fraud-2", "key": "team", "value": "risk"}),
    )
    .await;
    let names = |v: &Value, list: &str| -> Vec<String> {
        v[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    };
    let found = ok(&app, "GET", "registered-models/search", json!({"filter": "name LIKE 'fraud-%' AND tags.`mlflow.prompt.is_prompt` != 'true'", "order_by": ["name DESC"]})).await;
    assert_eq!(
        names(&found, "registered_models"),
        ["fraud-3", "fraud-2", "fraud-1"]
    );
    let found = ok(
        &app,
        "GET",
        "registered-models/search",
        json!({"filter": "tags.team = 'risk'"}),
    )
    .await;
    assert_eq!(names(&found, "registered_models"), ["fraud-2"]);
    let found = ok(
        &app,
        "GET",
        "registered-models/search",
        json!({"filter": "name IN ('churn', 'fraud-1')"}),
    )
    .await;
    assert_eq!(names(&found, "registered_models"), ["churn", "fraud-1"]);
    let first = ok(
        &app,
        "GET",
        "registered-models/search",
        json!({"max_results": "3"}),
    )
    .await;
    assert_eq!(
        names(&first, "registered_models"),
        ["churn", "fraud-1", "fraud-2"]
    );
    let token = first["next_page_token"].as_str().unwrap().to_string();
    let second = ok(
        &app,
        "GET",
        "registered-models/search",
        json!({"max_results": "3", "page_token": token}),
    )
    .await;
    assert_eq!(names(&second, "registered_models"), ["fraud-3"]);
    assert!(second.get("next_page_token").is_none());
    let versions = ok(
        &app,
        "GET",
        "model-versions/search",
        json!({"filter": "run_id = 'run-1' AND name LIKE 'fraud%'", "order_by": ["name ASC"]}),
    )
    .await;
    assert_eq!(
        names(&versions, "model_versions"),
        ["fraud-1", "fraud-2", "fraud-3"]
    );
}

#[tokio::test]
async fn a_group_written_through_graphql_shows_to_mlflow() {
    let app = TestApp::new().await;
    model_with_versions(&app, "shared", 1).await;
    // Another client describes the group; MLflow reads its name and description.
    let urn = "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,shared,PROD)";
    let catalog = app.catalog();
    catalog
        .write(
            &mlcat::catalog::Actor::named("sdk"),
            vec![mlcat::catalog::AspectWrite::patch::<
                mlcat::catalog::aspects::MlModelGroupProperties,
                _,
            >(
                mlcat::urn::Urn::parse(urn).unwrap(),
                "mlModelGroupProperties",
                |p| {
                    p.description = Some("from the SDK".into());
                    Ok(())
                },
            )],
        )
        .await
        .unwrap();
    let got = ok(
        &app,
        "GET",
        "registered-models/get",
        json!({"name": "shared"}),
    )
    .await;
    assert_eq!(got["registered_model"]["description"], "from the SDK");
    assert_eq!(
        got["registered_model"]["latest_versions"][0]["version"],
        "1"
    );
}

#[tokio::test]
async fn concurrent_creations_get_distinct_numbers_and_one_alias_holder() {
    let app = std::sync::Arc::new(TestApp::new().await);
    ok(
        &app,
        "POST",
        "registered-models/create",
        json!({"name": "c"}),
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let v = ok(
                &app,
                "POST",
                "model-versions/create",
                json!({"name": "c", "source": format!("s3://{i}")}),
            )
            .await;
            v["model_version"]["version"].as_str().unwrap().to_string()
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap().parse::<u32>().unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
    let mut moves = Vec::new();
    for i in 1..=8 {
        let app = app.clone();
        moves.push(tokio::spawn(async move {
            ok(
                &app,
                "POST",
                "registered-models/alias",
                json!({"name": "c", "alias": "champion", "version": i.to_string()}),
            )
            .await;
        }));
    }
    for m in moves {
        m.await.unwrap();
    }
    let model = ok(&app, "GET", "registered-models/get", json!({"name": "c"})).await;
    let aliases = model["registered_model"]["aliases"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(aliases.len(), 1, "one holder: {aliases:?}");
    let holder = aliases[0]["version"].as_str().unwrap().to_string();
    let by = ok(
        &app,
        "GET",
        "registered-models/alias",
        json!({"name": "c", "alias": "champion"}),
    )
    .await;
    assert_eq!(by["model_version"]["version"], holder.as_str());
    // A deleted version's number is not given again, as MLflow does not.
    ok(
        &app,
        "DELETE",
        "model-versions/delete",
        json!({"name": "c", "version": "8"}),
    )
    .await;
    let v = ok(
        &app,
        "POST",
        "model-versions/create",
        json!({"name": "c", "source": "s3://9"}),
    )
    .await;
    assert_eq!(v["model_version"]["version"], "9");
}

/// The latest version of each stage, the aliases and the next number (read from the version
/// index) are right on a model of 4 versions and on one of 70, and cost the same statements on
/// both. The small model's stages are found by reading its versions from the newest, the large
/// one's (more versions than the catalog has in each stage) from the stages' edges. (The rows
/// read no longer grow with the versions either; that shows in the benchmark's 5,000-version
/// model, not here.)
#[tokio::test]
async fn latest_per_stage_aliases_and_numbers_hold_on_small_and_large_models() {
    let app = TestApp::new().await;
    let mut costs = Vec::new();
    for (name, count) in [("small", 4usize), ("large", 70)] {
        model_with_versions(&app, name, count).await;
        let stage = |v: usize, s: &str| {
            json!({"name": name, "version": v.to_string(), "stage": s,
                   "archive_existing_versions": false})
        };
        ok(
            &app,
            "POST",
            "model-versions/transition-stage",
            stage(1, "Archived"),
        )
        .await;
        ok(
            &app,
            "POST",
            "model-versions/transition-stage",
            stage(2, "Production"),
        )
        .await;
        ok(
            &app,
            "POST",
            "model-versions/transition-stage",
            stage(3, "Staging"),
        )
        .await;
        ok(
            &app,
            "POST",
            "registered-models/alias",
            json!({"name": name, "alias": "champion", "version": "2"}),
        )
        .await;
        let mut cost = Vec::new();
        let before = app.statements();
        let model = ok(&app, "GET", "registered-models/get", json!({"name": name})).await;
        cost.push(app.statements() - before);
        let latest: Vec<(String, String)> = model["registered_model"]["latest_versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let s = |k: &str| v[k].as_str().unwrap().to_string();
                (s("version"), s("current_stage"))
            })
            .collect();
        let expected: Vec<(String, String)> = [
            ("1", "Archived"),
            ("2", "Production"),
            ("3", "Staging"),
            (&count.to_string(), "None"),
        ]
        .iter()
        .map(|(v, s)| (v.to_string(), s.to_string()))
        .collect();
        assert_eq!(latest, expected, "{name}");
        assert_eq!(
            model["registered_model"]["aliases"],
            json!([{"alias": "champion", "version": "2"}])
        );
        let before = app.statements();
        let staged = ok(
            &app,
            "POST",
            "registered-models/get-latest-versions",
            json!({"name": name, "stages": ["Staging", "None"]}),
        )
        .await;
        cost.push(app.statements() - before);
        let labels: Vec<&str> = staged["model_versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["3", count.to_string().as_str()]);
        let before = app.statements();
        let made = ok(
            &app,
            "POST",
            "model-versions/create",
            json!({"name": name, "source": "s3://m/next"}),
        )
        .await;
        cost.push(app.statements() - before);
        assert_eq!(made["model_version"]["version"], (count + 1).to_string());
        costs.push(cost);
    }
    // A create's reads are 3 statements: the model (2), and its own set's counter, highest
    // number and latest version (1; a set holding numbered versions is the model's, so its
    // size is not asked). The answer is what the create wrote. On SQLite the write runs on
    // the writer's own connection, not counted here; on PostgreSQL it is.
    let create = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => 18,
        _ => 3,
    };
    assert_eq!(
        costs[0],
        [6, 6, create],
        "statements of get, get-latest-versions, create"
    );
    assert_eq!(
        costs[0], costs[1],
        "statements of get, get-latest-versions, create"
    );
}

/// A name pattern finds registered models by the name MLflow shows, whatever made it: a
/// renamed model by its new name (its URN keeps the old one), a group the SDK described with a
/// name of its own; `_` is any one character, `%` any run, a backslash is itself; LIKE minds
/// case and ILIKE does not; a model named only in its URN is found by that name.
#[tokio::test]
async fn name_patterns_find_models_by_the_name_mlflow_shows() {
    let app = TestApp::new().await;
    for name in ["churn_a", "churnXb", "Churn-c", "fraud\\d", "old-name"] {
        model_with_versions(&app, name, 1).await;
    }
    ok(
        &app,
        "POST",
        "registered-models/rename",
        json!({"name": "old-name", "new_name": "churn-renamed"}),
    )
    .await;
    // A group on MLflow's platform written by another client: its properties name it.
    let catalog = app.catalog();
    let sdk = mlcat::catalog::Actor::named("sdk");
    let group = |name: &str| {
        mlcat::urn::Urn::parse(&format!(
            "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,{name},PROD)"
        ))
        .unwrap()
    };
    catalog
        .write(
            &sdk,
            vec![
                mlcat::catalog::AspectWrite::upsert(
                    group("grp-17"),
                    "mlModelGroupProperties",
                    json!({"name": "churn from the sdk"}),
                ),
                // Named only by its URN (no `name` in its properties).
                mlcat::catalog::AspectWrite::upsert(
                    group("churn_urn_only"),
                    "mlModelGroupProperties",
                    json!({"description": "no name field"}),
                ),
            ],
        )
        .await
        .unwrap();
    let search = |filter: &'static str| {
        let app = &app;
        async move {
            let found = ok(
                app,
                "GET",
                "registered-models/search",
                json!({"filter": filter, "order_by": ["name ASC"]}),
            )
            .await;
            found["registered_models"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|m| m["name"].as_str().unwrap().to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    assert_eq!(
        search("name LIKE 'churn%'").await,
        [
            "churn from the sdk",
            "churn-renamed",
            "churnXb",
            "churn_a",
            "churn_urn_only"
        ]
    );
    assert_eq!(search("name LIKE 'churn_a'").await, ["churn_a"]);
    assert_eq!(search("name LIKE 'churn_b'").await, ["churnXb"]);
    assert_eq!(search("name LIKE 'churn__b'").await, Vec::<String>::new());
    assert_eq!(search("name LIKE 'churn_%b'").await, ["churnXb"]);
    assert_eq!(search("name LIKE 'Churn%'").await, ["Churn-c"]);
    assert_eq!(
        search("name ILIKE 'CHURN-%'").await,
        ["Churn-c", "churn-renamed"]
    );
    assert_eq!(search("name LIKE 'fraud\\d'").await, ["fraud\\d"]);
    assert_eq!(search("name LIKE 'old%'").await, Vec::<String>::new());
    assert_eq!(search("name LIKE '%sdk'").await, ["churn from the sdk"]);
}
