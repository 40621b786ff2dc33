//! Versions and aliases through the catalog's API (the one the GraphQL mutations and the MLflow
//! registry call): links in version order with the latest marked, refusals that write nothing,
//! alias moves with compare-and-set and their history, concurrent moves, cheap reads.

use std::collections::HashSet;

use mlcat::catalog::aspects::VersionProperties;
use mlcat::catalog::history::Version;
use mlcat::catalog::{Actor, AspectWrite, Catalog, Error, LinkVersion};
use mlcat::urn::Urn;
use serde_json::json;

use crate::support::TestApp;

pub const SET: &str = "urn:li:versionSet:(churn,mlModel)";
pub const OTHER_SET: &str = "urn:li:versionSet:(fraud,mlModel)";

pub fn urn(s: &str) -> Urn {
    Urn::parse(s).unwrap()
}

pub fn model(name: &str) -> Urn {
    Urn::ml_model("mlflow", name, "PROD").unwrap()
}

fn me() -> Actor {
    Actor::named("ana")
}

/// Models `names`, each with properties.
pub async fn models(catalog: &Catalog, names: &[&str]) -> Vec<Urn> {
    let writes = names
        .iter()
        .map(|n| AspectWrite::upsert(model(n), "mlModelProperties", json!({"name": n})))
        .collect();
    catalog.write(&me(), writes).await.unwrap();
    names.iter().map(|n| model(n)).collect()
}

pub async fn link(catalog: &Catalog, set: &str, entity: &Urn, label: &str) {
    let link = LinkVersion::new(urn(set), entity.clone(), Some(label.into()));
    catalog.link_version(&me(), link).await.unwrap();
}

async fn stored(catalog: &Catalog, entity: &Urn) -> Option<VersionProperties> {
    catalog
        .aspect_version(entity, "versionProperties", Version::Latest)
        .await
        .unwrap()
        .map(|v| serde_json::from_value(v.value).unwrap())
}

fn code(e: Error) -> (&'static str, String) {
    (e.code(), e.public_message())
}

#[tokio::test]
async fn versions_answer_in_version_order_with_the_latest_marked() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let m = models(&catalog, &["v2", "v10", "v1"]).await;
    let set = urn(SET);
    link(&catalog, SET, &m[0], "2").await;
    link(&catalog, SET, &m[1], "10").await;
    // Linked last but sorts first: the latest stays "10".
    let first = catalog
        .link_version(
            &me(),
            LinkVersion::new(set.clone(), m[2].clone(), Some("1".into())),
        )
        .await
        .unwrap();
    assert_eq!((first.label.as_str(), first.is_latest), ("1", false));

    let versions = catalog.versions(&set).await.unwrap();
    let got: Vec<(&str, bool)> = versions
        .iter()
        .map(|v| (v.label.as_str(), v.is_latest))
        .collect();
    assert_eq!(got, [("1", false), ("2", false), ("10", true)]);
    assert_eq!(versions[2].urn, m[1]);
    assert!(versions[0].created.is_some());
    // The stored aspects agree: one isLatest, and the set names it.
    assert_eq!(
        stored(&catalog, &m[0]).await.unwrap().is_latest,
        Some(false)
    );
    assert_eq!(stored(&catalog, &m[1]).await.unwrap().is_latest, Some(true));
    let props = catalog
        .aspect_version(&set, "versionSetProperties", Version::Latest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(props.value["latest"], json!(m[1].to_string()));
    assert_eq!(catalog.set_of(&m[2]).await.unwrap(), Some(set.clone()));
    assert_eq!(catalog.next_label(&set).await.unwrap().label, "11");

    // Linking again with the same label changes nothing.
    let again = catalog
        .link_version(
            &me(),
            LinkVersion::new(set.clone(), m[0].clone(), Some("2".into())),
        )
        .await
        .unwrap();
    assert_eq!(again.label, "2");

    // Automatic numbers continue after the highest, even once it is unlinked.
    catalog.unlink_version(&me(), &set, &m[1]).await.unwrap();
    let got: Vec<(String, bool)> = catalog
        .versions(&set)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.label, v.is_latest))
        .collect();
    assert_eq!(got, [("1".into(), false), ("2".into(), true)]);
    assert_eq!(stored(&catalog, &m[0]).await.unwrap().is_latest, Some(true));
    assert_eq!(stored(&catalog, &m[1]).await, None);
    let [next] = models(&catalog, &["auto"]).await.try_into().unwrap();
    let auto = catalog
        .link_version(&me(), LinkVersion::new(set.clone(), next, None))
        .await
        .unwrap();
    assert_eq!((auto.label.as_str(), auto.is_latest), ("11", true));
}

