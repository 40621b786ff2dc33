//! The six list queries (`listMLModels`, `listMLFeatures`, `listMLFeatureTables`,
//! `listMLModelGroups`, `listMLPrimaryKeys`, `listDatasets`): their `{start count total
//! entities}` answer, the order by name then URN, pagination, the `platform`, `origin` and
//! `query` filters, and the page-size limits.

use mlcat::config::Limits;
use serde_json::{json, Value};

use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

const LISTS: [&str; 6] = [
    "listMLModels",
    "listMLFeatures",
    "listMLFeatureTables",
    "listMLModelGroups",
    "listMLPrimaryKeys",
    "listDatasets",
];

/// The demo catalog's entities of each list, in the order the lists answer them.
fn demo_names(list: &str) -> Vec<&'static str> {
    match list {
        "listMLModels" => vec![
            "customer_segmentation_v1",
            "customer_segmentation_v2",
            "scienceModel",
        ],
        "listMLFeatures" => vec![
            "FREQUENCY",
            "RETURN_RATIO",
            "test_BOOL_LIST_feature",
            "test_BOOL_feature",
            "test_BYTES_LIST_feature",
            "test_BYTES_feature",
            "test_DOUBLE_LIST_feature",
            "test_DOUBLE_feature",
            "test_FLOAT_LIST_feature",
            "test_FLOAT_feature",
            "test_INT32_LIST_feature",
            "test_INT32_feature",
            "test_INT64_LIST_feature",
            "test_INT64_feature",
            "test_STRING_LIST_feature",
            "test_STRING_feature",
        ],
        "listMLFeatureTables" => vec!["test_feature_table_all_feature_dtypes", "uc01_preprocess"],
        "listMLModelGroups" => vec!["customer_segmentation", "my-model-group"],
        "listMLPrimaryKeys" => vec!["O_CUSTOMER_SK", "dummy_entity_1"],
        "listDatasets" => vec![
            "ml_lineage_database.ml_lineage_schema.uc01_training_data",
            "tpcxai-raw/customer.csv",
            "tpcxai-raw/lineitem.csv",
            "tpcxai-raw/order_returns.csv",
            "tpcxai-raw/orders.csv",
            "tpcxai_sf0001.public.customer",
            "tpcxai_sf0001.public.customer_segments",
            "tpcxai_sf0001.public.lineitem",
            "tpcxai_sf0001.public.order_returns",
            "tpcxai_sf0001.public.orders",
        ],
        other => panic!("no list {other}"),
    }
}

fn list_query(list: &str) -> String {
    format!("query($input: ListInput) {{ {list}(input: $input) {{ start count total entities {{ urn name }} }} }}")
}

/// The raw answer of a list query with `input` (`null` for none).
async fn list_answer(app: &TestApp, list: &str, input: Value) -> Value {
    app.gql_vars(&list_query(list), json!({ "input": input }))
        .await
}

/// One page of a list, which must be answered without errors.
async fn list(app: &TestApp, list: &str, input: Value) -> Value {
    let answer = list_answer(app, list, input).await;
    assert!(
        answer.get("errors").is_none(),
        "unexpected errors: {answer:#}"
    );
    answer["data"][list].clone()
}

/// The names of a page's entities.
fn names(page: &Value) -> Vec<String> {
    page["entities"]
        .as_array()
        .unwrap_or_else(|| panic!("no entities: {page}"))
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect()
}

/// The URNs of a page's entities.
fn urns(page: &Value) -> Vec<String> {
    page["entities"]
        .as_array()
        .unwrap_or_else(|| panic!("no entities: {page}"))
        .iter()
        .map(|e| e["urn"].as_str().expect("urn").to_string())
        .collect()
}

/// The names a list answers for `input`, checking `total` is the number of matches.
async fn matching(app: &TestApp, list_name: &str, input: Value) -> Vec<String> {
    let page = list(app, list_name, input).await;
    let found = names(&page);
    assert_eq!(page["total"], json!(found.len()), "{page}");
    found
}

