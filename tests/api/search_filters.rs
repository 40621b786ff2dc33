//! Search filters and facets as DataHub's clients send them: `orFilters` of `and` lists of
//! `FacetFilterInput`, every supported condition on every filter field, `negated`, the
//! deprecated `filters` and `value`, and exact facet counts with their entities.

use serde_json::{json, Value};

use crate::search::{refused, search, urns};
use crate::support::TestApp;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;

const A: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,alpha,PROD)";
const B: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,beta,DEV)";
const C: &str = "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,gamma,PROD)";
const D: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,delta,PROD)";

fn urn(s: &str) -> Urn {
    Urn::parse(s).unwrap()
}

/// Four entities: alpha (tags pii and gold, owner ana, term Revenue, domain marketing), beta
/// (tag pii, owner bo), gamma (nothing governed), delta (a dataset in domain finance).
async fn governed() -> TestApp {
    let app = TestApp::new().await;
    let owner = |o: &str| json!({"owners": [{"owner": o, "type": "TECHNICAL_OWNER"}]});
    let writes = vec![
        AspectWrite::upsert(urn(A), "mlModelProperties", json!({})),
        AspectWrite::upsert(
            urn(A),
            "globalTags",
            json!({"tags": [{"tag": "urn:li:tag:pii"}, {"tag": "urn:li:tag:gold"}]}),
        ),
        AspectWrite::upsert(urn(A), "ownership", owner("urn:li:corpuser:ana")),
        AspectWrite::upsert(
            urn(A),
            "glossaryTerms",
            json!({"terms": [{"urn": "urn:li:glossaryTerm:Revenue"}], "auditStamp": {"time": 0, "actor": "urn:li:corpuser:x"}}),
        ),
        AspectWrite::upsert(
            urn(A),
            "domains",
            json!({"domains": ["urn:li:domain:marketing"]}),
        ),
        AspectWrite::upsert(urn(B), "mlModelProperties", json!({})),
        AspectWrite::upsert(
            urn(B),
            "globalTags",
            json!({"tags": [{"tag": "urn:li:tag:pii"}]}),
        ),
        AspectWrite::upsert(urn(B), "ownership", owner("urn:li:corpGroup:bo")),
        AspectWrite::upsert(urn(C), "mlModelProperties", json!({})),
        AspectWrite::upsert(urn(D), "datasetProperties", json!({})),
        AspectWrite::upsert(
            urn(D),
            "domains",
            json!({"domains": ["urn:li:domain:finance"]}),
        ),
    ];
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

/// One filter as an `orFilters` of one `and` list.
fn one(field: &str, values: &[&str], condition: &str, negated: bool) -> Value {
    json!({"query": "*", "orFilters": [{"and": [
        {"field": field, "values": values, "condition": condition, "negated": negated}
    ]}]})
}

async fn found(app: &TestApp, input: Value) -> Vec<String> {
    let mut got = urns(app, input).await;
    got.sort();
    got
}

fn sorted(urns: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = urns.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn every_condition_on_every_field() {
    let app = governed().await;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (one("_entityType", &["DATASET"], "EQUAL", false), vec![D]),
        (
            one("_entityType", &["mlModel"], "EQUAL", false),
            vec![A, B, C],
        ),
        (
            one("_entityType", &["DATASET"], "EQUAL", true),
            vec![A, B, C],
        ),
        (
            one("platform", &["urn:li:dataPlatform:mlflow"], "EQUAL", false),
            vec![A, B],
        ),
        (
            one("platform", &["sagemaker", "hive"], "IN", false),
            vec![C, D],
        ),
        (one("origin", &["DEV"], "EQUAL", false), vec![B]),
        (one("env", &["PROD"], "EQUAL", false), vec![A, C, D]),
        (one("tags", &["urn:li:tag:pii"], "EQUAL", false), vec![A, B]),
        (
            one("tags", &["urn:li:tag:gold"], "EQUAL", true),
            vec![B, C, D],
        ),
        (one("tags", &["gol"], "CONTAIN", false), vec![A]),
        (
            one("tags", &["urn:li:tag:p"], "START_WITH", false),
            vec![A, B],
        ),
        (one("tags", &[":gold"], "END_WITH", false), vec![A]),
        (one("tags", &[], "EXISTS", false), vec![A, B]),
        (one("tags", &[], "EXISTS", true), vec![C, D]),
        (
            one(
                "owners",
                &["urn:li:corpuser:ana", "urn:li:corpGroup:bo"],
                "IN",
                false,
            ),
            vec![A, B],
        ),
        (one("owners", &["corpGroup"], "CONTAIN", false), vec![B]),
        (
            one(
                "glossaryTerms",
                &["urn:li:glossaryTerm:Revenue"],
                "EQUAL",
                false,
            ),
            vec![A],
        ),
        (
            one("domains", &["urn:li:domain:finance"], "EQUAL", false),
            vec![D],
        ),
        (one("domains", &[], "EXISTS", false), vec![A, D]),
        (one("removed", &["false"], "EQUAL", false), vec![A, B, C, D]),
        (one("removed", &["true"], "EQUAL", false), vec![]),
    ];
    for (input, expected) in cases {
        assert_eq!(
            found(&app, input.clone()).await,
            sorted(&expected),
            "{input}"
        );
    }
}

#[tokio::test]
async fn and_lists_combine_with_or_and_the_deprecated_shapes_still_work() {
    let app = governed().await;
    // (pii AND DEV) OR (domain finance)
    let input = json!({"query": "*", "orFilters": [
        {"and": [{"field": "tags", "values": ["urn:li:tag:pii"]}, {"field": "origin", "values": ["DEV"]}]},
        {"and": [{"field": "domains", "values": ["urn:li:domain:finance"]}]},
    ]});
    assert_eq!(found(&app, input).await, sorted(&[B, D]));
    // `filters` (all of them) with the single `value`, and no condition (EQUAL).
    let input = json!({"query": "*", "filters": [
        {"field": "tags", "value": "urn:li:tag:pii"},
        {"field": "owners", "value": "urn:li:corpuser:ana"},
    ]});
    assert_eq!(found(&app, input).await, sorted(&[A]));
    // An empty `and` list matches everything.
    let input = json!({"query": "*", "orFilters": [{"and": []}]});
    assert_eq!(found(&app, input).await.len(), 4);
    // Filters and words together.
    let input = json!({"query": "alp", "orFilters": [{"and": [{"field": "tags", "values": ["urn:li:tag:pii"]}]}]});
    assert_eq!(found(&app, input).await, sorted(&[A]));
}

#[tokio::test]
async fn facets_count_exactly_among_the_matches() {
    let app = governed().await;
    let answer = search(&app, json!({"query": "*"})).await;
    let facet = |field: &str| -> Value {
        answer["facets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == field)
            .unwrap_or_else(|| panic!("no facet {field}: {answer:#}"))
            .clone()
    };
    let counts = |field: &str| -> Vec<(String, i64)> {
        facet(field)["aggregations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["value"].as_str().unwrap().to_string(),
                    a["count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        counts("_entityType"),
        [("MLMODEL".to_string(), 3), ("DATASET".to_string(), 1)]
    );
    assert_eq!(facet("_entityType")["displayName"], "Type");
    assert_eq!(
        counts("tags"),
        [
            ("urn:li:tag:pii".to_string(), 2),
            ("urn:li:tag:gold".to_string(), 1)
        ]
    );
    assert_eq!(
        counts("platform"),
        [
            ("urn:li:dataPlatform:mlflow".to_string(), 2),
            ("urn:li:dataPlatform:hive".to_string(), 1),
            ("urn:li:dataPlatform:sagemaker".to_string(), 1),
        ]
    );
    assert_eq!(
        counts("origin"),
        [("PROD".to_string(), 3), ("DEV".to_string(), 1)]
    );
    assert_eq!(counts("owners").len(), 2);
    assert_eq!(
        counts("glossaryTerms"),
        [("urn:li:glossaryTerm:Revenue".to_string(), 1)]
    );
    assert_eq!(counts("domains").len(), 2);
    // A facet value that names an entity answers it.
    let pii = &facet("tags")["aggregations"][0]["entity"];
    assert_eq!(pii["urn"], "urn:li:tag:pii");
    assert_eq!(pii["type"], "TAG");
    let mlflow = &facet("platform")["aggregations"][0]["entity"];
    assert_eq!(mlflow["type"], "DATA_PLATFORM");

    // Counts follow the filters.
    let filtered = search(
        &app,
        json!({"query": "*", "orFilters": [{"and": [{"field": "tags", "values": ["urn:li:tag:pii"]}]}]}),
    )
    .await;
    let tags = filtered["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "origin")
        .unwrap()["aggregations"]
        .clone();
    assert_eq!(
        tags,
        json!([{"value": "DEV", "count": 1, "entity": null}, {"value": "PROD", "count": 1, "entity": null}])
    );

    // maxAggValues and skipAggregates.
    let capped = search(
        &app,
        json!({"query": "*", "searchFlags": {"maxAggValues": 1}}),
    )
    .await;
    for f in capped["facets"].as_array().unwrap() {
        assert!(f["aggregations"].as_array().unwrap().len() <= 1, "{f}");
    }
    let skipped = search(
        &app,
        json!({"query": "*", "searchFlags": {"skipAggregates": true}}),
    )
    .await;
    assert_eq!(skipped["facets"], json!([]));
}

#[tokio::test]
async fn unsupported_conditions_and_fields_are_refused_by_name() {
    let app = governed().await;
    for condition in [
        "GREATER_THAN",
        "LESS_THAN",
        "GREATER_THAN_OR_EQUAL_TO",
        "LESS_THAN_OR_EQUAL_TO",
        "IEQUAL",
        "DESCENDANTS_INCL",
    ] {
        let (code, message) = refused(&app, one("tags", &["x"], condition, false)).await;
        assert_eq!(code, "BAD_USER_INPUT", "{condition}");
        assert!(message.contains(condition), "{message}");
    }
    let (code, message) = refused(&app, one("colour", &["red"], "EQUAL", false)).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(
        message.contains("colour") && message.contains("_entityType"),
        "{message}"
    );
}
