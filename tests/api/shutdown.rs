//! Graceful shutdown of the real binary: SIGTERM while a large batch is being written lets the
//! batch commit and its client get the answer, and then the process exits 0.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::process::{Http, Server};
use crate::support::fresh_database;

/// Features in the batch: enough that writing it takes a while (over a second in a debug
/// build), so the signal comes while it is being written.
const BATCH: usize = 4000;

fn batch_body() -> String {
    let proposals: Vec<_> = (0..BATCH)
        .map(|i| {
            json!({
                "entityType": "mlFeature",
                "entityUrn": format!("urn:li:mlFeature:(drain,f{i:05})"),
                "changeType": "UPSERT",
                "aspectName": "mlFeatureProperties",
                "aspect": {
                    "value": json!({
                        "description": format!("feature {i}"),
                        "sources": [format!("urn:li:dataset:(urn:li:dataPlatform:hive,drain_{},PROD)", i % 50)],
                    }).to_string(),
                    "contentType": "application/json",
                },
            })
        })
        .collect();
    json!({"proposals": proposals, "async": "false"}).to_string()
}

fn sigterm(server: &Server) {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_batch_lets_it_commit_and_answer_then_exits_0() {
    let (url, _dir) = fresh_database().await;
    let mut server = Server::start(&url).await;
    let body = batch_body();
    let addr = server.addr;
    let sent_at = Instant::now();
    let write = tokio::spawn(async move {
        let answer = Http::new(addr)
            .send(
                "POST",
                "/aspects?action=ingestProposalBatch",
                body.as_bytes(),
            )
            .await;
        (answer, sent_at.elapsed())
    });
    // The request is on its way and being written when the signal comes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !write.is_finished(),
        "the batch was written before the signal"
    );
    let signalled_at = sent_at.elapsed();
    sigterm(&server);

    let (answer, answered_at) = write.await.expect("the client");
    let (status, answer) = answer.expect("the client got an answer");
    assert_eq!(
        (status, String::from_utf8_lossy(&answer).to_string()),
        (200, r#"{"value":"success"}"#.to_string())
    );
    assert!(
        answered_at > signalled_at,
        "the answer came before the signal"
    );

    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "mlcat did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "mlcat exited with {exit}");

    let db = mlcat::store::connect(&url).await.expect("connect");
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM aspect WHERE name = 'mlFeatureProperties'",
        ))
        .await
        .expect("count")
        .expect("a row");
    let stored: i64 = row.try_get_by_index(0).expect("a count");
    assert_eq!(stored as usize, BATCH, "the whole batch committed");
    db.close().await.ok();
}