#[tokio::test]
async fn bad_links_and_moves_are_refused_and_write_nothing() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let m = models(&catalog, &["a", "b", "c"]).await;
    let set = urn(SET);
    link(&catalog, SET, &m[0], "1").await;
    link(&catalog, OTHER_SET, &m[1], "1").await;
    let before = app.row_counts().await;

    let link = |entity: &Urn, set: &Urn, label: &str| {
        LinkVersion::new(set.clone(), entity.clone(), Some(label.to_string()))
    };
    // A label the set has.
    let e = catalog
        .link_version(&me(), link(&m[2], &set, "1"))
        .await
        .unwrap_err();
    let (c, msg) = code(e);
    assert_eq!(c, "CONFLICT");
    assert!(msg.contains("labelled \"1\" already"), "{msg}");
    // An entity of another set.
    let e = catalog
        .link_version(&me(), link(&m[1], &set, "2"))
        .await
        .unwrap_err();
    let (c, msg) = code(e);
    assert_eq!(c, "CONFLICT");
    assert!(msg.contains("unlink it first"), "{msg}");
    // A wrong entity type, and a dataset in a set of models.
    let feature = urn("urn:li:mlFeature:(t,f)");
    let e = catalog
        .link_version(&me(), link(&feature, &set, "2"))
        .await
        .unwrap_err();
    assert_eq!(code(e).0, "BAD_USER_INPUT");
    let dataset = Urn::dataset("hive", "d", "PROD").unwrap();
    let (c, msg) = code(
        catalog
            .link_version(&me(), link(&dataset, &set, "2"))
            .await
            .unwrap_err(),
    );
    assert_eq!(c, "BAD_USER_INPUT");
    assert!(msg.contains("holds mlModel entities"), "{msg}");
    // A malformed set URN, an empty label.
    let (c, msg) = code(
        catalog
            .link_version(&me(), link(&m[2], &urn("urn:li:versionSet:churn"), "2"))
            .await
            .unwrap_err(),
    );
    assert_eq!(c, "BAD_USER_INPUT");
    assert!(
        msg.contains("urn:li:versionSet:(<id>,<entity type>)"),
        "{msg}"
    );
    let e = catalog
        .link_version(&me(), link(&m[2], &set, " "))
        .await
        .unwrap_err();
    assert_eq!(code(e).0, "BAD_USER_INPUT");
    // An alias on a version of another set, and on an entity that is no version.
    let (c, msg) = code(
        catalog
            .move_alias(&me(), &set, "champion", Some(&m[1]), None)
            .await
            .unwrap_err(),
    );
    assert_eq!(c, "BAD_USER_INPUT");
    assert!(
        msg.contains("is a version of urn:li:versionSet:(fraud,mlModel)"),
        "{msg}"
    );
    let e = catalog
        .move_alias(&me(), &set, "champion", Some(&m[2]), None)
        .await
        .unwrap_err();
    assert_eq!(code(e).0, "BAD_USER_INPUT");
    let e = catalog
        .move_alias(&me(), &set, "", Some(&m[0]), None)
        .await
        .unwrap_err();
    assert_eq!(code(e).0, "BAD_USER_INPUT");
    // Unlinking what is not a version of the set.
    let e = catalog
        .unlink_version(&me(), &set, &m[1])
        .await
        .unwrap_err();
    assert_eq!(code(e).0, "NOT_FOUND");
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test]
async fn aliases_move_with_compare_and_set_and_keep_their_history() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let m = models(&catalog, &["one", "two", "three"]).await;
    let set = urn(SET);
    for (i, v) in m.iter().enumerate() {
        link(&catalog, SET, v, &(i + 1).to_string()).await;
    }
    // Only if unheld: it is.
    let first = catalog
        .move_alias(&me(), &set, "champion", Some(&m[0]), Some(None))
        .await
        .unwrap();
    assert_eq!((first.from, first.to.clone()), (None, Some(m[0].clone())));
    // Only if unheld again: refused, nothing moves.
    let e = catalog
        .move_alias(&me(), &set, "champion", Some(&m[1]), Some(None))
        .await
        .unwrap_err();
    let (c, msg) = code(e);
    assert_eq!(c, "CONFLICT");
    assert!(msg.contains(&format!("held by {}", m[0])), "{msg}");
    // From v1 to v2, only if on v1.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = catalog
        .move_alias(
            &me(),
            &set,
            "champion",
            Some(&m[1]),
            Some(Some(m[0].clone())),
        )
        .await
        .unwrap();
    assert!(second.at > first.at);
    // Only if on v1 again: it is on v2 now.
    let e = catalog
        .move_alias(
            &me(),
            &set,
            "champion",
            Some(&m[2]),
            Some(Some(m[0].clone())),
        )
        .await
        .unwrap_err();
    assert_eq!(code(e).0, "CONFLICT");
    catalog
        .move_alias(&me(), &set, "production", Some(&m[1]), None)
        .await
        .unwrap();

    assert_eq!(
        catalog.alias_holder(&set, "champion", None).await.unwrap(),
        Some(m[1].clone())
    );
    // As of the first move: v1.
    assert_eq!(
        catalog
            .alias_holder(&set, "champion", Some(first.at))
            .await
            .unwrap(),
        Some(m[0].clone())
    );
    assert_eq!(
        catalog
            .alias_holder(&set, "champion", Some(first.at - 1))
            .await
            .unwrap(),
        None
    );
    // The versions' own aspects are in step with the set's map.
    let aliases = |p: Option<VersionProperties>| -> Vec<String> {
        p.unwrap()
            .aliases
            .into_iter()
            .filter_map(|t| t.version_tag)
            .collect()
    };
    assert_eq!(aliases(stored(&catalog, &m[0]).await), Vec::<String>::new());
    assert_eq!(
        aliases(stored(&catalog, &m[1]).await),
        ["champion", "production"]
    );
    let v = catalog.versions(&set).await.unwrap();
    assert_eq!(v[1].aliases, ["champion", "production"]);

    // Removing it, then unlinking the holder of another: both are moves in the history.
    catalog
        .move_alias(&me(), &set, "champion", None, None)
        .await
        .unwrap();
    catalog.unlink_version(&me(), &set, &m[1]).await.unwrap();
    let history = catalog.alias_history(&set, "champion").await.unwrap();
    let steps: Vec<(Option<Urn>, Option<Urn>, &str)> = history
        .iter()
        .map(|h| (h.from.clone(), h.to.clone(), h.actor.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (None, Some(m[0].clone()), "ana"),
            (Some(m[0].clone()), Some(m[1].clone()), "ana"),
            (Some(m[1].clone()), None, "ana"),
        ]
    );
    let production = catalog.alias_history(&set, "production").await.unwrap();
    assert_eq!(production.len(), 2);
    assert_eq!(production[1].to, None);
    assert_eq!(catalog.aliases(&set, None).await.unwrap(), vec![]);
}

