//! Request limits: each violation answers a coded error naming the limit and its value, and
//! an expensive query is refused before it touches the database.

use mlcat::config::Limits;

use crate::support::TestApp;

const ORDERS: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.orders,PROD)";

#[tokio::test]
async fn a_thousand_aliases_are_refused_before_the_database() {
    let app = TestApp::with_demo().await;
    let fields: Vec<String> = (0..1000)
        .map(|i| format!("a{i}: dataset(urn: \"{ORDERS}\") {{ name }}"))
        .collect();
    let query = format!("{{ {} }}", fields.join(" "));
    let before = app.statements();
    // The second time the parsed query comes from the server's cache: refused all the same.
    for _ in 0..2 {
        let answer = app.gql(&query).await;
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let message = answer["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("1000 aliases") && message.contains("limit is 100"),
            "{message}"
        );
    }
    assert_eq!(app.statements(), before, "the refused query ran SQL");

    // Under the limit, aliases are fine.
    let few: Vec<String> = (0..5)
        .map(|i| format!("a{i}: dataset(urn: \"{ORDERS}\") {{ name }}"))
        .collect();
    let answer = app.gql(&format!("{{ {} }}", few.join(" "))).await;
    assert_eq!(answer["data"]["a4"]["name"], "tpcxai_sf0001.public.orders");
}

#[tokio::test]
async fn deep_nesting_over_reverse_lineage_fields_is_refused_before_the_database() {
    let app = TestApp::with_demo().await;
    let query = format!(
        r#"{{ dataset(urn: "{ORDERS}") {{
            derivedFeatures {{ models {{ trainingDatasets {{ derivedFeatures {{ models {{
              deployments {{ models {{ predictions {{ derivedFeatures {{ models {{
              trainingDatasets {{ name }} }} }} }} }} }} }} }} }} }} }} }} }}"#
    );
    let before = app.statements();
    let answer = app.gql(&query).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer:#}"
    );
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 10000000"),
        "{answer:#}"
    );
    assert_eq!(app.statements(), before, "the refused query ran SQL");
}

#[tokio::test]
async fn an_ordinary_page_of_a_thousand_is_within_the_complexity_limit() {
    let app = TestApp::with_demo().await;
    let answer = app
        .gql("{ listMLModels(input: {count: 1000}) { total entities { urn name description properties { name version features { name } groups { name } } } } }")
        .await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    assert_eq!(answer["data"]["listMLModels"]["total"], 3);
}

#[tokio::test]
async fn a_query_deeper_than_the_depth_limit_names_it() {
    let app = TestApp::with_limits(Limits {
        max_query_depth: 4,
        ..Limits::default()
    })
    .await;
    let answer = app
        .gql(r#"{ mlModel(urn: "urn:li:mlModel:(urn:li:dataPlatform:x,m,PROD)") { properties { groups { platform { properties { displayName } } } } } }"#)
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 4 levels"),
        "{answer:#}"
    );
}

#[tokio::test]
async fn one_query_text_sent_again_answers_for_its_own_variables() {
    // Parsed queries are kept by their text; the variables of each request are its own.
    let app = TestApp::with_demo().await;
    let query = "query($urn: String!) { dataset(urn: $urn) { urn name } }";
    let other = "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.customer_segments,PROD)";
    for (urn, name) in [
        (ORDERS, "tpcxai_sf0001.public.orders"),
        (other, "tpcxai_sf0001.public.customer_segments"),
        (ORDERS, "tpcxai_sf0001.public.orders"),
    ] {
        let answer = app.gql_vars(query, serde_json::json!({ "urn": urn })).await;
        assert_eq!(answer["data"]["dataset"]["name"], name, "{answer:#}");
    }
    // A broken text is not kept: it fails the same way each time.
    for _ in 0..2 {
        let answer = app.gql("{ dataset(urn: ").await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{answer:#}"
        );
    }
}

/// A selection of `entity(urn)` with a page of `count` relationships of three fields, on `on`.
fn relationships_on(on: &str, count: usize) -> String {
    format!(
        r#"... on {on} {{ relationships(input: {{types: ["MemberOf"], direction: OUTGOING, count: {count}}}) {{ relationships {{ type direction entity {{ urn }} }} }} }}"#
    )
}

#[tokio::test]
async fn of_the_fragments_on_the_types_an_entity_may_be_only_the_dearest_is_priced() {
    // A page of 3,000 relationships of five fields costs over 15,000: one fits a limit of
    // 20,000, two do not.
    let app = TestApp::with_limits(Limits {
        max_query_complexity: 20_000,
        ..Limits::default()
    })
    .await;
    let urn = "urn:li:mlModel:(urn:li:dataPlatform:x,m,PROD)";
    let query = |selections: &[String]| {
        format!(
            r#"{{ entity(urn: "{urn}") {{ urn {} }} }}"#,
            selections.join(" ")
        )
    };
    let refused = |answer: &serde_json::Value| {
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--max-query-complexity"))
    };
    // An entity is a model or a group, never both: the two pages cannot both answer.
    let either = query(&[
        relationships_on("MLModel", 3000),
        relationships_on("MLModelGroup", 3000),
    ]);
    let answer = app.gql(&either).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    // Two pages on the same type both answer: priced twice.
    let both = query(&[
        relationships_on("MLModel", 3000),
        relationships_on("MLModel", 3000).replace("relationships(", "again: relationships("),
    ]);
    assert!(refused(&app.gql(&both).await));
    // A named fragment is priced on its own type, as an inline one is: its page counts in full.
    let spread = format!(
        r#"{{ entity(urn: "{urn}") {{ urn ...Big }} }} fragment Big on MLModel {{ {} }}"#,
        relationships_on("MLModel", 5000)
    );
    assert!(refused(&app.gql(&spread).await));
}