/// The code of the first error of a list query that must fail; it must answer no data.
async fn list_error(app: &TestApp, list_name: &str, input: Value) -> String {
    let answer = list_answer(app, list_name, input).await;
    assert_eq!(answer["data"], json!(null), "{answer:#}");
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code: {answer:#}"))
        .to_string()
}

fn model_urn(platform: &str, name: &str, env: &str) -> String {
    format!("urn:li:mlModel:(urn:li:dataPlatform:{platform},{name},{env})")
}

/// Creates models by URN, with nothing but a description.
async fn create_models(app: &TestApp, urns: &[String]) {
    for urn in urns {
        let answer = app
            .gql_vars(
                "mutation($urn: String!) { upsertMLModel(input: {urn: $urn, description: \"m\"}) { urn } }",
                json!({ "urn": urn }),
            )
            .await;
        assert_eq!(answer, json!({"data": {"upsertMLModel": {"urn": urn}}}));
    }
}

/// Creates models named `names` on the `sagemaker` platform in PROD.
async fn create_named_models(app: &TestApp, names: &[&str]) {
    let urns: Vec<String> = names
        .iter()
        .map(|n| model_urn("sagemaker", n, "PROD"))
        .collect();
    create_models(app, &urns).await;
}

// ---------------------------------------------------------------------------------------------
// Shape and order

#[tokio::test]
async fn every_list_answers_its_entities_in_name_order() {
    let app = TestApp::with_demo().await;
    for name in LISTS {
        let page = list(&app, name, json!(null)).await;
        let expected = demo_names(name);
        assert_eq!(page["start"], 0, "{name}");
        assert_eq!(page["count"], json!(expected.len()), "{name}");
        assert_eq!(page["total"], json!(expected.len()), "{name}");
        assert_eq!(names(&page), expected, "{name}");
        // An empty input object is the same as none.
        assert_eq!(list(&app, name, json!({})).await, page, "{name}");
    }
}

#[tokio::test]
async fn list_entities_are_whole_entities() {
    let app = TestApp::with_demo().await;
    let data = app
        .data(
            r#"{ listMLModels(input: {query: "v2"}) { total entities { urn type name platform { name }
                 origin properties { version type groups { name } } } } }"#,
        )
        .await;
    assert_eq!(
        data["listMLModels"],
        json!({
            "total": 1,
            "entities": [{
                "urn": "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v2,PROD)",
                "type": "MLMODEL",
                "name": "customer_segmentation_v2",
                "platform": {"name": "snowflake"},
                "origin": "PROD",
                "properties": {"version": "v2", "type": "KMeans", "groups": [{"name": "customer_segmentation"}]},
            }],
        })
    );
}

#[tokio::test]
async fn an_empty_catalog_lists_nothing() {
    let app = TestApp::new().await;
    for name in LISTS {
        assert_eq!(
            list(&app, name, json!(null)).await,
            json!({"start": 0, "count": 0, "total": 0, "entities": []}),
            "{name}"
        );
    }
}

#[tokio::test]
async fn equal_names_are_ordered_by_urn() {
    let app = TestApp::new().await;
    let created = [
        model_urn("bbb", "same", "PROD"),
        model_urn("aaa", "same", "PROD"),
        model_urn("aaa", "same", "DEV"),
        model_urn("zzz", "first", "PROD"),
        model_urn("aaa", "samf", "PROD"),
    ];
    create_models(&app, &created).await;
    let page = list(&app, "listMLModels", json!(null)).await;
    assert_eq!(
        urns(&page),
        [
            model_urn("zzz", "first", "PROD"),
            model_urn("aaa", "same", "DEV"),
            model_urn("aaa", "same", "PROD"),
            model_urn("bbb", "same", "PROD"),
            model_urn("aaa", "samf", "PROD"),
        ]
    );
    // The order is stable: asking again answers the same.
    assert_eq!(list(&app, "listMLModels", json!(null)).await, page);
}

// ---------------------------------------------------------------------------------------------
// Pagination

#[tokio::test]
async fn pages_walk_every_entity_once() {
    let app = TestApp::with_demo().await;
    for name in LISTS {
        let all = demo_names(name);
        for size in [1usize, 3] {
            let mut walked = Vec::new();
            let mut start = 0;
            while start < all.len() + size {
                let page = list(&app, name, json!({"start": start, "count": size})).await;
                let expected = all.len().saturating_sub(start).min(size);
                assert_eq!(page["start"], json!(start), "{name}");
                assert_eq!(page["count"], json!(expected), "{name} from {start}");
                assert_eq!(page["total"], json!(all.len()), "{name} from {start}");
                walked.extend(names(&page));
                start += size;
            }
            assert_eq!(walked, all, "{name} in pages of {size}");
        }
    }
}

#[tokio::test]
async fn a_page_of_zero_counts_the_total() {
    let app = TestApp::with_demo().await;
    assert_eq!(
        list(&app, "listMLFeatures", json!({"count": 0})).await,
        json!({"start": 0, "count": 0, "total": 16, "entities": []})
    );
    assert_eq!(
        list(&app, "listMLFeatures", json!({"start": 100, "count": 5})).await,
        json!({"start": 100, "count": 0, "total": 16, "entities": []})
    );
}