/// 50 concurrent unconditional moves of one alias, each to a version of its own: exactly one
/// holder after, every move in the history once, each starting where the one before ended.
#[tokio::test]
async fn fifty_concurrent_moves_leave_one_holder_and_every_move_in_order() {
    const MOVES: usize = 50;
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let names: Vec<String> = (0..=MOVES).map(|i| format!("m{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let m = models(&catalog, &names).await;
    let set = urn(SET);
    for (i, v) in m.iter().enumerate() {
        link(&catalog, SET, v, &i.to_string()).await;
    }
    catalog
        .move_alias(&me(), &set, "champion", Some(&m[0]), None)
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for target in &m[1..] {
        let (catalog, set, target) = (catalog.clone(), set.clone(), target.clone());
        tasks.push(tokio::spawn(async move {
            catalog
                .move_alias(
                    &Actor::named("mover"),
                    &set,
                    "champion",
                    Some(&target),
                    None,
                )
                .await
                .map(|_| ())
                .map_err(|e| e.public_message())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let history = catalog.alias_history(&set, "champion").await.unwrap();
    assert_eq!(history.len(), MOVES + 1);
    for pair in history.windows(2) {
        assert_eq!(pair[1].from, pair[0].to, "{history:?}");
        assert!(pair[1].at >= pair[0].at);
    }
    let targets: HashSet<Urn> = history
        .iter()
        .skip(1)
        .filter_map(|h| h.to.clone())
        .collect();
    assert_eq!(targets.len(), MOVES);
    let holder = catalog.alias_holder(&set, "champion", None).await.unwrap();
    assert_eq!(holder, history.last().unwrap().to);
    let holders: Vec<String> = catalog
        .versions(&set)
        .await
        .unwrap()
        .into_iter()
        .filter(|v| !v.aliases.is_empty())
        .map(|v| v.urn.to_string())
        .collect();
    assert_eq!(holders.len(), 1);
    let mut tagged = Vec::new();
    for v in &m {
        let p = stored(&catalog, v).await.unwrap();
        if !p.aliases.is_empty() {
            tagged.push(v.to_string());
        }
    }
    assert_eq!(tagged, holders);
}

/// Concurrent links of one label: one wins, the others are told; automatic numbers are
/// distinct.
#[tokio::test]
async fn concurrent_links_keep_labels_unique() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let names: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let m = models(&catalog, &names).await;
    let set = urn(SET);
    let mut tasks = Vec::new();
    for (i, v) in m.iter().cloned().enumerate() {
        let (catalog, set) = (catalog.clone(), set.clone());
        // Half ask for "7", half for the next number.
        let label = (i % 2 == 0).then(|| "7".to_string());
        tasks.push(tokio::spawn(async move {
            catalog
                .link_version(&Actor::named("l"), LinkVersion::new(set, v, label))
                .await
                .map(|r| r.label)
                .map_err(|e| e.code())
        }));
    }
    let mut sevens = 0;
    let mut labels = HashSet::new();
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(label) => {
                sevens += usize::from(label == "7");
                assert!(labels.insert(label));
            }
            Err(code) => {
                assert_eq!((i % 2, code), (0, "CONFLICT"));
            }
        }
    }
    assert_eq!(sevens, 1);
    let versions = catalog.versions(&set).await.unwrap();
    assert_eq!(versions.len(), labels.len());
    assert_eq!(versions.iter().filter(|v| v.is_latest).count(), 1);
    let latest: Vec<bool> = {
        let mut out = Vec::new();
        for v in &versions {
            out.push(stored(&catalog, &v.urn).await.unwrap().is_latest == Some(true));
        }
        out
    };
    assert_eq!(latest.iter().filter(|l| **l).count(), 1);
    assert!(*latest.last().unwrap());
}

/// A set of 5,000 versions (written as the SDK writes them) with aliases reads in three
/// statements.
#[tokio::test]
async fn a_large_set_reads_in_three_statements() {
    const VERSIONS: usize = 5_000;
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let set = urn(SET);
    for start in (0..VERSIONS).step_by(1000) {
        let writes = (start..start + 1000)
            .map(|i| {
                AspectWrite::upsert(
                    model(&format!("big{i}")),
                    "versionProperties",
                    json!({"versionSet": SET, "version": {"versionTag": i.to_string()},
                           "sortId": format!("{i:020}"), "aliases": []}),
                )
            })
            .collect();
        catalog.write(&me(), writes).await.unwrap();
    }
    for (alias, i) in [("champion", 10), ("production", 4_999), ("shadow", 10)] {
        let to = model(&format!("big{i}"));
        catalog
            .move_alias(&me(), &set, alias, Some(&to), None)
            .await
            .unwrap();
    }
    let before = app.statements();
    let versions = catalog.versions(&set).await.unwrap();
    assert_eq!(app.statements() - before, 3);
    assert_eq!(versions.len(), VERSIONS);
    assert_eq!(versions[10].aliases, ["champion", "shadow"]);
    let last = versions.last().unwrap();
    assert_eq!((last.label.as_str(), last.is_latest), ("4999", true));
    assert_eq!(last.aliases, ["production"]);

    // What the registry asks of one version, of the latest, and of the next link reads the
    // version index, not the set: a handful of statements, as on a set of one version.
    let before = app.statements();
    let latest = catalog.latest_version(&set).await.unwrap().unwrap();
    assert_eq!(app.statements() - before, 3);
    assert_eq!((latest.label.as_str(), latest.is_latest), ("4999", true));
    assert_eq!(latest.aliases, ["production"]);
    let before = app.statements();
    let ten = catalog.version_of(&model("big10")).await.unwrap().unwrap();
    assert_eq!(app.statements() - before, 3);
    assert_eq!((ten.label.as_str(), ten.is_latest), ("10", false));
    assert_eq!(ten.aliases, ["champion", "shadow"]);
    let before = app.statements();
    assert_eq!(catalog.next_label(&set).await.unwrap().label, "5000");
    assert_eq!(app.statements() - before, 1);
    models(&catalog, &["big5000"]).await;
    let before = app.statements();
    let linked = catalog
        .link_version(&me(), LinkVersion::new(set.clone(), model("big5000"), None))
        .await
        .unwrap();
    let link_statements = app.statements() - before;
    assert_eq!((linked.label.as_str(), linked.is_latest), ("5000", true));
    assert!(
        link_statements < 40,
        "a link ran {link_statements} statements"
    );
}

/// A version's own record reads each thing once: the entity's row with its `versionProperties`,
/// the set's row with its aliases, the set's latest version. An entity that is no version, or a
/// soft-deleted version, answers none.
#[tokio::test]
async fn a_version_reads_in_three_statements() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let set = urn(SET);
    let m = models(&catalog, &["one", "two", "loose"]).await;
    link(&catalog, SET, &m[0], "1").await;
    link(&catalog, SET, &m[1], "2").await;
    catalog
        .move_alias(&me(), &set, "champion", Some(&m[0]), None)
        .await
        .unwrap();

    let before = app.statements();
    let one = catalog.version_of(&m[0]).await.unwrap().unwrap();
    assert_eq!(app.statements() - before, 3);
    assert_eq!(
        (one.set.as_str(), one.label.as_str(), one.is_latest),
        (SET, "1", false)
    );
    assert_eq!(one.aliases, ["champion"]);
    let two = catalog.version_of(&m[1]).await.unwrap().unwrap();
    assert_eq!((two.label.as_str(), two.is_latest), ("2", true));
    assert!(two.aliases.is_empty());

    let before = app.statements();
    assert_eq!(catalog.version_of(&m[2]).await.unwrap(), None);
    assert_eq!(app.statements() - before, 1);

    // A soft-deleted version is none, and the latest passes to the version before it.
    catalog
        .write(
            &me(),
            vec![AspectWrite::upsert(
                m[1].clone(),
                "status",
                json!({"removed": true}),
            )],
        )
        .await
        .unwrap();
    let before = app.statements();
    assert_eq!(catalog.version_of(&m[1]).await.unwrap(), None);
    assert_eq!(app.statements() - before, 1);
    assert!(catalog.version_of(&m[0]).await.unwrap().unwrap().is_latest);
}

/// A label another version of the set holds is refused however the version is written: the
/// SDK's `versionProperties` included, with nothing written; an unlinked version's label is
/// free again; automatic numbers continue after the numbers the SDK wrote.
#[tokio::test]
async fn labels_stay_unique_when_the_sdk_writes_versions() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let set = urn(SET);
    let sdk = |name: &str, label: &str| {
        AspectWrite::upsert(
            model(name),
            "versionProperties",
            json!({"versionSet": SET, "version": {"versionTag": label},
                   "sortId": label, "aliases": []}),
        )
    };
    catalog
        .write(&me(), vec![sdk("a", "1"), sdk("b", "7")])
        .await
        .unwrap();
    let refused = catalog
        .write(
            &me(),
            vec![
                AspectWrite::upsert(model("c"), "mlModelProperties", json!({"name": "c"})),
                sdk("c", "7"),
            ],
        )
        .await
        .unwrap_err();
    let (code, message) = code(refused);
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("labelled \"7\" already"), "{message}");
    assert!(catalog
        .entity(&model("c"))
        .await
        .unwrap()
        .is_none_or(|e| !e.exists));
    // Two new versions of one label in one batch: refused too.
    let both = catalog
        .write(&me(), vec![sdk("d", "9"), sdk("e", "9")])
        .await
        .unwrap_err();
    assert_eq!(both.code(), "CONFLICT");
    assert!(stored(&catalog, &model("d")).await.is_none());
    // A version relabelled keeps its row: its old label is free.
    catalog.write(&me(), vec![sdk("b", "8")]).await.unwrap();
    catalog.write(&me(), vec![sdk("c", "7")]).await.unwrap();
    // Unlinked, its label is free again.
    catalog
        .unlink_version(&me(), &set, &model("c"))
        .await
        .unwrap();
    catalog.write(&me(), vec![sdk("f", "7")]).await.unwrap();
    // The next automatic number follows the highest the SDK wrote.
    assert_eq!(catalog.next_label(&set).await.unwrap().label, "9");
    let labels: Vec<String> = catalog
        .versions(&set)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.label)
        .collect();
    assert_eq!(labels, ["1", "7", "8"]);
    let latest = catalog.latest_version(&set).await.unwrap().unwrap();
    assert_eq!(latest.urn, model("b"));
    // GraphQL's latest version is the index's, though the SDK set no `versionSetProperties`.
    let data = app
        .data(&format!(
            r#"{{ versionSet(urn: "{SET}") {{ latestVersion {{ urn }} }} }}"#
        ))
        .await;
    assert_eq!(
        data["versionSet"]["latestVersion"]["urn"],
        model("b").as_str()
    );
}

