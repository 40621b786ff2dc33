//! Lineage search (`searchAcrossLineage`, `scrollAcrossLineage`): the entities within some hops
//! of one entity, their degrees and paths, DataHub's `degree` filter and facet, the other
//! filters and words over them, the budget, scroll ids, and bad input.

use serde_json::{json, Value};

use crate::support::TestApp;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::config::Limits;
use mlcat::urn::Urn;

const RAW: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,raw_events,PROD)";
const UNWRITTEN: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,never_described,PROD)";
const CLICKS: &str = "urn:li:mlFeature:(events,clicks)";
const VISITS: &str = "urn:li:mlFeature:(events,visits)";
const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";
const DEPLOYMENT: &str =
    "urn:li:mlModelDeployment:(urn:li:dataPlatform:sagemaker,churn_endpoint,PROD)";
const GROUP: &str = "urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,churn_models,PROD)";
const PII: &str = "urn:li:tag:pii";

fn urn(s: &str) -> Urn {
    Urn::parse(s).unwrap()
}

/// raw_events → clicks, visits (DerivedFrom) → churn (Consumes) → churn_endpoint (DeployedTo),
/// churn_models (MemberOf); visits also derives from a dataset that was only referenced; the
/// model is tagged pii.
async fn seeded(limits: Limits) -> TestApp {
    let app = TestApp::with_limits(limits).await;
    let writes = vec![
        AspectWrite::upsert(
            urn(RAW),
            "datasetProperties",
            json!({"description": "Raw click events"}),
        ),
        AspectWrite::upsert(
            urn(CLICKS),
            "mlFeatureProperties",
            json!({"sources": [RAW], "dataType": "COUNT"}),
        ),
        AspectWrite::upsert(
            urn(VISITS),
            "mlFeatureProperties",
            json!({"sources": [RAW, UNWRITTEN], "dataType": "COUNT"}),
        ),
        AspectWrite::upsert(
            urn(MODEL),
            "mlModelProperties",
            json!({"mlFeatures": [CLICKS, VISITS], "deployments": [DEPLOYMENT], "groups": [GROUP]}),
        ),
        AspectWrite::upsert(urn(MODEL), "globalTags", json!({"tags": [{"tag": PII}]})),
        AspectWrite::upsert(
            urn(DEPLOYMENT),
            "mlModelDeploymentProperties",
            json!({"description": "Serves churn scores"}),
        ),
        AspectWrite::upsert(
            urn(GROUP),
            "mlModelGroupProperties",
            json!({"description": "Churn models"}),
        ),
    ];
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

const SEARCH: &str = "query($input: SearchAcrossLineageInput!) {
  searchAcrossLineage(input: $input) {
    start count total
    searchResults {
      entity { urn type }
      matchedFields { name value }
      degree degrees explored truncatedChildren ignoredAsHop
      paths { path { urn type } }
    }
    facets { field displayName aggregations { value count } }
  }
}";

const SCROLL: &str = "query($input: ScrollAcrossLineageInput!) {
  scrollAcrossLineage(input: $input) {
    nextScrollId count total
    searchResults { entity { urn } degree }
    facets { field aggregations { value count } }
  }
}";

async fn search(app: &TestApp, input: Value) -> Value {
    let answer = app.gql_vars(SEARCH, json!({ "input": input })).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"]["searchAcrossLineage"].clone()
}

