//! The playground page, its assets and its example operations, all served by mlcat itself; and
//! every example runs against the demo catalog without errors, so the examples never rot.

use axum::http::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

/// Fetches a playground page, checks that every `src`/`href` in it is local, fetches each
/// `/playground/assets/...` it references, and answers the page and the assets' paths.
async fn page_with_local_assets(app: &TestApp, path: &str) -> (String, Vec<String>) {
    let (status, page) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("<title>"), "{path}");
    let mut assets = Vec::new();
    for (attr, quote) in [("src=", '"'), ("href=", '"')] {
        for part in page.split(attr).skip(1) {
            let url: String = part
                .trim_start_matches(quote)
                .chars()
                .take_while(|c| *c != quote)
                .collect();
            assert!(
                !url.starts_with("http:") && !url.starts_with("https:") && !url.starts_with("//"),
                "external asset {url}"
            );
            if url.starts_with("/playground/assets/") {
                let (status, body) = app.get(&url).await;
                assert_eq!(status, StatusCode::OK, "{url}");
                assert!(body.len() > 1000, "{url} is suspiciously small");
                assets.push(url);
            }
        }
    }
    (page, assets)
}

#[tokio::test]
async fn page_and_every_asset_it_references_are_served_locally() {
    let app = TestApp::new().await;
    let (page, assets) = page_with_local_assets(&app, "/playground").await;
    assert!(
        assets.len() >= 4,
        "the page loads GraphiQL, its CSS and React from /playground/assets"
    );
    assert!(page.contains(r#"href="/playground/lineage""#));
    assert_eq!(
        app.get("/playground/assets/nope.js").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn lineage_view_and_its_graph_library_are_served_locally() {
    let app = TestApp::new().await;
    for path in ["/playground/lineage", "/playground/lineage/"] {
        let (page, assets) = page_with_local_assets(&app, path).await;
        assert_eq!(
            assets,
            [
                "/playground/assets/viz-global.js",
                "/playground/assets/dom.js",
                "/playground/assets/search.js",
                "/playground/assets/lineage-graph.js",
                "/playground/assets/lineage.js",
                "/playground/assets/lineage.css",
                "/playground/assets/search.css",
            ]
        );
        // Graphviz as WebAssembly: the wasm is inside the script, nothing else is fetched.
        let (_, viz) = app.get("/playground/assets/viz-global.js").await;
        assert!(viz.len() > 1_000_000, "viz-global.js bundles the wasm");
        // The page talks to mlcat only: no absolute URL anywhere in it, not even in its own
        // scripts and styles.
        let mut own = page.clone();
        for asset in &assets[1..] {
            own.push_str(&String::from_utf8(app.get(asset).await.1).unwrap());
        }
        assert!(
            !own.contains("http://") && !own.contains("https://") && !own.contains("//cdn"),
            "{path} names another host"
        );
        assert!(own.contains("'/api/graphql'"));
        assert!(
            page.contains(r#"href="/playground""#),
            "links back to GraphiQL"
        );
    }
}

#[tokio::test]
async fn live_changes_page_is_served_locally_and_linked_from_the_others() {
    let app = TestApp::new().await;
    for path in ["/playground/changes", "/playground/changes/"] {
        let (page, assets) = page_with_local_assets(&app, path).await;
        assert_eq!(
            assets,
            [
                "/playground/assets/dom.js",
                "/playground/assets/changes.js",
                "/playground/assets/lineage.css",
                "/playground/assets/changes.css",
            ]
        );
        let (_, script) = app.get("/playground/assets/changes.js").await;
        let script = String::from_utf8(script).unwrap();
        // It subscribes over this server's own socket, in the protocol the server speaks.
        assert!(script.contains("'/api/graphql/ws'") && script.contains("'graphql-transport-ws'"));
        assert!(!script.contains("http://") && !script.contains("https://"));
        assert!(page.contains(r#"href="/playground""#));
    }
    for other in ["/playground", "/playground/lineage"] {
        let page = String::from_utf8(app.get(other).await.1).unwrap();
        assert!(page.contains(r#"href="/playground/changes""#), "{other}");
    }
}

#[tokio::test]
async fn root_leads_to_the_playground_and_health_answers() {
    let app = TestApp::new().await;
    let (status, _) = app.get("/").await;
    assert!(status.is_redirection());
    let (status, body) = app.get("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["status"],
        "ok"
    );
}

#[tokio::test]
async fn every_example_runs_on_the_demo_catalog() {
    let app = TestApp::with_demo().await;
    let (status, body) = app.get("/playground/examples").await;
    assert_eq!(status, StatusCode::OK);
    let examples: Vec<Value> = serde_json::from_slice(&body).unwrap();
    // Every file of playground/examples is served (named by its file name past the number).
    let mut files: Vec<String> = std::fs::read_dir("playground/examples")
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().to_string())
        .filter_map(|f| Some(f.strip_suffix(".graphql")?.split_once('-')?.1.to_string()))
        .collect();
    files.sort();
    let mut served: Vec<String> = examples
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    served.sort();
    assert_eq!(served, files);
    assert!(
        examples.iter().any(|e| e["query"]
            .as_str()
            .is_some_and(|q| q.contains("lineageGraph("))),
        "a traversal is among the examples"
    );
    // The column examples answer what their comments promise.
    let leakage = examples
        .iter()
        .find(|e| e["name"] == "label-leakage")
        .unwrap();
    let data = app.data(leakage["query"].as_str().unwrap()).await;
    assert_eq!(data["labelReaches"]["reaches"], false);
    assert_eq!(data["labelReaches"]["truncated"], false);
    assert_eq!(data["returnsReach"]["reaches"], true);
    assert_eq!(
        data["label"]["tags"]["tags"][0]["tag"]["urn"],
        "urn:li:tag:Label"
    );
    for example in examples {
        let query = example["query"].as_str().unwrap();
        assert!(!example["title"].as_str().unwrap().is_empty());
        let answer = app.gql(query).await;
        assert!(
            answer.get("errors").is_none(),
            "{}: {answer:#}",
            example["name"]
        );
        let data = answer["data"].as_object().unwrap();
        assert!(
            data.values().all(|v| !v.is_null()),
            "{} answered null: {answer:#}",
            example["name"]
        );
    }
}
