//! Full-text search in DataHub's shapes (`searchAcrossEntities`, `search`, `autoComplete`,
//! `autoCompleteForMultiple`): what an entity is found by, the ranking, read-your-writes through
//! GraphQL mutations and DataHub ingestion, query text that looks like engine syntax, bad input,
//! the index of entities written before it existed, and the statements a page costs.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::datahub::{ingest, proposal};
use crate::support::TestApp;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;

pub const CHURN: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";
pub const CHURN_V2: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn_v2,PROD)";
pub const PREDICTOR: &str =
    "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,customer_churn_predictor,DEV)";
pub const FORECAST: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,forecast,PROD)";
pub const EVENTS: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,events,PROD)";
pub const AGE: &str = "urn:li:mlFeature:(users,age)";

fn urn(s: &str) -> Urn {
    Urn::parse(s).unwrap()
}

/// Six entities: three churn models (exact name, name prefix, name word), a forecast model
/// whose description mentions churn, a dataset and a feature.
pub async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    let writes = vec![
        AspectWrite::upsert(
            urn(CHURN),
            "mlModelProperties",
            json!({"description": "Predicts who leaves", "customProperties": {"team": "growth"}}),
        ),
        AspectWrite::upsert(urn(CHURN_V2), "mlModelProperties", json!({})),
        AspectWrite::upsert(
            urn(PREDICTOR),
            "mlModelProperties",
            json!({"description": "Gradient boosting"}),
        ),
        AspectWrite::upsert(
            urn(FORECAST),
            "mlModelProperties",
            json!({"description": "Sales forecast; an input to the churn review"}),
        ),
        AspectWrite::upsert(
            urn(EVENTS),
            "datasetProperties",
            json!({"description": "Click events", "customProperties": {"owner_team": "Ünïcode Team"}}),
        ),
        AspectWrite::upsert(
            urn(AGE),
            "mlFeatureProperties",
            json!({"dataType": "CONTINUOUS", "description": "Age in years"}),
        ),
    ];
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

pub const SEARCH: &str = "query($input: SearchAcrossEntitiesInput!) {
  searchAcrossEntities(input: $input) {
    start count total
    searchResults { entity { urn type } matchedFields { name value } }
    facets { field displayName aggregations { value count entity { urn type } } }
  }
}";

/// `searchAcrossEntities` with `input`, which must succeed.
pub async fn search(app: &TestApp, input: Value) -> Value {
    let answer = app.gql_vars(SEARCH, json!({ "input": input })).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"]["searchAcrossEntities"].clone()
}

