//! Version labels written by many writers at the same moment, as the DataHub SDK writes them
//! (whole `versionProperties`). On SQLite such batches share a transaction (group commit); a
//! label another version holds is refused for its own batch only, and the version index ends
//! as the stored aspects say.

use std::collections::BTreeSet;
use std::sync::Arc;

use mlcat::catalog::history::Version;
use mlcat::catalog::{Actor, AspectWrite, Catalog};
use mlcat::urn::Urn;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::support::TestApp;
use crate::versions::{model, urn, SET};

const CLIENTS: usize = 8;

fn me() -> Actor {
    Actor::named("sdk")
}

fn version(label: &str) -> Value {
    json!({"versionSet": SET, "version": {"versionTag": label}, "sortId": label, "aliases": []})
}

/// A model's properties and its place in the set, in one batch.
fn batch(m: &Urn, label: &str) -> Vec<AspectWrite> {
    vec![
        AspectWrite::upsert(
            m.clone(),
            "mlModelProperties",
            json!({"description": label}),
        ),
        AspectWrite::upsert(m.clone(), "versionProperties", version(label)),
    ]
}

/// `(model, label)` of every version of the set, as the catalog lists them.
async fn listed(catalog: &Catalog) -> BTreeSet<(String, String)> {
    catalog
        .versions(&urn(SET))
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.urn.to_string(), v.label))
        .collect()
}

/// `(model, label)` of every row of the version index.
async fn indexed(app: &TestApp) -> BTreeSet<(String, String)> {
    let sql = "SELECT e.urn, m.label FROM version_member m JOIN entity e ON e.id = m.entity_id";
    app.db
        .query_all(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
            )
        })
        .collect()
}

/// The set's versions are `expected`, as the catalog lists them and in the version index.
async fn versions_are(app: &TestApp, expected: &BTreeSet<(String, String)>) {
    assert_eq!(&listed(&app.catalog()).await, expected);
    assert_eq!(&indexed(app).await, expected);
}

async fn has_properties(catalog: &Catalog, m: &Urn) -> bool {
    catalog
        .aspect_version(m, "mlModelProperties", Version::Latest)
        .await
        .unwrap()
        .is_some()
}

/// In each round eight writers each send a new model with its version at the same moment; the
/// first four ask for the same label. One of those four gets it; the other three are refused
/// with CONFLICT and leave nothing (not even the model's properties written beside the
/// label); the four with labels of their own all land.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn labels_written_at_once_stay_unique_and_a_refused_batch_leaves_nothing() {
    const ROUNDS: usize = 6;
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let start = Arc::new(Barrier::new(CLIENTS));
    let writers: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (catalog, start) = (catalog.clone(), start.clone());
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for round in 0..ROUNDS {
                    let label = match client < CLIENTS / 2 {
                        true => format!("r{round}"),
                        false => format!("r{round}c{client}"),
                    };
                    let m = model(&format!("r{round}c{client}"));
                    start.wait().await;
                    let outcome = catalog.write(&me(), batch(&m, &label)).await;
                    outcomes.push((round, client, m, label, outcome.map_err(|e| e.code())));
                }
                outcomes
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for w in writers {
        outcomes.extend(w.await.unwrap());
    }

    let mut expected = BTreeSet::new();
    for round in 0..ROUNDS {
        let of_round: Vec<_> = outcomes.iter().filter(|o| o.0 == round).collect();
        let shared: Vec<_> = of_round.iter().filter(|o| o.1 < CLIENTS / 2).collect();
        assert_eq!(
            shared.iter().filter(|o| o.4.is_ok()).count(),
            1,
            "round {round}: {:?}",
            shared.iter().map(|o| &o.4).collect::<Vec<_>>()
        );
        for (_, client, m, label, outcome) in of_round {
            match outcome {
                Ok(_) => {
                    expected.insert((m.to_string(), label.clone()));
                    assert!(has_properties(&catalog, m).await, "{m}");
                }
                Err(code) => {
                    assert!(*client < CLIENTS / 2, "{m} had a label of its own: {code}");
                    assert_eq!(*code, "CONFLICT", "{m}");
                    assert!(
                        !has_properties(&catalog, m).await,
                        "{m} was refused but left its properties"
                    );
                }
            }
        }
    }
    assert_eq!(expected.len(), ROUNDS * (CLIENTS / 2 + 1));
    versions_are(&app, &expected).await;
}

