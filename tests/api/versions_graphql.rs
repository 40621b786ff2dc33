//! Versions and aliases through GraphQL: DataHub's `versionProperties`, `versionSet`,
//! `versionsSearch`, `linkAssetVersion` and `unlinkAssetVersion`; mlcat's `moveVersionAlias`,
//! `VersionSet.aliases(asOf)` and `aliasHistory`, and `MLModelGroup.versions`; the demo's
//! segmentation versions; refusals with their codes that write nothing.

use mlcat::catalog::{Actor, AspectWrite};
use serde_json::{json, Value};

use crate::support::TestApp;
use crate::versions::{models, OTHER_SET, SET};

const SEGMENTATION_SET: &str = "urn:li:versionSet:(customer_segmentation,mlModel)";
const V1: &str = "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v1,PROD)";
const V2: &str = "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v2,PROD)";
const GROUP: &str =
    "urn:li:mlModelGroup:(urn:li:dataPlatform:snowflake,customer_segmentation,PROD)";

const LINK: &str =
    "mutation($input: LinkVersionInput!) { linkAssetVersion(input: $input) { urn } }";
const UNLINK: &str =
    "mutation($input: UnlinkVersionInput!) { unlinkAssetVersion(input: $input) { urn } }";
const MOVE: &str = "mutation($input: MoveVersionAliasInput!) {
    moveVersionAlias(input: $input) { alias from to at actor } }";

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {answer:#}"))
}

fn ok(answer: Value) -> Value {
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"].clone()
}

async fn link(app: &TestApp, set: &str, entity: &str, version: &str) -> Value {
    app.gql_vars(
        LINK,
        json!({"input": {"versionSet": set, "linkedEntity": entity, "version": version,
                         "comment": format!("version {version}")}}),
    )
    .await
}

#[tokio::test]
async fn the_demo_segmentation_models_are_versions_one_and_two() {
    let app = TestApp::with_demo().await;
    let data = app
        .data(&format!(
            r#"{{
            mlModelGroup(urn: "{GROUP}") {{ versions {{ urn versionProperties {{
                version {{ versionTag }} isLatest aliases {{ versionTag }} sortId
                versionSet {{ urn latestVersion {{ urn }} }} }} }} }}
            versionSet(urn: "{SEGMENTATION_SET}") {{ aliases {{ alias versionUrn version {{ urn }} }} }}
        }}"#
        ))
        .await;
    let versions = &data["mlModelGroup"]["versions"];
    assert_eq!(versions[0]["urn"], V1);
    assert_eq!(versions[1]["urn"], V2);
    let props = |i: usize| versions[i]["versionProperties"].clone();
    assert_eq!(props(0)["version"], json!({"versionTag": "1"}));
    assert_eq!(props(0)["isLatest"], false);
    assert_eq!(props(0)["aliases"], json!([]));
    assert_eq!(props(1)["isLatest"], true);
    assert_eq!(props(1)["aliases"], json!([{"versionTag": "champion"}]));
    assert_eq!(props(1)["versionSet"]["latestVersion"]["urn"], V2);
    assert_eq!(
        data["versionSet"]["aliases"],
        json!([{"alias": "champion", "versionUrn": V2, "version": {"urn": V2}}])
    );
    // Loading the demo again leaves the versions and the alias as they are.
    ok(app
        .gql_vars(
            MOVE,
            json!({"input": {"versionSet": SEGMENTATION_SET, "alias": "champion", "version": V1}}),
        )
        .await);
    mlcat::demo::load(&app.catalog()).await.unwrap();
    let data = app
        .data(&format!(
            r#"{{ versionSet(urn: "{SEGMENTATION_SET}") {{ aliases {{ alias versionUrn }} }} }}"#
        ))
        .await;
    assert_eq!(
        data["versionSet"]["aliases"],
        json!([{"alias": "champion", "versionUrn": V1}])
    );
}

