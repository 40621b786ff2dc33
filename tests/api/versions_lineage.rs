//! A model version's registered lineage (its upstream as it stood when it was registered,
//! whatever changed since) and the difference between two versions' registered lineage.

use std::time::Duration;

use mlcat::catalog::{Actor, AspectWrite, LinkVersion};
use mlcat::urn::Urn;
use serde_json::{json, Value};

use crate::support::TestApp;
use crate::versions::{model, SET};

fn dataset(name: &str) -> Urn {
    Urn::dataset("hive", name, "PROD").unwrap()
}

fn trained_on(m: &Urn, datasets: &[&Urn]) -> AspectWrite {
    let data: Vec<Value> = datasets
        .iter()
        .map(|d| json!({"dataset": d.to_string()}))
        .collect();
    AspectWrite::upsert(
        m.clone(),
        "mlModelTrainingData",
        json!({"trainingData": data}),
    )
}

async fn tick() {
    tokio::time::sleep(Duration::from_millis(3)).await;
}

fn urns(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["urn"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

fn edges(list: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("source"), s("target"), s("relation"))
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn registered_lineage_is_as_of_registration_and_diffs_compare_versions() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let me = Actor::named("ana");
    let (a, b, c) = (dataset("a"), dataset("b"), dataset("c"));
    let (v1, v2) = (model("r1"), model("r2"));
    let set = Urn::parse(SET).unwrap();
    catalog
        .write(
            &me,
            vec![
                AspectWrite::upsert(c.clone(), "datasetProperties", json!({})),
                AspectWrite::upsert(
                    b.clone(),
                    "upstreamLineage",
                    json!({"upstreams": [{"dataset": c.to_string(), "type": "TRANSFORMED"}]}),
                ),
                trained_on(&v1, &[&a]),
            ],
        )
        .await
        .unwrap();
    tick().await;
    catalog
        .link_version(
            &me,
            LinkVersion::new(set.clone(), v1.clone(), Some("1".into())),
        )
        .await
        .unwrap();
    tick().await;
    // After registration v1 is retrained on b: its registered lineage still says a.
    catalog
        .write(&me, vec![trained_on(&v1, &[&b])])
        .await
        .unwrap();
    catalog
        .write(&me, vec![trained_on(&v2, &[&b])])
        .await
        .unwrap();
    tick().await;
    catalog
        .link_version(
            &me,
            LinkVersion::new(set.clone(), v2.clone(), Some("2".into())),
        )
        .await
        .unwrap();

    let data = app
        .data(&format!(
            r#"{{ v1: mlModel(urn: "{v1}") {{
                    registered: registeredLineage {{ nodes {{ urn degree }} edges {{ source target relation }} truncated }}
                    now: lineage(input: {{direction: UPSTREAM}}) {{ relationships {{ entity {{ urn }} }} }} }}
                  diff: lineageDiff(from: "{v1}", to: "{v2}") {{
                    from to fromRegisteredAt toRegisteredAt truncated
                    addedEntities {{ urn degree relation }} removedEntities {{ urn }}
                    addedEdges {{ source target relation }} removedEdges {{ source target relation }} }} }}"#
        ))
        .await;
    let registered = &data["v1"]["registered"];
    assert_eq!(urns(&registered["nodes"]), [a.to_string(), v1.to_string()]);
    assert_eq!(
        edges(&registered["edges"]),
        [(a.to_string(), v1.to_string(), "TrainedOn".to_string())]
    );
    assert_eq!(registered["truncated"], false);
    assert_eq!(
        urns(&json!(data["v1"]["now"]["relationships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["entity"].clone())
            .collect::<Vec<_>>())),
        [b.to_string()]
    );

    let diff = &data["diff"];
    assert!(diff["fromRegisteredAt"].as_i64().unwrap() < diff["toRegisteredAt"].as_i64().unwrap());
    assert_eq!(urns(&diff["addedEntities"]), [b.to_string(), c.to_string()]);
    assert_eq!(urns(&diff["removedEntities"]), [a.to_string()]);
    assert_eq!(
        edges(&diff["addedEdges"]),
        [
            (b.to_string(), v2.to_string(), "TrainedOn".to_string()),
            (c.to_string(), b.to_string(), "DownstreamOf".to_string()),
        ]
    );
    assert_eq!(
        edges(&diff["removedEdges"]),
        [(a.to_string(), v1.to_string(), "TrainedOn".to_string())]
    );

    // The same version on both sides differs in nothing; bad input answers its code.
    let same = app
        .data(&format!(
            r#"{{ lineageDiff(from: "{v2}", to: "{v2}") {{ addedEntities {{ urn }} removedEdges {{ source }} }} }}"#
        ))
        .await;
    assert_eq!(
        same["lineageDiff"],
        json!({"addedEntities": [], "removedEdges": []})
    );
    let answer = app
        .gql(&format!(
            r#"{{ lineageDiff(from: "nope", to: "{v2}") {{ from }} }}"#
        ))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let answer = app
        .gql(&format!(
            r#"{{ lineageDiff(from: "{}", to: "{v2}") {{ from }} }}"#,
            model("missing")
        ))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let answer = app
        .gql(&format!(
            r#"{{ lineageDiff(from: "{v1}", to: "{v2}", depth: 0) {{ from }} }}"#
        ))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}
