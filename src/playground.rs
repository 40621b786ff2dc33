//! Serves the playground: GraphiQL, the lineage view, the live feed of changes and their assets from `playground/`,
//! embedded in the binary so the pages work with no internet access, and the example operations
//! as JSON.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

const INDEX: &str = include_str!("../playground/index.html");
const LINEAGE: &str = include_str!("../playground/lineage.html");
const CHANGES: &str = include_str!("../playground/changes.html");

/// `(file name, content type, bytes)` of the vendored browser code: GraphiQL and React for the
/// GraphiQL page, Graphviz as WebAssembly (`@viz-js/viz`, the wasm inlined) for the lineage view.
/// Their versions are pinned, so browsers may keep them for a day.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/vendor/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../playground/vendor/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/vendor/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/vendor/react-dom.production.min.js"),
    ),
    (
        "viz-global.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/vendor/viz-global.js"),
    ),
    (
        "LICENSES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../playground/vendor/LICENSES.txt"),
    ),
];

/// The playground's own stylesheets and scripts (the lineage view's, the GraphiQL page's, and
/// the search box's and results page's, which both pages load), in the same shape. They change
/// with mlcat, so browsers ask again each time (`no-cache`) rather than run last version's
/// script for a day.
const OWN_ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "dom.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/dom.js"),
    ),
    (
        "lineage.css",
        "text/css; charset=utf-8",
        include_bytes!("../playground/lineage.css"),
    ),
    (
        "lineage-graph.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/lineage-graph.js"),
    ),
    (
        "lineage.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/lineage.js"),
    ),
    (
        "graphiql-page.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/graphiql-page.js"),
    ),
    (
        "search.css",
        "text/css; charset=utf-8",
        include_bytes!("../playground/search.css"),
    ),
    (
        "search.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/search.js"),
    ),
    (
        "changes.css",
        "text/css; charset=utf-8",
        include_bytes!("../playground/changes.css"),
    ),
    (
        "changes.js",
        "application/javascript; charset=utf-8",
        include_bytes!("../playground/changes.js"),
    ),
];

/// `(name, text)` of each example operation; the first line is a `# title` comment.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "tutorial-read-ml-feature",
        include_str!("../playground/examples/01-tutorial-read-ml-feature.graphql"),
    ),
    (
        "tutorial-read-ml-feature-table",
        include_str!("../playground/examples/02-tutorial-read-ml-feature-table.graphql"),
    ),
    (
        "tutorial-read-ml-model",
        include_str!("../playground/examples/03-tutorial-read-ml-model.graphql"),
    ),
    (
        "tutorial-read-ml-model-group",
        include_str!("../playground/examples/04-tutorial-read-ml-model-group.graphql"),
    ),
    (
        "model-features-and-sources",
        include_str!("../playground/examples/05-model-features-and-sources.graphql"),
    ),
    (
        "list-models",
        include_str!("../playground/examples/06-list-models.graphql"),
    ),
    (
        "upsert-model",
        include_str!("../playground/examples/07-upsert-model.graphql"),
    ),
    (
        "feature-table-with-keys",
        include_str!("../playground/examples/08-feature-table-with-keys.graphql"),
    ),
    (
        "lineage-graph",
        include_str!("../playground/examples/09-lineage-graph.graphql"),
    ),
    (
        "aspect-history",
        include_str!("../playground/examples/10-aspect-history.graphql"),
    ),
    (
        "model-governance",
        include_str!("../playground/examples/11-model-governance.graphql"),
    ),
    (
        "domain-glossary-and-tags",
        include_str!("../playground/examples/12-domain-glossary-and-tags.graphql"),
    ),
    (
        "govern-a-model",
        include_str!("../playground/examples/13-govern-a-model.graphql"),
    ),
    (
        "model-versions",
        include_str!("../playground/examples/14-model-versions.graphql"),
    ),
    (
        "move-an-alias",
        include_str!("../playground/examples/15-move-an-alias.graphql"),
    ),
    (
        "training-run",
        include_str!("../playground/examples/16-training-run.graphql"),
    ),
    (
        "column-lineage",
        include_str!("../playground/examples/17-column-lineage.graphql"),
    ),
    (
        "label-leakage",
        include_str!("../playground/examples/18-label-leakage.graphql"),
    ),
];

/// What a playground page may do: run the scripts and styles mlcat serves (GraphiQL and React
/// set styles inline, and Graphviz runs as WebAssembly), talk to this server only, and not be
/// framed by another site (a framed page could be clicked through by a page on top of it).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// A playground page with the headers that keep it from being framed or running scripts from
/// elsewhere. (`X-Content-Type-Options: nosniff` is set on every answer, in `app.rs`.)
fn page(html: &'static str) -> Response {
    (
        [
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(html),
    )
        .into_response()
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/playground", get(|| async { page(INDEX) }))
        .route("/playground/", get(|| async { page(INDEX) }))
        .route("/playground/lineage", get(|| async { page(LINEAGE) }))
        .route("/playground/lineage/", get(|| async { page(LINEAGE) }))
        .route("/playground/changes", get(|| async { page(CHANGES) }))
        .route("/playground/changes/", get(|| async { page(CHANGES) }))
        .route("/playground/examples", get(examples))
        .route("/playground/assets/{file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    let pinned = ASSETS.iter().map(|a| (a, "public, max-age=86400"));
    let own = OWN_ASSETS.iter().map(|a| (a, "no-cache"));
    match pinned.chain(own).find(|((name, _, _), _)| *name == file) {
        Some(((_, content_type, bytes), cache)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, cache),
            ],
            *bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"message": format!("no playground asset {file:?}")})),
        )
            .into_response(),
    }
}

async fn examples() -> Json<Value> {
    Json(Value::Array(
        EXAMPLES
            .iter()
            .map(|(name, text)| {
                let title = text
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix('#'))
                    .map(str::trim)
                    .unwrap_or(name);
                let query: String = text.lines().skip(1).collect::<Vec<_>>().join("\n");
                json!({"name": name, "title": title, "query": query, "variables": null})
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn cache_control(file: &str) -> String {
        let response = asset(Path(file.to_string())).await;
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        response.headers()[header::CACHE_CONTROL]
            .to_str()
            .expect("ASCII")
            .to_string()
    }

    #[tokio::test]
    async fn pinned_assets_are_kept_for_a_day_and_the_lineage_view_is_asked_again() {
        assert_eq!(
            cache_control("graphiql.min.js").await,
            "public, max-age=86400"
        );
        for own in [
            "dom.js",
            "lineage.js",
            "lineage-graph.js",
            "lineage.css",
            "graphiql-page.js",
            "search.js",
            "search.css",
            "changes.js",
            "changes.css",
        ] {
            assert_eq!(cache_control(own).await, "no-cache", "{own}");
        }
    }
}