/// `(urn, degree)` of every result, sorted by URN.
async fn found(app: &TestApp, input: Value) -> Vec<(String, i64)> {
    let mut got: Vec<(String, i64)> = search(app, input).await["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["entity"]["urn"].as_str().unwrap().to_string(),
                r["degree"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    got
}

fn expected(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    let mut want: Vec<(String, i64)> = pairs.iter().map(|(u, d)| (u.to_string(), *d)).collect();
    want.sort();
    want
}

fn degree(values: &[&str]) -> Value {
    json!([{"and": [{"field": "degree", "condition": "EQUAL", "values": values}]}])
}

async fn refused(app: &TestApp, query: &str, input: Value) -> String {
    let answer = app.gql_vars(query, json!({ "input": input })).await;
    let e = &answer["errors"][0];
    assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{answer:#}");
    assert!(
        answer["data"].is_null()
            || answer["data"]
                .as_object()
                .is_none_or(|d| d.values().all(Value::is_null))
    );
    e["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn downstream_answers_every_hop_with_degree_path_and_facets() {
    let app = seeded(Limits::default()).await;
    let answer = search(
        &app,
        json!({"urn": RAW, "direction": "DOWNSTREAM", "query": "*"}),
    )
    .await;
    assert_eq!(answer["total"], 5);
    assert_eq!(answer["count"], 5);
    let results = answer["searchResults"].as_array().unwrap();
    let by_urn = |u: &str| results.iter().find(|r| r["entity"]["urn"] == u).unwrap();
    // The start is not among the results.
    assert!(results.iter().all(|r| r["entity"]["urn"] != RAW));
    assert_eq!(by_urn(CLICKS)["degree"], 1);
    assert_eq!(by_urn(MODEL)["degree"], 2);
    assert_eq!(by_urn(MODEL)["degrees"], json!([2]));
    let deployment = by_urn(DEPLOYMENT);
    assert_eq!(deployment["degree"], 3);
    assert_eq!(deployment["entity"]["type"], "MLMODEL_DEPLOYMENT");
    assert_eq!(deployment["ignoredAsHop"], false);
    // The walk went on from the model, and past the deployment (nothing more there).
    assert_eq!(by_urn(MODEL)["explored"], true);
    assert_eq!(deployment["truncatedChildren"], false);
    let path: Vec<&str> = deployment["paths"][0]["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["urn"].as_str().unwrap())
        .collect();
    assert_eq!(path.len(), 4, "{path:?}");
    assert_eq!(path[0], RAW);
    assert!(path[1] == CLICKS || path[1] == VISITS, "{path:?}");
    assert_eq!(&path[2..], [MODEL, DEPLOYMENT]);
    let facets = answer["facets"].as_array().unwrap();
    assert_eq!(
        facets[0],
        json!({"field": "degree", "displayName": "Degree", "aggregations": [
            {"value": "1", "count": 2}, {"value": "2", "count": 1}, {"value": "3+", "count": 2}
        ]})
    );
    let types = facets.iter().find(|f| f["field"] == "_entityType").unwrap();
    assert_eq!(
        types["aggregations"],
        json!([
            {"value": "MLFEATURE", "count": 2},
            {"value": "MLMODEL", "count": 1},
            {"value": "MLMODEL_DEPLOYMENT", "count": 1},
            {"value": "MLMODEL_GROUP", "count": 1}
        ])
    );
}

#[tokio::test]
async fn upstream_walks_towards_the_sources_and_leaves_out_unwritten_entities() {
    let app = seeded(Limits::default()).await;
    assert_eq!(
        found(&app, json!({"urn": DEPLOYMENT, "direction": "UPSTREAM"})).await,
        expected(&[(MODEL, 1), (CLICKS, 2), (VISITS, 2), (RAW, 3)])
    );
    // BOTH from the model: its features and sources upstream, its deployment and group down.
    assert_eq!(
        found(
            &app,
            json!({"urn": MODEL, "direction": "BOTH", "query": ""})
        )
        .await,
        expected(&[
            (CLICKS, 1),
            (VISITS, 1),
            (DEPLOYMENT, 1),
            (GROUP, 1),
            (RAW, 2)
        ])
    );
}

#[tokio::test]
async fn the_degree_filter_keeps_the_hops_asked() {
    let app = seeded(Limits::default()).await;
    let down =
        |filters: Value| json!({"urn": RAW, "direction": "DOWNSTREAM", "orFilters": filters});
    assert_eq!(
        found(&app, down(degree(&["1"]))).await,
        expected(&[(CLICKS, 1), (VISITS, 1)])
    );
    assert_eq!(
        found(&app, down(degree(&["1", "2"]))).await,
        expected(&[(CLICKS, 1), (VISITS, 1), (MODEL, 2)])
    );
    assert_eq!(
        found(&app, down(degree(&["3+"]))).await,
        expected(&[(DEPLOYMENT, 3), (GROUP, 3)])
    );
    let not_one = json!([{"and": [{"field": "degree", "values": ["1"], "negated": true}]}]);
    assert_eq!(
        found(&app, down(not_one)).await,
        expected(&[(MODEL, 2), (DEPLOYMENT, 3), (GROUP, 3)])
    );
    // Each list of conditions with its own degrees: one hop, or a deployment past two.
    let either = json!([
        {"and": [{"field": "degree", "values": ["1"]}]},
        {"and": [{"field": "degree", "values": ["3+"]}, {"field": "_entityType", "values": ["MLMODEL_DEPLOYMENT"]}]}
    ]);
    assert_eq!(
        found(&app, down(either)).await,
        expected(&[(CLICKS, 1), (VISITS, 1), (DEPLOYMENT, 3)])
    );
    // The degree facet counts what matches.
    let answer = search(&app, down(degree(&["1", "2"]))).await;
    assert_eq!(
        answer["facets"][0]["aggregations"],
        json!([{"value": "1", "count": 2}, {"value": "2", "count": 1}])
    );
}

#[tokio::test]
async fn words_types_and_filters_search_within_the_lineage() {
    let app = seeded(Limits::default()).await;
    let down = json!({"urn": RAW, "direction": "DOWNSTREAM"});
    let with = |extra: Value| {
        let mut input = down.clone();
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    // "churn" names the model, the deployment and the group: all downstream.
    let answer = search(&app, with(json!({"query": "churn"}))).await;
    assert_eq!(answer["total"], 3);
    assert_eq!(answer["searchResults"][0]["entity"]["urn"], MODEL);
    assert_eq!(
        answer["searchResults"][0]["matchedFields"],
        json!([{"name": "name", "value": "churn"}])
    );
    assert_eq!(
        found(&app, with(json!({"query": "clicks"}))).await,
        expected(&[(CLICKS, 1)])
    );
    assert_eq!(
        found(&app, with(json!({"types": ["MLMODEL", "MLMODEL_GROUP"]}))).await,
        expected(&[(MODEL, 2), (GROUP, 3)])
    );
    let tagged = json!([{"and": [{"field": "tags", "values": [PII]}]}]);
    assert_eq!(
        found(&app, with(json!({"orFilters": tagged}))).await,
        expected(&[(MODEL, 2)])
    );
    // Upstream of the deployment, nothing is called churn but the model.
    assert_eq!(
        found(
            &app,
            json!({"urn": DEPLOYMENT, "direction": "UPSTREAM", "query": "churn"})
        )
        .await,
        expected(&[(MODEL, 1)])
    );
    // A page, and facets left out on request.
    let answer = search(
        &app,
        with(json!({"start": 1, "count": 2, "searchFlags": {"skipAggregates": true}})),
    )
    .await;
    assert_eq!(
        (
            answer["start"].clone(),
            answer["count"].clone(),
            answer["total"].clone()
        ),
        (json!(1), json!(2), json!(5))
    );
    assert_eq!(answer["facets"], json!([]));
}

#[tokio::test]
async fn soft_deleted_entities_are_neither_answered_nor_walked_through() {
    let app = seeded(Limits::default()).await;
    app.catalog()
        .write(
            &Actor::named("test"),
            vec![AspectWrite::upsert(
                urn(MODEL),
                "status",
                json!({"removed": true}),
            )],
        )
        .await
        .unwrap();
    // The model is gone, and with it the way to the deployment and the group.
    assert_eq!(
        found(&app, json!({"urn": RAW, "direction": "DOWNSTREAM"})).await,
        expected(&[(CLICKS, 1), (VISITS, 1)])
    );
    let message = refused(
        &app,
        SEARCH,
        json!({"urn": RAW, "direction": "DOWNSTREAM", "searchFlags": {"includeSoftDeleted": true}}),
    )
    .await;
    assert!(message.contains("includeSoftDeleted"), "{message}");
    // A soft-deleted start is not found.
    let message = refused(&app, SEARCH, json!({"urn": MODEL, "direction": "UPSTREAM"})).await;
    assert!(message.contains("no entity"), "{message}");
}

#[tokio::test]
async fn a_lineage_larger_than_the_budget_is_refused_not_cut() {
    let limits = Limits {
        default_lineage_budget: 3,
        ..Limits::default()
    };
    let app = seeded(limits).await;
    let message = refused(&app, SEARCH, json!({"urn": RAW, "direction": "DOWNSTREAM"})).await;
    assert!(message.contains("more than 3 entities"), "{message}");
    assert!(message.contains("degree"), "{message}");
    // Fewer hops fit.
    assert_eq!(
        found(
            &app,
            json!({"urn": RAW, "direction": "DOWNSTREAM", "orFilters": degree(&["1", "2"])})
        )
        .await,
        expected(&[(CLICKS, 1), (VISITS, 1), (MODEL, 2)])
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_what_to_fix() {
    let app = seeded(Limits::default()).await;
    let cases = [
        (
            json!({"urn": "not a urn", "direction": "DOWNSTREAM"}),
            "input.urn",
        ),
        (
            json!({"urn": "urn:li:dataset:(urn:li:dataPlatform:hive,nowhere,PROD)", "direction": "DOWNSTREAM"}),
            "no entity",
        ),
        (json!({"direction": "DOWNSTREAM"}), "input.urn"),
        (json!({"urn": RAW, "direction": "SIDEWAYS"}), "SIDEWAYS"),
        (
            json!({"urn": RAW, "direction": "DOWNSTREAM", "orFilters": degree(&["4"])}),
            "1, 2 or 3+",
        ),
        (
            json!({"urn": RAW, "direction": "DOWNSTREAM", "orFilters": [{"and": [{"field": "degree", "condition": "CONTAIN", "values": ["1"]}]}]}),
            "EQUAL or IN",
        ),
        (
            json!({"urn": RAW, "direction": "DOWNSTREAM", "orFilters": [{"and": [{"field": "colour", "values": ["red"]}]}]}),
            "colour",
        ),
        (
            json!({"urn": RAW, "direction": "DOWNSTREAM", "lineageFlags": {"startTimeMillis": 1}}),
            "startTimeMillis",
        ),
        (
            json!({"urn": RAW, "direction": "DOWNSTREAM", "lineageFlags": {"ignoreAsHops": [{"entityType": "DATASET"}]}}),
            "ignoreAsHops",
        ),
        (
            json!({"urn": RAW, "direction": "DOWNSTREAM", "count": 1001}),
            "count",
        ),
    ];
    for (input, says) in cases {
        let message = refused(&app, SEARCH, input.clone()).await;
        assert!(message.contains(says), "{input}: {message}");
    }
}

#[tokio::test]
async fn lineage_searches_count_towards_the_request_lineage_budget() {
    let limits = Limits {
        default_lineage_budget: 10,
        max_lineage_budget: 15,
        ..Limits::default()
    };
    let app = seeded(limits).await;
    let one =
        "query($i: SearchAcrossLineageInput!) { a: searchAcrossLineage(input: $i) { total } }";
    let input = json!({"i": {"urn": RAW, "direction": "DOWNSTREAM"}});
    assert_eq!(
        app.gql_vars(one, input.clone()).await["data"]["a"]["total"],
        5
    );
    let two = "query($i: SearchAcrossLineageInput!, $s: ScrollAcrossLineageInput!) {
      a: searchAcrossLineage(input: $i) { total }
      b: scrollAcrossLineage(input: $s) { total } }";
    let answer = app
        .gql_vars(two, json!({"i": input["i"], "s": input["i"]}))
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer:#}"
    );
    assert!(answer["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("--max-lineage-budget"));
}

#[tokio::test]
async fn the_graph_as_of_a_time_is_searched_with_end_time() {
    let app = seeded(Limits::default()).await;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    // The model stops consuming visits.
    app.catalog()
        .write(
            &Actor::named("test"),
            vec![AspectWrite::upsert(
                urn(MODEL),
                "mlModelProperties",
                json!({"mlFeatures": [CLICKS], "deployments": [DEPLOYMENT], "groups": [GROUP]}),
            )],
        )
        .await
        .unwrap();
    let up = json!({"urn": MODEL, "direction": "UPSTREAM"});
    assert_eq!(
        found(&app, up.clone()).await,
        expected(&[(CLICKS, 1), (RAW, 2)])
    );
    let mut then = up;
    then["lineageFlags"] = json!({"endTimeMillis": before});
    assert_eq!(
        found(&app, then).await,
        expected(&[(CLICKS, 1), (VISITS, 1), (RAW, 2)])
    );
}

async fn scroll(app: &TestApp, input: Value) -> Value {
    let answer = app.gql_vars(SCROLL, json!({ "input": input })).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"]["scrollAcrossLineage"].clone()
}

#[tokio::test]
async fn scrolling_answers_each_entity_once_while_others_write() {
    let app = seeded(Limits::default()).await;
    let first = json!({"urn": RAW, "direction": "DOWNSTREAM", "count": 2});
    let mut page = scroll(&app, first.clone()).await;
    assert_eq!(page["total"], 5);
    assert_eq!(page["facets"][0]["field"], "degree");
    let mut seen: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        for r in page["searchResults"].as_array().unwrap() {
            seen.push(r["entity"]["urn"].as_str().unwrap().to_string());
        }
        let Some(next) = page["nextScrollId"].as_str().map(str::to_string) else {
            break;
        };
        if pages == 1 {
            // A new downstream feature, written between pages, is not scrolled into.
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
            app.catalog()
                .write(
                    &Actor::named("test"),
                    vec![AspectWrite::upsert(
                        urn("urn:li:mlFeature:(events,sessions)"),
                        "mlFeatureProperties",
                        json!({"sources": [RAW]}),
                    )],
                )
                .await
                .unwrap();
        }
        let mut input = first.clone();
        input["scrollId"] = json!(next);
        page = scroll(&app, input).await;
        assert_eq!(page["total"], 5);
        assert!(pages < 10, "the scroll does not end");
    }
    assert_eq!(pages, 3);
    seen.sort();
    let mut want: Vec<String> = [CLICKS, VISITS, MODEL, DEPLOYMENT, GROUP]
        .iter()
        .map(|s| s.to_string())
        .collect();
    want.sort();
    assert_eq!(seen, want);
    // A new scroll sees the new feature.
    assert_eq!(scroll(&app, first).await["total"], 6);
}

#[tokio::test]
async fn scroll_ids_not_issued_for_the_search_or_expired_are_refused() {
    let app = seeded(Limits::default()).await;
    let first = json!({"urn": RAW, "direction": "DOWNSTREAM", "count": 1, "keepAlive": "1ms"});
    let id = scroll(&app, first.clone()).await["nextScrollId"]
        .as_str()
        .unwrap()
        .to_string();
    for bad in ["", "abc", "mlcat-lineage-1.7b7d.0000000000000000"] {
        let mut input = first.clone();
        input["scrollId"] = json!(bad);
        let message = refused(&app, SCROLL, input).await;
        assert!(message.contains("not issued"), "{message}");
    }
    let mut other = first.clone();
    other["direction"] = json!("UPSTREAM");
    other["scrollId"] = json!(id);
    let message = refused(&app, SCROLL, other).await;
    assert!(message.contains("another search"), "{message}");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut expired = first.clone();
    expired["scrollId"] = json!(id);
    let message = refused(&app, SCROLL, expired).await;
    assert!(message.contains("expired"), "{message}");
    let mut bad_keep_alive = first;
    bad_keep_alive["keepAlive"] = json!("forever");
    let message = refused(&app, SCROLL, bad_keep_alive).await;
    assert!(message.contains("keepAlive"), "{message}");
}
