//! The four "Read ML Entities" queries of the DataHub ML tutorial, sent unchanged to the demo
//! catalog, answer the documented response text, keys in the query's order.
//!
//! The documented responses are the tutorial's "Expected response" blocks, copied into
//! `tests/api/tutorial/*.json` (see the README there for what was filled in). The test compares
//! the raw body text, not parsed JSON, so that a key out of the query's order fails.

use crate::support::TestApp;

const FEATURE: &str = include_str!("../../playground/examples/01-tutorial-read-ml-feature.graphql");
const TABLE: &str =
    include_str!("../../playground/examples/02-tutorial-read-ml-feature-table.graphql");
const MODEL: &str = include_str!("../../playground/examples/03-tutorial-read-ml-model.graphql");
const GROUP: &str =
    include_str!("../../playground/examples/04-tutorial-read-ml-model-group.graphql");

/// JSON text without the whitespace outside strings: the documented pretty response as the
/// compact text a server sends. Purely textual, so key order and string contents stay exactly
/// as written (parsing and re-serialising could hide an order difference).
fn compact(pretty: &str) -> String {
    let mut out = String::with_capacity(pretty.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in pretty.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

#[test]
fn compact_keeps_strings_and_order() {
    assert_eq!(
        compact("{\n  \"b a\": \"x \\\" { y\",\n  \"a\": [ 1, null ]\n}\n"),
        r#"{"b a":"x \" { y","a":[1,null]}"#
    );
}

/// Sends `query` to the demo catalog and asserts that the body is, byte for byte, the
/// documented response, less its empty `extensions` object: DataHub sends `"extensions": {}`,
/// mlcat (async-graphql) leaves an empty `extensions` out.
async fn assert_answers_documented(query: &str, documented: &str) {
    let documented = compact(documented);
    let expected = documented
        .strip_suffix(r#","extensions":{}}"#)
        .map(|data| format!("{data}}}"))
        .expect("the documented response ends with an empty extensions object");
    let app = TestApp::with_demo().await;
    assert_eq!(app.gql_text(query).await, expected);
}

#[tokio::test]
async fn read_ml_feature() {
    assert_answers_documented(FEATURE, include_str!("tutorial/read_ml_feature.json")).await;
}

#[tokio::test]
async fn read_ml_feature_table() {
    assert_answers_documented(TABLE, include_str!("tutorial/read_ml_feature_table.json")).await;
}

#[tokio::test]
async fn read_ml_model() {
    assert_answers_documented(MODEL, include_str!("tutorial/read_ml_model.json")).await;
}

#[tokio::test]
async fn read_ml_model_group() {
    assert_answers_documented(GROUP, include_str!("tutorial/read_ml_model_group.json")).await;
}

/// Aliases, fragments and a response key selected twice: keys in the order of the spec's
/// CollectFields (a fragment's fields where the fragment is spread, a key selected twice at its
/// first position, its selections merged), whatever order the fields finish in.
#[tokio::test]
async fn aliases_and_fragments_answer_in_the_query_order() {
    let app = TestApp::with_demo().await;
    let body = app
        .gql_text(
            r#"{
                m: mlModel(urn: "urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)") {
                    ...F urn n2: name properties { type }
                }
                entity(urn: "urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)") {
                    ... on MLModel { properties { type } urn }
                    urn
                    ... on MLModel { properties { description } }
                }
            }
            fragment F on MLModel { name description }"#,
        )
        .await;
    let urn = "urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)";
    let description = "A sample model for predicting some outcome.";
    assert_eq!(
        body,
        format!(
            r#"{{"data":{{"m":{{"name":"scienceModel","description":"{description}","urn":"{urn}","n2":"scienceModel","properties":{{"type":"Naive Bayes classifier"}}}},"entity":{{"properties":{{"type":"Naive Bayes classifier","description":"{description}"}},"urn":"{urn}"}}}}}}"#
        )
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