/// One batch may hand a label from one version to another: the first moves off it, the second
/// takes it, and the index follows.
#[tokio::test]
async fn one_batch_hands_a_label_from_one_version_to_another() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let (x, y) = (model("x"), model("y"));
    catalog.write(&me(), batch(&x, "1")).await.unwrap();
    let mut writes = vec![AspectWrite::upsert(
        x.clone(),
        "versionProperties",
        version("2"),
    )];
    writes.extend(batch(&y, "1"));
    catalog.write(&me(), writes).await.unwrap();
    let expected: BTreeSet<(String, String)> =
        [(x.to_string(), "2".into()), (y.to_string(), "1".into())]
            .into_iter()
            .collect();
    versions_are(&app, &expected).await;
}

/// In each round one writer moves a version off a label while another gives that label to a
/// new version, at the same moment. The move always lands; the new version gets the label
/// when its batch comes after the move (in the same transaction or not) and is refused with
/// CONFLICT, leaving nothing, when it comes before. Whichever happened, the index and the
/// stored aspects agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_label_moved_off_and_taken_at_once_has_one_holder() {
    const ROUNDS: usize = 10;
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let olds: Vec<Urn> = (0..ROUNDS).map(|r| model(&format!("old{r}"))).collect();
    for (r, old) in olds.iter().enumerate() {
        catalog
            .write(&me(), batch(old, &format!("m{r}")))
            .await
            .unwrap();
    }
    let mut expected = BTreeSet::new();
    for (r, old) in olds.iter().enumerate() {
        let new = model(&format!("new{r}"));
        let start = Arc::new(Barrier::new(2));
        let mover = {
            let (catalog, start, old) = (catalog.clone(), start.clone(), old.clone());
            let moved = AspectWrite::upsert(old, "versionProperties", version(&format!("n{r}")));
            tokio::spawn(async move {
                start.wait().await;
                catalog
                    .write(&me(), vec![moved])
                    .await
                    .map_err(|e| e.code())
            })
        };
        let taker = {
            let (catalog, start, writes) = (
                catalog.clone(),
                start.clone(),
                batch(&new, &format!("m{r}")),
            );
            tokio::spawn(async move {
                start.wait().await;
                catalog.write(&me(), writes).await.map_err(|e| e.code())
            })
        };
        assert!(
            mover.await.unwrap().is_ok(),
            "round {r}: the move was refused"
        );
        expected.insert((old.to_string(), format!("n{r}")));
        match taker.await.unwrap() {
            Ok(_) => {
                expected.insert((new.to_string(), format!("m{r}")));
            }
            Err(code) => {
                assert_eq!(code, "CONFLICT", "round {r}");
                assert!(
                    !has_properties(&catalog, &new).await,
                    "round {r}: refused but written"
                );
            }
        }
    }
    versions_are(&app, &expected).await;
}

/// Two batches sent in one poll of a single-threaded runtime wait together, in the order sent,
/// and on SQLite share one transaction (group commit): the first moves a version off label
/// "1", the second gives "1" to a new version. By the second's turn the label is free, so it
/// lands. On PostgreSQL each batch is its own transaction, and the second lands or is refused
/// with CONFLICT as the two commit; either way the index agrees with the aspects.
#[tokio::test]
async fn a_label_moved_off_earlier_in_a_group_is_free_for_a_later_batch() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let (x, y) = (model("x"), model("y"));
    catalog.write(&me(), batch(&x, "1")).await.unwrap();
    let moved = vec![AspectWrite::upsert(
        x.clone(),
        "versionProperties",
        version("2"),
    )];
    let actor = me();
    let (moved, taken) = tokio::join!(
        catalog.write(&actor, moved),
        catalog.write(&actor, batch(&y, "1"))
    );
    moved.unwrap();
    let mut expected: BTreeSet<(String, String)> = [(x.to_string(), "2".into())].into();
    match (app.db.get_database_backend(), taken) {
        (_, Ok(_)) => {
            expected.insert((y.to_string(), "1".into()));
        }
        (sea_orm::DbBackend::Postgres, Err(e)) => {
            assert_eq!(e.code(), "CONFLICT");
            assert!(!has_properties(&catalog, &y).await);
        }
        (_, Err(e)) => panic!(
            "the label was moved off before, yet: {}",
            e.public_message()
        ),
    }
    versions_are(&app, &expected).await;
}
