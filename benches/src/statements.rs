//! SQL statements per request of the nested query (100 models × their features × the
//! features' sources), counted in-process through sea-orm's metric callback, the way
//! `tests/api/statements.rs` counts them: idle (one request at a time) and under load
//! (`--concurrency` requests at a time for `--seconds`), for mlcat's router, the baseline (a
//! straightforward async-graphql dataloader implementation) and mlcat's resolvers behind
//! async-graphql's default timer-based DataLoader. The other two must answer exactly what
//! mlcat answers, or the run fails: a comparison of speed is only fair between equal answers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use mlcat::auth::Auth;
use mlcat::config::Limits;
use serde_json::{json, Value};
use tower::ServiceExt;

const NESTED: &str = include_str!("../queries/nested.graphql");

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A generated catalog.
    #[arg(long)]
    database_url: String,
    /// Models in the list.
    #[arg(long, default_value_t = 100)]
    count: usize,
    /// Requests in flight at once under load.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// How long the load lasts, per variant.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
}

pub async fn run(args: Args) -> Result<()> {
    let mut db = mlcat::store::connect(&args.database_url)
        .await
        .with_context(|| format!("opening {}", args.database_url))?;
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    // Microseconds the database spent on the statements, as sea-orm times them.
    let sql_micros = Arc::new(AtomicUsize::new(0));
    let sql_timer = sql_micros.clone();
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        sql_timer.fetch_add(info.elapsed.as_micros() as usize, Ordering::SeqCst);
    });
    let body = json!({"query": NESTED, "variables": {"count": args.count}}).to_string();
    let variants = [
        (
            "mlcat",
            mlcat::app::router(db.clone(), &Limits::default(), Auth::Off),
        ),
        ("baseline", crate::baseline::router(db.clone())),
        ("default-loader", crate::default_loader::router(db.clone())),
    ];
    let mut expected: Option<Value> = None;
    let mut out = serde_json::Map::new();
    for (name, router) in variants {
        // Idle: one request at a time; every one must run the same statements.
        let mut idle = Vec::new();
        let mut shape = (0, 0, 0);
        let (mut idle_ms, mut sql_ms) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            let before = statements.load(Ordering::SeqCst);
            let sql_before = sql_micros.load(Ordering::SeqCst);
            let started = Instant::now();
            let answer = request(&router, &body).await?;
            idle_ms.push(started.elapsed().as_secs_f64() * 1e3);
            sql_ms.push((sql_micros.load(Ordering::SeqCst) - sql_before) as f64 / 1e3);
            idle.push(statements.load(Ordering::SeqCst) - before);
            shape = count_shape(&answer);
            match &expected {
                None => expected = Some(answer),
                Some(e) if *e == answer => {}
                Some(e) => bail!(
                    "{name} answered the nested query differently from mlcat, first at {}",
                    first_difference(e, &answer, "$")
                ),
            }
        }
        // Under load.
        let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
        let before = statements.load(Ordering::SeqCst);
        let mut tasks = Vec::new();
        for _ in 0..args.concurrency {
            let router = router.clone();
            let body = body.clone();
            tasks.push(tokio::spawn(async move {
                let mut done = 0usize;
                while Instant::now() < deadline {
                    request(&router, &body).await?;
                    done += 1;
                }
                anyhow::Ok(done)
            }));
        }
        let mut requests = 0;
        for t in tasks {
            requests += t.await??;
        }
        let loaded = statements.load(Ordering::SeqCst) - before;
        let per_request = loaded as f64 / requests.max(1) as f64;
        eprintln!(
            "{name}: idle {idle:?} statements per request, {idle_ms:.1?} ms each of which {sql_ms:.1?} ms in SQL; under load {per_request:.2} ({requests} requests, {loaded} statements, {} in flight); answer: {} models, {} features, {} sources",
            args.concurrency, shape.0, shape.1, shape.2
        );
        out.insert(
            name.to_string(),
            json!({
                "idle": idle,
                "idle_ms": idle_ms,
                "idle_sql_ms": sql_ms,
                "under_load": per_request,
                "load_requests": requests,
                "load_concurrency": args.concurrency,
                "models": shape.0, "features": shape.1, "sources": shape.2,
            }),
        );
    }
    println!("{}", Value::Object(out));
    Ok(())
}

async fn request(router: &Router, body: &str) -> Result<Value> {
    let response = router
        .clone()
        .oneshot(
            Request::post("/api/graphql")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))?,
        )
        .await?;
    let status = response.status();
    let bytes = response.into_body().collect().await?.to_bytes();
    if status != StatusCode::OK {
        bail!("HTTP {status}: {}", String::from_utf8_lossy(&bytes));
    }
    let answer: Value = serde_json::from_slice(&bytes)?;
    if answer.get("errors").is_some() {
        bail!("GraphQL errors: {answer}");
    }
    Ok(answer)
}

/// Models, features and sources in a nested answer.
fn count_shape(answer: &Value) -> (usize, usize, usize) {
    let empty = Vec::new();
    let models = answer["data"]["listMLModels"]["entities"]
        .as_array()
        .unwrap_or(&empty);
    let mut features = 0;
    let mut sources = 0;
    for m in models {
        for f in m["properties"]["features"].as_array().unwrap_or(&empty) {
            features += 1;
            sources += f["properties"]["sources"].as_array().map_or(0, Vec::len);
        }
    }
    (models.len(), features, sources)
}

/// Where two JSON answers first differ, as a path with the two values there.
fn first_difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if v == w => {}
                    Some(w) => return first_difference(v, w, &format!("{path}.{k}")),
                    None => return format!("{path}.{k}: missing from the second"),
                }
            }
            format!("{path}: equal")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            match x.iter().zip(y).position(|(v, w)| v != w) {
                Some(i) => first_difference(&x[i], &y[i], &format!("{path}[{i}]")),
                None => format!("{path}: equal"),
            }
        }
        _ => format!("{path}: {} against {}", short(a), short(b)),
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