#[tokio::test]
async fn link_search_move_and_unlink_through_graphql() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let m = models(&catalog, &["g1", "g2", "g10"]).await;
    for (entity, label) in [(&m[0], "1"), (&m[1], "2"), (&m[2], "10")] {
        let data = ok(link(&app, SET, entity.as_str(), label).await);
        assert_eq!(data["linkAssetVersion"]["urn"], SET);
    }
    // Newest first by default; `query` filters labels; paged.
    let search = |input: &'static str| {
        let app = &app;
        async move {
            let data = app
                .data(&format!(
                    r#"{{ versionSet(urn: "{SET}") {{ versionsSearch(input: {input}) {{
                        start count total searchResults {{ entity {{ urn }} }} }} }} }}"#
                ))
                .await;
            let page = data["versionSet"]["versionsSearch"].clone();
            let urns: Vec<String> = page["searchResults"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["entity"]["urn"].as_str().unwrap().to_string())
                .collect();
            (page["total"].clone(), urns)
        }
    };
    let all = |ids: &[usize]| -> Vec<String> { ids.iter().map(|&i| m[i].to_string()).collect() };
    assert_eq!(search(r#"{query: "*"}"#).await, (json!(3), all(&[2, 1, 0])));
    assert_eq!(
        search(r#"{query: "*", start: 1, count: 1}"#).await,
        (json!(3), all(&[1]))
    );
    assert_eq!(search(r#"{query: "1"}"#).await, (json!(2), all(&[2, 0])));
    assert_eq!(
        search(
            r#"{query: "", sortInput: {sortCriteria: [{field: "sortId", sortOrder: ASCENDING}]}}"#
        )
        .await,
        (json!(3), all(&[0, 1, 2]))
    );
    // Filters as any search takes them, among the set's versions: version 2 is tagged.
    let tags = json!({"tags": [{"tag": "urn:li:tag:shadow"}]});
    let write = AspectWrite::upsert(m[1].clone(), "globalTags", tags);
    catalog
        .write(&Actor::named("t"), vec![write])
        .await
        .unwrap();
    assert_eq!(
        search(
            r#"{query: "*", orFilters: [{and: [{field: "tags", values: ["urn:li:tag:shadow"]}]}]}"#
        )
        .await,
        (json!(1), all(&[1]))
    );
    assert_eq!(
        search(r#"{query: "*", orFilters: [{and: [{field: "tags", values: ["urn:li:tag:shadow"], negated: true}]}]}"#)
            .await,
        (json!(2), all(&[2, 0]))
    );
    assert_eq!(
        search(r#"{query: "*", types: [DATASET]}"#).await,
        (json!(0), all(&[]))
    );

    // Moves, with compare-and-set.
    let moved = ok(app
        .gql_vars(
            MOVE,
            json!({"input": {"versionSet": SET, "alias": "prod", "version": m[0].as_str(),
                             "expectUnheld": true}}),
        )
        .await);
    assert_eq!(moved["moveVersionAlias"]["from"], Value::Null);
    assert_eq!(moved["moveVersionAlias"]["actor"], "anonymous");
    let first_at = moved["moveVersionAlias"]["at"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let moved = ok(app
        .gql_vars(
            MOVE,
            json!({"input": {"versionSet": SET, "alias": "prod", "version": m[2].as_str(),
                             "expectedVersion": m[0].as_str()}}),
        )
        .await);
    assert_eq!(moved["moveVersionAlias"]["from"], m[0].as_str());
    let before = app.row_counts().await;
    let refused = app
        .gql_vars(
            MOVE,
            json!({"input": {"versionSet": SET, "alias": "prod", "version": m[1].as_str(),
                             "expectedVersion": m[0].as_str()}}),
        )
        .await;
    assert_eq!(code(&refused), "CONFLICT");
    assert_eq!(app.row_counts().await, before);

    let data = app
        .data(&format!(
            r#"{{ versionSet(urn: "{SET}") {{
                now: aliases {{ alias versionUrn }}
                then: aliases(asOf: {first_at}) {{ alias versionUrn }}
                before: aliases(asOf: {}) {{ alias }}
                aliasHistory(alias: "prod") {{ from to actor }} }}
              mlModel(urn: "{}") {{ versionProperties {{ aliases {{ versionTag }} isLatest }} }} }}"#,
            first_at - 1,
            m[2]
        ))
        .await;
    let set = &data["versionSet"];
    assert_eq!(
        set["now"],
        json!([{"alias": "prod", "versionUrn": m[2].as_str()}])
    );
    assert_eq!(
        set["then"],
        json!([{"alias": "prod", "versionUrn": m[0].as_str()}])
    );
    assert_eq!(set["before"], json!([]));
    assert_eq!(
        set["aliasHistory"],
        json!([
            {"from": null, "to": m[0].as_str(), "actor": "anonymous"},
            {"from": m[0].as_str(), "to": m[2].as_str(), "actor": "anonymous"},
        ])
    );
    assert_eq!(
        data["mlModel"]["versionProperties"],
        json!({"aliases": [{"versionTag": "prod"}], "isLatest": true})
    );

    // Unlinking the latest: "2" is latest now, and the alias it held is gone.
    let data = ok(app
        .gql_vars(
            UNLINK,
            json!({"input": {"versionSet": SET, "unlinkedEntity": m[2].as_str()}}),
        )
        .await);
    assert_eq!(data["unlinkAssetVersion"]["urn"], SET);
    let data = app
        .data(&format!(
            r#"{{ versionSet(urn: "{SET}") {{ latestVersion {{ urn }} aliases {{ alias }} }}
                  mlModel(urn: "{}") {{ versionProperties {{ isLatest }} }} }}"#,
            m[2]
        ))
        .await;
    assert_eq!(data["versionSet"]["latestVersion"]["urn"], m[1].as_str());
    assert_eq!(data["versionSet"]["aliases"], json!([]));
    assert_eq!(data["mlModel"]["versionProperties"], Value::Null);
}

#[tokio::test]
async fn bad_input_answers_its_code_and_writes_nothing() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let m = models(&catalog, &["x1", "x2", "x3"]).await;
    ok(link(&app, SET, m[0].as_str(), "1").await);
    ok(link(&app, OTHER_SET, m[1].as_str(), "1").await);
    let before = app.row_counts().await;
    let dataset = "urn:li:dataset:(urn:li:dataPlatform:hive,d,PROD)";
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            LINK,
            json!({"versionSet": SET, "linkedEntity": m[2].as_str(), "version": "1"}),
            "CONFLICT",
            "labelled \"1\" already",
        ),
        (
            LINK,
            json!({"versionSet": SET, "linkedEntity": m[1].as_str(), "version": "2"}),
            "CONFLICT",
            "unlink it first",
        ),
        (
            LINK,
            json!({"versionSet": SET, "linkedEntity": dataset, "version": "2"}),
            "BAD_USER_INPUT",
            "holds mlModel entities",
        ),
        (
            LINK,
            json!({"versionSet": SET, "linkedEntity": "urn:li:tag:x", "version": "2"}),
            "BAD_USER_INPUT",
            "linkedEntity",
        ),
        (
            LINK,
            json!({"versionSet": "urn:li:versionSet:churn", "linkedEntity": m[2].as_str(), "version": "2"}),
            "BAD_USER_INPUT",
            "urn:li:versionSet:(<id>,<entity type>)",
        ),
        (
            LINK,
            json!({"versionSet": "not a urn", "linkedEntity": m[2].as_str(), "version": "2"}),
            "BAD_USER_INPUT",
            "input.versionSet",
        ),
        (
            LINK,
            json!({"versionSet": SET, "linkedEntity": m[2].as_str(), "version": ""}),
            "BAD_USER_INPUT",
            "version: must not be empty",
        ),
        (
            UNLINK,
            json!({"versionSet": SET, "unlinkedEntity": m[1].as_str()}),
            "NOT_FOUND",
            "is not a version of",
        ),
        (
            UNLINK,
            json!({"versionSet": SET}),
            "BAD_USER_INPUT",
            "unlinkedEntity is required",
        ),
        (
            MOVE,
            json!({"versionSet": SET, "alias": "champion", "version": m[1].as_str()}),
            "BAD_USER_INPUT",
            "is a version of urn:li:versionSet:(fraud,mlModel)",
        ),
        (
            MOVE,
            json!({"versionSet": SET, "alias": "champion", "version": m[2].as_str()}),
            "BAD_USER_INPUT",
            "link it first",
        ),
        (
            MOVE,
            json!({"versionSet": SET, "alias": "champion", "version": m[0].as_str(),
                      "expectedVersion": m[0].as_str()}),
            "CONFLICT",
            "held by no version",
        ),
        (
            MOVE,
            json!({"versionSet": SET, "alias": "champion", "version": m[0].as_str(),
                      "expectedVersion": m[0].as_str(), "expectUnheld": true}),
            "BAD_USER_INPUT",
            "one or the other",
        ),
        (
            MOVE,
            json!({"versionSet": SET, "alias": " champion", "version": m[0].as_str()}),
            "BAD_USER_INPUT",
            "white space",
        ),
    ];
    for (mutation, input, expected, message) in cases {
        let answer = app.gql_vars(mutation, json!({"input": input})).await;
        assert_eq!(code(&answer), expected, "{input}: {answer:#}");
        let text = answer["errors"][0]["message"].as_str().unwrap();
        assert!(text.contains(message), "{input}: {text}");
    }
    assert_eq!(app.row_counts().await, before);
    // A URN that is not a version set's, and one the catalog does not hold.
    let answer = app
        .gql(r#"{ versionSet(urn: "urn:li:tag:x") { urn } }"#)
        .await;
    assert_eq!(code(&answer), "BAD_USER_INPUT");
    let data = app
        .data(r#"{ versionSet(urn: "urn:li:versionSet:(nope,mlModel)") { urn } }"#)
        .await;
    assert_eq!(data["versionSet"], Value::Null);
}

/// The aliases of a list of versions load in batches: the statements of the request do not
/// grow with the number of versions.
#[tokio::test]
async fn version_properties_of_a_list_load_in_batches() {
    const LIST: &str = "{ listMLModels(input: {count: 100}) { entities { urn ... on MLModel {
        versionProperties { version { versionTag } aliases { versionTag } isLatest
                            versionSet { urn } } } } } }";
    async fn statements(count: usize) -> usize {
        let app = TestApp::new().await;
        let catalog = app.catalog();
        let names: Vec<String> = (0..count).map(|i| format!("n{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let m = models(&catalog, &names).await;
        for (i, v) in m.iter().enumerate() {
            let set = if i % 2 == 0 { SET } else { OTHER_SET };
            ok(link(&app, set, v.as_str(), &i.to_string()).await);
        }
        for set in [SET, OTHER_SET] {
            let first = if set == SET { &m[0] } else { &m[1] };
            ok(app
                .gql_vars(
                    MOVE,
                    json!({"input": {"versionSet": set, "alias": "champion", "version": first.as_str()}}),
                )
                .await);
        }
        let before = app.statements();
        let data = app.data(LIST).await;
        assert_eq!(
            data["listMLModels"]["entities"].as_array().unwrap().len(),
            count
        );
        app.statements() - before
    }
    assert_eq!(statements(4).await, statements(16).await);
}

/// `isLatest` follows the version index however the versions were written: versions the SDK
/// wrote each with `isLatest: true` (as a script copying DataHub's examples does) leave one
/// latest, the one that sorts last; a soft-deleted latest hands it to the version before.
#[tokio::test]
async fn is_latest_marks_one_version_when_the_sdk_writes_them() {
    let app = TestApp::new().await;
    let catalog = app.catalog();
    let m = models(&catalog, &["s1", "s2", "s3"]).await;
    for (i, v) in m.iter().enumerate() {
        let label = (i + 1).to_string();
        let mut props = json!({"versionSet": SET, "version": {"versionTag": label},
                               "sortId": label, "aliases": []});
        if i < 2 {
            props["isLatest"] = json!(true);
        }
        catalog
            .write(
                &Actor::named("sdk"),
                vec![AspectWrite::upsert(v.clone(), "versionProperties", props)],
            )
            .await
            .unwrap();
    }
    let latest = |data: &Value| -> Vec<bool> {
        (0..3)
            .map(|i| {
                data[format!("m{i}")]["versionProperties"]["isLatest"]
                    .as_bool()
                    .unwrap()
            })
            .collect()
    };
    let query = format!(
        "{{ {} }}",
        m.iter()
            .enumerate()
            .map(|(i, u)| format!(
                "m{i}: mlModel(urn: \"{u}\") {{ versionProperties {{ isLatest }} }}"
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert_eq!(latest(&app.data(&query).await), [false, false, true]);
    catalog
        .write(
            &Actor::named("sdk"),
            vec![AspectWrite::upsert(
                m[2].clone(),
                "status",
                json!({"removed": true}),
            )],
        )
        .await
        .unwrap();
    assert_eq!(latest(&app.data(&query).await), [false, true, false]);
}

/// Aliases the SDK lists in `versionProperties` keep one holder: the first SDK write with an
/// alias makes the set's map (filled from what earlier versions listed), a later version listing
/// the alias takes it from the holder (whose own aspect loses it), each move is in the history,
/// and `moveVersionAlias` goes on from there.
#[tokio::test]
async fn aliases_the_sdk_lists_keep_one_holder() {
    use crate::datahub::{proposal, single, INGEST};
    let app = TestApp::new().await;
    let m = models(&app.catalog(), &["a1", "a2", "a3"]).await;
    let write = |i: usize, aliases: &[&str]| {
        let label = (i + 1).to_string();
        let tags: Vec<Value> = aliases.iter().map(|a| json!({"versionTag": a})).collect();
        single(proposal(
            "mlModel",
            m[i].as_str(),
            "versionProperties",
            json!({"versionSet": SET, "version": {"versionTag": label}, "sortId": label,
                   "aliases": tags}),
        ))
    };
    let query = format!(
            "{{ versionSet(urn: \"{SET}\") {{ aliases {{ alias versionUrn }} }} {} }}",
            m.iter()
                .enumerate()
                .map(|(i, u)| format!(
                    "m{i}: mlModel(urn: \"{u}\") {{ versionProperties {{ aliases {{ versionTag }} }} }}"
                ))
                .collect::<Vec<_>>()
                .join(" ")
        );
    type Held = (Vec<(String, String)>, Vec<Vec<String>>);
    /// The set's alias map, and the aliases each version answers.
    async fn held(app: &TestApp, q: &str) -> Held {
        let data = app.data(q).await;
        let map = data["versionSet"]["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["alias"].as_str().unwrap().to_string(),
                    a["versionUrn"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let per = (0..3)
            .map(|i| {
                data[format!("m{i}")]["versionProperties"]["aliases"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|t| t["versionTag"].as_str().unwrap().to_string())
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        (map, per)
    }
    // Before any map: what the versions list, one holder each.
    for (i, aliases) in [(0, &["champion"][..]), (1, &["staging"][..])] {
        let (status, body) = app.post_json(INGEST, write(i, aliases)).await;
        assert_eq!(status, 200, "{body}");
    }
    let (map, per) = held(&app, &query).await;
    assert_eq!(
        map,
        [
            ("champion".to_string(), m[0].to_string()),
            ("staging".to_string(), m[1].to_string())
        ]
    );
    assert_eq!(per, [vec!["champion"], vec!["staging"], vec![]]);
    // A third version takes champion; the first loses it, in the map and in its aspect.
    let (status, body) = app.post_json(INGEST, write(2, &["champion"])).await;
    assert_eq!(status, 200, "{body}");
    let (map, per) = held(&app, &query).await;
    assert_eq!(
        map,
        [
            ("champion".to_string(), m[2].to_string()),
            ("staging".to_string(), m[1].to_string())
        ]
    );
    assert_eq!(per, [vec![], vec!["staging"], vec!["champion"]]);
    let stored = app
        .catalog()
        .aspect_version(
            &m[0],
            "versionProperties",
            mlcat::catalog::history::Version::Latest,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.value["aliases"], json!([]));
    // The second version written again without staging: the alias is gone.
    let (status, body) = app.post_json(INGEST, write(1, &[])).await;
    assert_eq!(status, 200, "{body}");
    let (map, _) = held(&app, &query).await;
    assert_eq!(map, [("champion".to_string(), m[2].to_string())]);
    let data = app
        .data(&format!(
            r#"{{ versionSet(urn: "{SET}") {{ aliasHistory(alias: "champion") {{ from to }} }} }}"#
        ))
        .await;
    assert_eq!(
        data["versionSet"]["aliasHistory"],
        json!([{"from": null, "to": m[0].as_str()}, {"from": m[0].as_str(), "to": m[2].as_str()}])
    );
    // A compare-and-set move goes on from the SDK's last word.
    ok(app
        .gql_vars(
            MOVE,
            json!({"input": {"versionSet": SET, "alias": "champion", "version": m[1].as_str(),
                             "expectedVersion": m[2].as_str()}}),
        )
        .await);
    let (map, per) = held(&app, &query).await;
    assert_eq!(map, [("champion".to_string(), m[1].to_string())]);
    assert_eq!(per, [vec![], vec!["champion"], vec![]]);
}