/// The URNs of a search's results, in order.
pub async fn urns(app: &TestApp, input: Value) -> Vec<String> {
    search(app, input).await["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["urn"].as_str().unwrap().to_string())
        .collect()
}

/// The code of the first error of a search with `input`.
pub async fn refused(app: &TestApp, input: Value) -> (String, String) {
    let answer = app.gql_vars(SEARCH, json!({ "input": input })).await;
    let e = &answer["errors"][0];
    (
        e["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error: {answer:#}"))
            .to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn ranks_exact_name_then_prefix_then_word_then_the_rest() {
    let app = seeded().await;
    let answer = search(&app, json!({"query": "churn"})).await;
    let got: Vec<&str> = answer["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["urn"].as_str().unwrap())
        .collect();
    assert_eq!(got, [CHURN, CHURN_V2, PREDICTOR, FORECAST]);
    assert_eq!(answer["total"], 4);
    assert_eq!(answer["start"], 0);
    assert_eq!(answer["count"], 4);
    assert_eq!(
        answer["searchResults"][0]["matchedFields"],
        json!([{"name": "name", "value": "churn"}])
    );
    assert_eq!(answer["searchResults"][3]["matchedFields"], json!([]));
    assert_eq!(answer["searchResults"][0]["entity"]["type"], "MLMODEL");
}

/// Every page of a search holds its part of the one best-first order, wherever it starts and
/// however many it holds: pages that begin in one rank class and end in the next, and pages
/// inside a class, where the shorter name and then the URN decide. Within each class the
/// entities' index rows are alike (as many words, the query's word once), so the engines'
/// ranks tie on both backends and the order is pinned.
#[tokio::test]
async fn pages_crossing_the_rank_classes_hold_their_part_of_one_order() {
    let app = TestApp::new().await;
    let model = |name: &str| format!("urn:li:mlModel:(urn:li:dataPlatform:mlflow,{name},PROD)");
    // Best first.
    let order = [
        // The name is the query.
        "urn:li:dataset:(urn:li:dataPlatform:hive,churn,PROD)".to_string(),
        model("churn"),
        // The name starts with it, the shorter first.
        model("churn_v2"),
        model("churn_v3"),
        model("churn_model"),
        // The name holds it (`mx`'s name through its properties).
        model("customer_churn"),
        model("mx"),
        model("weekly_churn"),
        // The description holds it.
        model("forecast"),
        model("retention"),
    ];
    let mut writes = Vec::new();
    for (i, u) in order.iter().enumerate() {
        let (aspect, value) = match i {
            0 => ("datasetProperties", json!({})),
            6 => ("mlModelProperties", json!({"name": "churn"})),
            8 | 9 => ("mlModelProperties", json!({"description": "churn review"})),
            _ => ("mlModelProperties", json!({})),
        };
        writes.push(AspectWrite::upsert(urn(u), aspect, value));
    }
    // Found by no word of the query.
    writes.push(AspectWrite::upsert(
        urn(&model("chum")),
        "mlModelProperties",
        json!({"description": "a review"}),
    ));
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    let all = search(&app, json!({"query": "churn", "count": 20})).await;
    let got: Vec<&str> = all["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["urn"].as_str().unwrap())
        .collect();
    assert_eq!(got, order);
    for (i, r) in all["searchResults"].as_array().unwrap().iter().enumerate() {
        let in_name = !r["matchedFields"].as_array().unwrap().is_empty();
        assert_eq!(in_name, i < 8, "{r:#}");
    }
    for count in 1..=4 {
        for start in 0..=order.len() {
            let page = search(
                &app,
                json!({"query": "churn", "start": start, "count": count}),
            )
            .await;
            assert_eq!(page["total"], order.len(), "{start} {count}");
            let got: Vec<&str> = page["searchResults"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["entity"]["urn"].as_str().unwrap())
                .collect();
            let want = &order[start..(start + count).min(order.len())];
            assert_eq!(got, want, "start {start}, count {count}");
        }
    }
}

#[tokio::test]
async fn finds_descriptions_custom_properties_data_types_and_urn_parts() {
    let app = seeded().await;
    for (query, expected) in [
        ("leaves", vec![CHURN]),
        ("growth", vec![CHURN]),
        ("continuous", vec![AGE]),
        ("sagemaker", vec![PREDICTOR]),
        ("users", vec![AGE]),
        ("hive", vec![EVENTS]),
        // Unicode case folding, and words of several letters typed in any case.
        ("ÜNÏCODE", vec![EVENTS]),
        ("CLICK EVENTS", vec![EVENTS]),
        // The last word is a prefix; the others are whole words.
        ("gradient boo", vec![PREDICTOR]),
        ("gradi boosting", vec![]),
        ("customer_churn_pred", vec![PREDICTOR]),
    ] {
        assert_eq!(
            urns(&app, json!({"query": query})).await,
            expected,
            "query {query:?}"
        );
    }
    // `*`, an empty query and a query of no words: everything, by name.
    for query in ["*", "", "  ", "\"\"", "()"] {
        let answer = search(&app, json!({"query": query})).await;
        assert_eq!(answer["total"], 6, "query {query:?}");
    }
}

#[tokio::test]
async fn engine_syntax_in_a_query_is_searched_as_words_never_an_error() {
    let app = seeded().await;
    for query in [
        "\"churn",
        "churn\"",
        "churn*",
        "*churn",
        "NEAR(churn forecast)",
        "churn NEAR forecast",
        "name:churn",
        "(churn",
        "churn)",
        "-churn",
        "churn -forecast",
        "churn AND OR NOT",
        "churn & | ! <-> :*",
        "'churn'",
        "churn\\",
        "{name}: churn",
        "^churn",
        "churn + ; --",
    ] {
        let answer = app
            .gql_vars(SEARCH, json!({"input": {"query": query}}))
            .await;
        assert!(answer.get("errors").is_none(), "{query:?}: {answer:#}");
    }
    // The words of such a query are searched as words.
    assert_eq!(urns(&app, json!({"query": "\"churn\""})).await.len(), 4);
    assert_eq!(
        urns(&app, json!({"query": "(gradient) -boosting*"})).await,
        [PREDICTOR]
    );
}

#[tokio::test]
async fn a_search_right_after_a_write_finds_it() {
    let app = seeded().await;
    // GraphQL mutations: a tag, an edited description.
    let answer = app
        .gql(&format!(
            "mutation {{ addTag(input: {{tagUrn: \"urn:li:tag:pii\", resourceUrn: \"{FORECAST}\"}}) }}"
        ))
        .await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    assert_eq!(urns(&app, json!({"query": "pii"})).await, [FORECAST]);
    let tagged = urns(
        &app,
        json!({"query": "*", "orFilters": [{"and": [{"field": "tags", "values": ["urn:li:tag:pii"]}]}]}),
    )
    .await;
    assert_eq!(tagged, [FORECAST]);

    // DataHub ingestion, many times over: each new model is found by the next search.
    for i in 0..20 {
        let model = format!("urn:li:mlModel:(urn:li:dataPlatform:mlflow,fresh_{i},PROD)");
        ingest(
            &app,
            proposal(
                "mlModel",
                &model,
                "mlModelProperties",
                json!({"description": format!("written number{i}")}),
            ),
        )
        .await;
        assert_eq!(
            urns(&app, json!({"query": format!("number{i}")})).await,
            vec![model]
        );
    }
}

#[tokio::test]
async fn an_edited_description_replaces_the_ingested_one() {
    let app = seeded().await;
    app.catalog()
        .write(
            &Actor::named("test"),
            vec![AspectWrite::upsert(
                urn(CHURN),
                "editableMlModelProperties",
                json!({"description": "Retention model"}),
            )],
        )
        .await
        .unwrap();
    assert_eq!(urns(&app, json!({"query": "retention"})).await, [CHURN]);
    assert!(urns(&app, json!({"query": "leaves"})).await.is_empty());
}

#[tokio::test]
async fn soft_deleted_entities_are_left_out_unless_asked_for() {
    let app = seeded().await;
    app.catalog()
        .write(
            &Actor::named("test"),
            vec![AspectWrite::upsert(
                urn(CHURN_V2),
                "status",
                json!({"removed": true}),
            )],
        )
        .await
        .unwrap();
    assert_eq!(
        urns(&app, json!({"query": "churn"})).await,
        [CHURN, PREDICTOR, FORECAST]
    );
    let removed = json!([{"and": [{"field": "removed", "values": ["true"]}]}]);
    assert_eq!(
        urns(&app, json!({"query": "churn", "orFilters": removed})).await,
        [CHURN_V2]
    );
    let flags = json!({"includeSoftDeleted": true});
    assert_eq!(
        urns(&app, json!({"query": "churn", "searchFlags": flags}))
            .await
            .len(),
        4
    );
    // Restored: found again.
    app.catalog()
        .write(
            &Actor::named("test"),
            vec![AspectWrite::upsert(
                urn(CHURN_V2),
                "status",
                json!({"removed": false}),
            )],
        )
        .await
        .unwrap();
    assert_eq!(urns(&app, json!({"query": "churn"})).await.len(), 4);
}

#[tokio::test]
async fn pages_and_sorts() {
    let app = seeded().await;
    let page = search(&app, json!({"query": "churn", "start": 1, "count": 2})).await;
    assert_eq!(page["start"], 1);
    assert_eq!(page["count"], 2);
    assert_eq!(page["total"], 4);
    assert_eq!(page["searchResults"][0]["entity"]["urn"], CHURN_V2);
    let past = search(&app, json!({"query": "churn", "start": 10})).await;
    assert_eq!(past["count"], 0);
    assert_eq!(past["total"], 4);
    let by_name = |order: &str| json!({"query": "churn", "sortInput": {"sortCriteria": [{"field": "name", "sortOrder": order}]}});
    assert_eq!(
        urns(&app, by_name("DESCENDING")).await,
        [FORECAST, PREDICTOR, CHURN_V2, CHURN]
    );
    assert_eq!(
        urns(&app, by_name("ASCENDING")).await,
        [CHURN, CHURN_V2, PREDICTOR, FORECAST]
    );
}

#[tokio::test]
async fn search_of_one_type_and_types_across_entities() {
    let app = seeded().await;
    let answer = app
        .data(
            "{ search(input: {type: DATASET, query: \"*\"}) { total searchResults { entity { urn } } } }",
        )
        .await;
    assert_eq!(answer["search"]["total"], 1);
    assert_eq!(
        answer["search"]["searchResults"][0]["entity"]["urn"],
        EVENTS
    );
    let across = urns(
        &app,
        json!({"query": "*", "types": ["MLFEATURE", "DATASET"]}),
    )
    .await;
    assert_eq!(across, [AGE, EVENTS]);
    // A type mlcat holds none of finds nothing, alone or beside others; not everything.
    let none = urns(&app, json!({"query": "*", "types": ["DATA_JOB"]})).await;
    assert!(none.is_empty(), "{none:?}");
    let beside = urns(
        &app,
        json!({"query": "*", "types": ["DATA_JOB", "DATASET"]}),
    )
    .await;
    assert_eq!(beside, [EVENTS]);
}

#[tokio::test]
async fn bad_input_is_refused_naming_what_to_fix() {
    let app = seeded().await;
    let long = "a ".repeat(600);
    for (input, names) in [
        (json!({"query": long}), "query"),
        (json!({"query": "x", "count": 1001}), "count"),
        (json!({"query": "x", "count": -1}), "count"),
        (json!({"query": "x", "start": -1}), "start"),
        (
            json!({"query": "x", "orFilters": [{"and": [{"field": "colour", "values": ["red"]}]}]}),
            "colour",
        ),
        (
            json!({"query": "x", "orFilters": [{"and": [{"field": "tags", "values": ["1"], "condition": "GREATER_THAN"}]}]}),
            "GREATER_THAN",
        ),
        (
            json!({"query": "x", "orFilters": [{"and": [{"field": "tags", "values": ["1"], "condition": "LESS_THAN"}]}]}),
            "LESS_THAN",
        ),
        (
            json!({"query": "x", "orFilters": [{"and": [{"field": "tags"}]}]}),
            "values",
        ),
        (
            json!({"query": "x", "orFilters": [{"and": [{"field": "removed", "values": ["maybe"]}]}]}),
            "removed",
        ),
        (
            json!({"query": "x", "viewUrn": "urn:li:dataHubView:v"}),
            "viewUrn",
        ),
        (
            json!({"query": "x", "sortInput": {"sortCriteria": [{"field": "colour", "sortOrder": "ASCENDING"}]}}),
            "colour",
        ),
        (json!({"query": "x\u{0}"}), "NUL"),
    ] {
        let (code, message) = refused(&app, input.clone()).await;
        assert_eq!(code, "BAD_USER_INPUT", "{input}: {message}");
        assert!(message.contains(names), "{input}: {message}");
    }
    // A megabyte of query: refused, not searched.
    let huge = "x".repeat(1 << 20);
    let (code, _) = refused(&app, json!({"query": huge})).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn auto_complete_answers_names_and_entities() {
    let app = seeded().await;
    let answer = app
        .data(
            "{ autoComplete(input: {type: MLMODEL, query: \"chu\", limit: 2}) { query suggestions entities { urn } } }",
        )
        .await;
    assert_eq!(
        answer["autoComplete"],
        json!({"query": "chu", "suggestions": ["churn", "churn_v2"],
               "entities": [{"urn": CHURN}, {"urn": CHURN_V2}]})
    );
    let answer = app
        .data(
            "{ autoCompleteForMultiple(input: {query: \"a\", limit: 5}) { query suggestions { type suggestions entities { urn } } } }",
        )
        .await;
    // The forecast model's description says "an input": words outside names complete nothing.
    assert_eq!(
        answer["autoCompleteForMultiple"]["suggestions"],
        json!([{"type": "MLFEATURE", "suggestions": ["age"], "entities": [{"urn": AGE}]}])
    );
    // The name that is the text, then names starting with it, then names holding it as a word.
    let answer = app
        .data("{ autoComplete(input: {query: \"Churn\"}) { suggestions } }")
        .await;
    assert_eq!(
        answer["autoComplete"]["suggestions"],
        json!(["churn", "churn_v2", "customer_churn_predictor"])
    );
    let answer = app
        .data("{ autoComplete(input: {query: \"customer chu\", limit: 5}) { suggestions } }")
        .await;
    assert_eq!(
        answer["autoComplete"]["suggestions"],
        json!(["customer_churn_predictor"])
    );
    // A page the names starting with the text fill is one statement; otherwise two.
    let before = app.statements();
    app.data("{ autoComplete(input: {query: \"chu\", limit: 2}) { suggestions } }")
        .await;
    assert_eq!(app.statements() - before, 1);
    let before = app.statements();
    app.data("{ autoComplete(input: {query: \"chu\", limit: 3}) { suggestions } }")
        .await;
    assert_eq!(app.statements() - before, 2);
    // Filters apply: only models on SageMaker.
    let answer = app
        .data(
            "{ autoComplete(input: {query: \"chu\", filters: [{field: \"platform\", values: [\"sagemaker\"]}]}) { suggestions } }",
        )
        .await;
    assert_eq!(
        answer["autoComplete"]["suggestions"],
        json!(["customer_churn_predictor"])
    );
    let answer = app
        .data(
            "{ autoCompleteForMultiple(input: {types: [DATASET, MLMODEL], query: \"e\"}) { suggestions { type suggestions } } }",
        )
        .await;
    assert_eq!(
        answer["autoCompleteForMultiple"]["suggestions"],
        json!([{"type": "DATASET", "suggestions": ["events"]}])
    );
    let code = app
        .error_code("{ autoComplete(input: {query: \"a\", field: \"description\"}) { query } }")
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn entities_written_before_the_index_existed_are_indexed_at_start_up() {
    let app = seeded().await;
    for table in ["search_facet", "search_document"] {
        app.db
            .execute(Statement::from_string(
                app.db.get_database_backend(),
                format!("DELETE FROM \"{table}\""),
            ))
            .await
            .unwrap();
    }
    assert!(urns(&app, json!({"query": "churn"})).await.is_empty());
    assert_eq!(app.catalog().index_missing().await.unwrap(), 6);
    assert_eq!(urns(&app, json!({"query": "churn"})).await.len(), 4);
    assert_eq!(app.catalog().index_missing().await.unwrap(), 0);
}

/// `n` models, each tagged, owned and in a domain, with a description.
async fn many(n: usize) -> TestApp {
    let app = TestApp::new().await;
    let mut writes = Vec::new();
    for i in 0..n {
        let model = urn(&format!(
            "urn:li:mlModel:(urn:li:dataPlatform:mlflow,model_{i:03},PROD)"
        ));
        writes.push(AspectWrite::upsert(
            model.clone(),
            "mlModelProperties",
            json!({"description": "a ranking model"}),
        ));
        writes.push(AspectWrite::upsert(
            model.clone(),
            "globalTags",
            json!({"tags": [{"tag": format!("urn:li:tag:t{}", i % 3)}]}),
        ));
        writes.push(AspectWrite::upsert(
            model.clone(),
            "ownership",
            json!({"owners": [{"owner": "urn:li:corpuser:ana", "type": "TECHNICAL_OWNER"}]}),
        ));
        writes.push(AspectWrite::upsert(
            model,
            "domains",
            json!({"domains": ["urn:li:domain:marketing"]}),
        ));
    }
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

const PAGE: &str = "query($n: Int) {
  searchAcrossEntities(input: {query: \"ranking\", count: $n}) {
    total
    searchResults {
      entity {
        urn
        ... on MLModel { description tags { tags { tag { urn } } } ownership { owners { owner { ... on CorpUser { urn } } } } }
      }
    }
    facets { field aggregations { value count entity { urn } } }
  }
}";

/// The statements of one search page, however many results it holds.
async fn statements_of(app: &TestApp, n: usize) -> usize {
    let before = app.statements();
    let answer = app.gql_vars(PAGE, json!({"n": n})).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    assert_eq!(
        answer["data"]["searchAcrossEntities"]["searchResults"]
            .as_array()
            .unwrap()
            .len(),
        n
    );
    app.statements() - before
}

#[tokio::test]
async fn a_page_costs_the_same_statements_however_many_results_it_holds() {
    let app = many(30).await;
    let two = statements_of(&app, 2).await;
    let ten = statements_of(&app, 10).await;
    let thirty = statements_of(&app, 30).await;
    assert_eq!(two, ten);
    assert_eq!(ten, thirty);
    assert!(ten <= 8, "{ten} statements");
}

#[tokio::test]
async fn facets_are_counted_by_the_statement_that_counts_the_matches() {
    let app = many(12).await;
    let run = |query: &'static str| {
        let app = &app;
        async move {
            let before = app.statements();
            let answer = app.gql(query).await;
            assert!(answer.get("errors").is_none(), "{answer:#}");
            (app.statements() - before, answer)
        }
    };
    let (with, answer) =
        run("{ searchAcrossEntities(input: {query: \"ranking\"}) { total facets { field } } }")
            .await;
    assert_eq!(answer["data"]["searchAcrossEntities"]["total"], 12);
    assert!(!answer["data"]["searchAcrossEntities"]["facets"]
        .as_array()
        .unwrap()
        .is_empty());
    let (without, answer) =
        run("{ searchAcrossEntities(input: {query: \"ranking\"}) { total } }").await;
    assert_eq!(answer["data"]["searchAcrossEntities"]["total"], 12);
    // The facets are counted over every match by the statement that counts the matches, so
    // they cost no statement of their own.
    assert_eq!(without, with);
    // A fragment that selects them counts them.
    let (fragment, answer) = run(
        "{ searchAcrossEntities(input: {query: \"ranking\"}) { ...F } } fragment F on SearchResults { facets { field } }",
    )
    .await;
    assert_eq!(fragment, with);
    assert!(!answer["data"]["searchAcrossEntities"]["facets"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// FTS5's own check of the SQLite index against its rows (`integrity-check`), and SQLite's
/// check of the whole file; nothing on PostgreSQL, whose index is an ordinary GIN index.
async fn assert_index_intact(app: &TestApp) {
    if app.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    app.db
        .execute_unprepared(
            "INSERT INTO \"search_document\" (\"search_document\") VALUES ('integrity-check')",
        )
        .await
        .expect("FTS5 integrity-check of search_document");
    crate::durability::assert_integrity(&app.db).await;
}

/// Writers at once, as clients sharing SQLite's group commits; each batch of a group runs in a
/// savepoint, and a batch that fails or runs out of time is rolled back to it while the
/// others of its group are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_rolled_back_inside_a_group_leave_the_index_whole() {
    use mlcat::catalog::Deadline;
    use std::time::Duration;

    const WRITERS: usize = 6;
    const ROUNDS: usize = 60;
    let app = TestApp::new().await;
    let feature = |w: usize, i: usize| urn(&format!("urn:li:mlFeature:(savepoints,w{w}_f{i})"));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let catalog = app.catalog();
            tokio::spawn(async move {
                let actor = Actor::named("test");
                let mut kept = Vec::new();
                for i in 0..ROUNDS {
                    // A new feature, and a new description of the one before (its row is
                    // deleted and written again).
                    let mut writes = vec![AspectWrite::upsert(
                        feature(w, i),
                        "mlFeatureProperties",
                        json!({"description": format!("savepoint feature {w} {i} kept")}),
                    )];
                    if i > 0 {
                        writes.push(AspectWrite::upsert(
                            feature(w, i - 1),
                            "mlFeatureProperties",
                            json!({"description": format!("savepoint feature {w} {i} again")}),
                        ));
                    }
                    let answer = match i % 3 {
                        // Refused before anything is written: a patch that fails.
                        0 => {
                            writes.push(AspectWrite::patch::<Value, _>(
                                feature(w, i),
                                "editableMlFeatureProperties",
                                |_| Err(mlcat::catalog::Error::Conflict("refused".into())),
                            ));
                            catalog.write(&actor, writes).await
                        }
                        // Out of time, often after its index rows are written.
                        1 => {
                            let deadline =
                                Deadline::after(Duration::from_micros((i * 97 % 2000) as u64));
                            catalog.write_within(&actor, writes, Some(&deadline)).await
                        }
                        _ => catalog.write(&actor, writes).await,
                    };
                    if answer.is_ok() {
                        kept.push(i);
                    }
                }
                kept
            })
        })
        .collect();
    let mut kept = 0;
    for task in tasks {
        kept += task.await.unwrap().len();
    }
    assert!(kept > 0);
    assert_index_intact(&app).await;
    let answer = search(&app, json!({"query": "savepoint", "count": 0})).await;
    assert_eq!(answer["total"], app.count_rows("entity").await);
}

/// SQLite's `integrity_check`, asked again on a connection that asked it before, checks the
/// index as it is now: the FTS5 table's cached structure is refreshed before it is checked
/// (see `durability::assert_integrity`), so entities indexed in between, by the catalog's own
/// connection, do not read as a malformed index.
#[tokio::test]
async fn the_integrity_check_sees_entities_indexed_since_it_last_ran() {
    let app = seeded().await;
    let checker = match app.db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            let rows = app
                .db
                .query_all(Statement::from_string(
                    sea_orm::DbBackend::Sqlite,
                    "PRAGMA database_list",
                ))
                .await
                .unwrap();
            let file: String = rows[0].try_get_by_index(2).unwrap();
            // One connection, so that both checks run on it.
            let options = sea_orm::ConnectOptions::new(format!("sqlite://{file}"))
                .max_connections(1)
                .min_connections(1)
                .to_owned();
            Some(sea_orm::Database::connect(options).await.unwrap())
        }
        _ => None,
    };
    let check = || async {
        match &checker {
            Some(db) => crate::durability::assert_integrity(db).await,
            None => assert_index_intact(&app).await,
        }
    };
    check().await;
    app.catalog()
        .write(
            &Actor::named("test"),
            vec![AspectWrite::upsert(
                urn("urn:li:mlModel:(urn:li:dataPlatform:mlflow,retention,PROD)"),
                "mlModelProperties",
                json!({"description": "Who stays"}),
            )],
        )
        .await
        .unwrap();
    check().await;
    assert_eq!(
        urns(&app, json!({"query": "retention"})).await,
        ["urn:li:mlModel:(urn:li:dataPlatform:mlflow,retention,PROD)"]
    );
}