#[tokio::test]
async fn an_erased_version_leaves_its_set_in_the_same_transaction() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let m = models(&catalog, &["one", "two", "three"]).await;
    let set = urn(SET);
    for (i, v) in m.iter().enumerate() {
        link(&catalog, SET, v, &(i + 1).to_string()).await;
    }
    for (alias, holder) in [("champion", &m[2]), ("challenger", &m[1])] {
        catalog
            .move_alias(&me(), &set, alias, Some(holder), None)
            .await
            .unwrap();
    }
    // The latest version, holding an alias, is erased: the alias goes with it, in the history,
    // and version 2 becomes the latest, in the set and in its own aspect.
    catalog.hard_delete(&me(), &m[2]).await.unwrap();
    let versions = catalog.versions(&set).await.unwrap();
    let seen: Vec<(&str, bool, Vec<String>)> = versions
        .iter()
        .map(|v| (v.label.as_str(), v.is_latest, v.aliases.clone()))
        .collect();
    assert_eq!(
        seen,
        [
            ("1", false, vec![]),
            ("2", true, vec!["challenger".to_string()])
        ]
    );
    assert_eq!(
        catalog.alias_holder(&set, "champion", None).await.unwrap(),
        None
    );
    let history = catalog.alias_history(&set, "champion").await.unwrap();
    let moves: Vec<(Option<Urn>, Option<Urn>)> = history
        .iter()
        .map(|h| (h.from.clone(), h.to.clone()))
        .collect();
    assert_eq!(
        moves,
        [(None, Some(m[2].clone())), (Some(m[2].clone()), None)]
    );
    assert_eq!(stored(&catalog, &m[1]).await.unwrap().is_latest, Some(true));

    // Erasing every version at once leaves the set with no latest and no aliases.
    catalog.hard_delete_many(&me(), &m[..2]).await.unwrap();
    assert!(catalog.versions(&set).await.unwrap().is_empty());
    assert_eq!(
        catalog
            .alias_holder(&set, "challenger", None)
            .await
            .unwrap(),
        None
    );
    // A number is never given twice: the next automatic label is 4.
    assert_eq!(catalog.next_label(&set).await.unwrap().label, "4");
}