#[tokio::test]
async fn the_default_page_size_is_20() {
    let app = TestApp::new().await;
    let expected: Vec<String> = (0..25).map(|i| format!("model_{i:02}")).collect();
    let refs: Vec<&str> = expected.iter().map(String::as_str).collect();
    create_named_models(&app, &refs).await;

    let first = list(&app, "listMLModels", json!(null)).await;
    assert_eq!(first["count"], 20);
    assert_eq!(first["total"], 25);
    assert_eq!(names(&first), expected[..20]);
    let rest = list(&app, "listMLModels", json!({"start": 20})).await;
    assert_eq!(rest["start"], 20);
    assert_eq!(rest["count"], 5);
    assert_eq!(names(&rest), expected[20..]);
}

// ---------------------------------------------------------------------------------------------
// Filters

#[tokio::test]
async fn platform_filters_by_name_or_urn() {
    let app = TestApp::with_demo().await;
    let segmentation = ["customer_segmentation_v1", "customer_segmentation_v2"];
    assert_eq!(
        matching(&app, "listMLModels", json!({"platform": "snowflake"})).await,
        segmentation
    );
    assert_eq!(
        matching(
            &app,
            "listMLModels",
            json!({"platform": "urn:li:dataPlatform:snowflake"})
        )
        .await,
        segmentation
    );
    assert_eq!(
        matching(
            &app,
            "listMLModels",
            json!({"platform": "urn:li:dataPlatform:science"})
        )
        .await,
        ["scienceModel"]
    );
    assert_eq!(
        matching(&app, "listMLFeatureTables", json!({"platform": "feast"})).await,
        ["test_feature_table_all_feature_dtypes"]
    );
    assert_eq!(
        matching(&app, "listMLModelGroups", json!({"platform": "science"})).await,
        ["my-model-group"]
    );
    assert_eq!(
        matching(&app, "listDatasets", json!({"platform": "snowflake"})).await,
        [
            "ml_lineage_database.ml_lineage_schema.uc01_training_data",
            "tpcxai_sf0001.public.customer",
            "tpcxai_sf0001.public.customer_segments",
            "tpcxai_sf0001.public.lineitem",
            "tpcxai_sf0001.public.order_returns",
            "tpcxai_sf0001.public.orders",
        ]
    );
    assert_eq!(
        matching(&app, "listDatasets", json!({"platform": "s3"})).await,
        [
            "tpcxai-raw/customer.csv",
            "tpcxai-raw/lineitem.csv",
            "tpcxai-raw/order_returns.csv",
            "tpcxai-raw/orders.csv",
        ]
    );
    for name in LISTS {
        assert_eq!(
            matching(
                &app,
                name,
                json!({"platform": "urn:li:dataPlatform:nowhere"})
            )
            .await,
            Vec::<String>::new(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn origin_filters_by_environment() {
    let app = TestApp::new().await;
    create_models(
        &app,
        &[
            model_urn("sagemaker", "a", "PROD"),
            model_urn("sagemaker", "b", "DEV"),
            model_urn("sagemaker", "c", "DEV"),
            model_urn("sagemaker", "d", "NON_PROD"),
        ],
    )
    .await;
    assert_eq!(
        matching(&app, "listMLModels", json!({"origin": "DEV"})).await,
        ["b", "c"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"origin": "PROD"})).await,
        ["a"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"origin": "NON_PROD"})).await,
        ["d"]
    );
    assert!(matching(&app, "listMLModels", json!({"origin": "QA"}))
        .await
        .is_empty());

    let dataset = "mutation($urn: String!) { upsertDataset(input: {urn: $urn}) { urn } }";
    for urn in [
        "urn:li:dataset:(urn:li:dataPlatform:hive,t1,PROD)",
        "urn:li:dataset:(urn:li:dataPlatform:hive,t2,DEV)",
    ] {
        let answer = app.gql_vars(dataset, json!({ "urn": urn })).await;
        assert!(answer.get("errors").is_none(), "{answer:#}");
    }
    assert_eq!(
        matching(&app, "listDatasets", json!({"origin": "DEV"})).await,
        ["t2"]
    );
}

