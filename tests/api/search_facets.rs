//! Exact facet counts: the facet count (type, platform and environment read from the matches'
//! entity rows, the other fields from their facet rows) answers, for every value, the number
//! a search filtered on that value finds (a filter reads the facet rows alone), whatever the
//! query, entity types, filters and soft deletions.

use serde_json::{json, Value};

use crate::search::search;
use crate::support::TestApp;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;

fn urn(s: &str) -> Urn {
    Urn::parse(s).unwrap()
}

/// 24 models on two platforms and two environments, 6 datasets, 6 features (no platform, no
/// environment), tags and owners on some, the word `churn` in most descriptions, and two
/// soft-deleted models.
async fn varied() -> TestApp {
    let app = TestApp::new().await;
    let mut writes = Vec::new();
    for i in 0..24 {
        let platform = if i % 3 == 0 { "sagemaker" } else { "mlflow" };
        let env = if i % 4 == 0 { "DEV" } else { "PROD" };
        let model = urn(&format!(
            "urn:li:mlModel:(urn:li:dataPlatform:{platform},model_{i:02},{env})"
        ));
        let description = if i % 5 == 0 { "other" } else { "a churn model" };
        writes.push(AspectWrite::upsert(
            model.clone(),
            "mlModelProperties",
            json!({ "description": description }),
        ));
        if i % 2 == 0 {
            writes.push(AspectWrite::upsert(
                model.clone(),
                "globalTags",
                json!({"tags": [{"tag": format!("urn:li:tag:t{}", i % 3)}, {"tag": "urn:li:tag:all"}]}),
            ));
        }
        if i % 7 == 0 {
            writes.push(AspectWrite::upsert(
                model.clone(),
                "ownership",
                json!({"owners": [{"owner": "urn:li:corpuser:ana", "type": "TECHNICAL_OWNER"}]}),
            ));
        }
        if i == 3 || i == 8 {
            writes.push(AspectWrite::upsert(
                model,
                "status",
                json!({ "removed": true }),
            ));
        }
    }
    for i in 0..6 {
        let dataset = urn(&format!(
            "urn:li:dataset:(urn:li:dataPlatform:hive,churn_table_{i},PROD)"
        ));
        writes.push(AspectWrite::upsert(
            dataset.clone(),
            "datasetProperties",
            json!({"description": "churn events"}),
        ));
        if i % 2 == 1 {
            writes.push(AspectWrite::upsert(
                dataset,
                "globalTags",
                json!({"tags": [{"tag": "urn:li:tag:t1"}]}),
            ));
        }
        writes.push(AspectWrite::upsert(
            urn(&format!("urn:li:mlFeature:(churn,feature_{i})")),
            "mlFeatureProperties",
            json!({"description": "a churn feature", "dataType": "CONTINUOUS"}),
        ));
    }
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

/// `input` with `field = value` added to each of its lists of conditions.
fn narrowed(input: &Value, field: &str, value: &str) -> Value {
    let condition = json!({"field": field, "values": [value]});
    let mut out = input.clone();
    let lists = match input.get("orFilters").and_then(Value::as_array) {
        Some(lists) => lists
            .iter()
            .map(|l| {
                let mut all = l["and"].as_array().unwrap().clone();
                all.push(condition.clone());
                json!({ "and": all })
            })
            .collect(),
        None => vec![json!({"and": [condition]})],
    };
    out["orFilters"] = Value::Array(lists);
    out
}

#[tokio::test]
async fn every_facet_count_is_what_a_search_filtered_on_its_value_finds() {
    let app = varied().await;
    let inputs = [
        json!({"query": "*"}),
        json!({"query": "churn"}),
        json!({"query": "chu"}),
        json!({"query": "churn", "types": ["MLMODEL"]}),
        json!({"query": "churn", "orFilters": [
            {"and": [{"field": "tags", "values": ["urn:li:tag:t0"]}]},
            {"and": [{"field": "origin", "values": ["DEV"]}]},
        ]}),
        json!({"query": "churn", "orFilters": [
            {"and": [{"field": "removed", "values": ["true"]}]},
        ]}),
        json!({"query": "*", "orFilters": [
            {"and": [{"field": "platform", "values": ["mlflow"], "negated": true}]},
        ]}),
    ];
    for input in inputs {
        let answer = search(&app, input.clone()).await;
        let total = answer["total"].as_i64().unwrap();
        assert!(total > 0, "{input}: {answer:#}");
        let facets = answer["facets"].as_array().unwrap();
        assert_eq!(facets.len(), 7, "{input}: {answer:#}");
        let mut checked = 0;
        for facet in facets {
            let field = facet["field"].as_str().unwrap();
            let aggregations = facet["aggregations"].as_array().unwrap();
            let mut values: Vec<&str> = aggregations
                .iter()
                .map(|a| a["value"].as_str().unwrap())
                .collect();
            values.sort_unstable();
            values.dedup();
            assert_eq!(values.len(), aggregations.len(), "{input} {field}");
            let mut sum = 0;
            for a in aggregations {
                let value = a["value"].as_str().unwrap();
                let count = a["count"].as_i64().unwrap();
                let found = search(&app, narrowed(&input, field, value)).await["total"]
                    .as_i64()
                    .unwrap();
                assert_eq!(count, found, "{input}: {field} = {value}");
                sum += count;
                checked += 1;
            }
            // Every entity has exactly one type.
            if field == "_entityType" {
                assert_eq!(sum, total, "{input}");
            }
        }
        assert!(checked >= 3, "{input}: {answer:#}");
    }
}

#[tokio::test]
async fn facet_counts_follow_a_write_at_once() {
    let app = varied().await;
    let count = |answer: &Value, field: &str, value: &str| -> i64 {
        answer["facets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == field)
            .and_then(|f| {
                f["aggregations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|a| a["value"] == value)
            })
            .map_or(0, |a| a["count"].as_i64().unwrap())
    };
    let before = search(&app, json!({"query": "churn"})).await;
    let platform = "urn:li:dataPlatform:vertexai";
    assert_eq!(count(&before, "platform", platform), 0);
    let model = urn("urn:li:mlModel:(urn:li:dataPlatform:vertexai,fresh,QA)");
    app.catalog()
        .write(
            &Actor::named("test"),
            vec![
                AspectWrite::upsert(
                    model.clone(),
                    "mlModelProperties",
                    json!({"description": "churn again"}),
                ),
                AspectWrite::upsert(
                    model,
                    "globalTags",
                    json!({"tags": [{"tag": "urn:li:tag:fresh"}]}),
                ),
            ],
        )
        .await
        .unwrap();
    let after = search(&app, json!({"query": "churn"})).await;
    assert_eq!(
        after["total"].as_i64().unwrap(),
        before["total"].as_i64().unwrap() + 1
    );
    assert_eq!(count(&after, "platform", platform), 1);
    assert_eq!(count(&after, "origin", "QA"), 1);
    assert_eq!(count(&after, "tags", "urn:li:tag:fresh"), 1);
    assert_eq!(
        count(&after, "_entityType", "MLMODEL"),
        count(&before, "_entityType", "MLMODEL") + 1
    );
}