#[tokio::test]
async fn query_matches_a_name_substring_ignoring_case() {
    let app = TestApp::with_demo().await;
    assert_eq!(
        matching(&app, "listMLFeatures", json!({"query": "bool"})).await,
        ["test_BOOL_LIST_feature", "test_BOOL_feature"]
    );
    assert_eq!(
        matching(&app, "listMLFeatures", json!({"query": "Ratio"})).await,
        ["RETURN_RATIO"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "SEGMENTATION"})).await,
        ["customer_segmentation_v1", "customer_segmentation_v2"]
    );
    assert_eq!(
        matching(&app, "listDatasets", json!({"query": "ORDER"})).await,
        [
            "tpcxai-raw/order_returns.csv",
            "tpcxai-raw/orders.csv",
            "tpcxai_sf0001.public.order_returns",
            "tpcxai_sf0001.public.orders"
        ]
    );
    assert!(
        matching(&app, "listMLModels", json!({"query": "no such model"}))
            .await
            .is_empty()
    );
    // An empty query filters nothing.
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": ""})).await,
        demo_names("listMLModels")
    );
}

#[tokio::test]
async fn query_treats_like_wildcards_as_text() {
    let app = TestApp::new().await;
    create_named_models(&app, &["a%b", "a_b", "axb", "ab", "a\\b", "100%"]).await;
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "%"})).await,
        ["100%", "a%b"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "_"})).await,
        ["a_b"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "a_b"})).await,
        ["a_b"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "a%"})).await,
        ["a%b"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "\\"})).await,
        ["a\\b"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "ab"})).await,
        ["ab"]
    );
}

#[tokio::test]
async fn query_ignores_case_beyond_ascii() {
    let app = TestApp::new().await;
    create_named_models(&app, &["Über_model", "ÉCOLE", "plain"]).await;
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "über"})).await,
        ["Über_model"]
    );
    assert_eq!(
        matching(&app, "listMLModels", json!({"query": "école"})).await,
        ["ÉCOLE"]
    );
}

#[tokio::test]
async fn filters_combine_and_total_counts_every_match() {
    let app = TestApp::new().await;
    let mut urns = Vec::new();
    for i in 0..7 {
        urns.push(model_urn("sagemaker", &format!("churn_{i}"), "PROD"));
    }
    urns.push(model_urn("sagemaker", "churn_dev", "DEV"));
    urns.push(model_urn("vertex", "churn_other", "PROD"));
    urns.push(model_urn("sagemaker", "fraud", "PROD"));
    create_models(&app, &urns).await;

    let input = json!({"platform": "sagemaker", "origin": "PROD", "query": "CHURN", "start": 2, "count": 3});
    let page = list(&app, "listMLModels", input).await;
    assert_eq!(page["start"], 2);
    assert_eq!(page["count"], 3);
    assert_eq!(page["total"], 7);
    assert_eq!(names(&page), ["churn_2", "churn_3", "churn_4"]);
}

// ---------------------------------------------------------------------------------------------
// Limits

#[tokio::test]
async fn the_page_size_cap_refuses_a_larger_count() {
    let app = TestApp::with_demo().await;
    for name in LISTS {
        assert_eq!(
            list_error(&app, name, json!({"count": 1001})).await,
            "BAD_USER_INPUT",
            "{name}"
        );
        let page = list(&app, name, json!({"count": 1000})).await;
        assert_eq!(names(&page), demo_names(name), "{name}");
    }

    let capped = TestApp::with_limits(Limits {
        max_page_size: 5,
        ..Limits::default()
    })
    .await;
    mlcat::demo::load(&capped.catalog())
        .await
        .expect("load demo");
    for name in LISTS {
        assert_eq!(
            list_error(&capped, name, json!({"count": 6})).await,
            "BAD_USER_INPUT",
            "{name}"
        );
        let page = list(&capped, name, json!({"count": 5})).await;
        let all = demo_names(name);
        assert_eq!(names(&page), all[..all.len().min(5)], "{name}");
        assert_eq!(page["total"], json!(all.len()), "{name}");
    }
}

#[tokio::test]
async fn the_default_page_size_never_exceeds_the_cap() {
    let capped = TestApp::with_limits(Limits {
        max_page_size: 5,
        ..Limits::default()
    })
    .await;
    mlcat::demo::load(&capped.catalog())
        .await
        .expect("load demo");
    // A request that gives no count asks for nothing larger than the cap: it gets a full page.
    let page = list(&capped, "listMLFeatures", json!(null)).await;
    assert_eq!(page["count"], 5);
    assert_eq!(page["total"], 16);
    assert_eq!(names(&page), demo_names("listMLFeatures")[..5]);
}

#[tokio::test]
async fn negative_start_or_count_is_refused() {
    let app = TestApp::with_demo().await;
    for name in LISTS {
        for input in [
            json!({"start": -1}),
            json!({"count": -1}),
            json!({"start": -5, "count": -5}),
        ] {
            assert_eq!(
                list_error(&app, name, input.clone()).await,
                "BAD_USER_INPUT",
                "{name} {input}"
            );
        }
    }
}
