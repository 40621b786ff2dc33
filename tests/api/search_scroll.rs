//! The second part of search: `scrollAcrossEntities` (paging that stays whole while others
//! write, scroll ids refused when never issued, altered, for another search or expired),
//! `sortInput`, the time conditions and the `deprecated`, `hasDescription`, `customProperties`
//! and `urn` filters, full text over the names of tags, terms, owners and domains (and after
//! they are renamed), `entities(urns:)`, `entityExists` and `aggregateAcrossEntities`.

use std::collections::HashSet;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::search::{refused, search, urns};
use crate::support::TestApp;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::urn::Urn;

fn urn(s: &str) -> Urn {
    Urn::parse(s).unwrap()
}

fn model(name: &str) -> String {
    format!("urn:li:mlModel:(urn:li:dataPlatform:mlflow,{name},PROD)")
}

async fn write(app: &TestApp, writes: Vec<AspectWrite>) {
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
}

/// Runs SQL on the test's database (to set times a test compares with).
async fn exec(app: &TestApp, sql: &str) {
    app.db
        .execute(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap();
}

const SCROLL: &str = "query($input: ScrollAcrossEntitiesInput!) {
  scrollAcrossEntities(input: $input) {
    nextScrollId count total
    searchResults { entity { urn type } matchedFields { name value } extraProperties { name value } }
    facets { field aggregations { value count } }
  }
}";

/// `scrollAcrossEntities` with `input`, which must succeed.
async fn scroll(app: &TestApp, input: Value) -> Value {
    let answer = app.gql_vars(SCROLL, json!({ "input": input })).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"]["scrollAcrossEntities"].clone()
}

/// The code and message of the error of a scroll with `input`.
async fn scroll_refused(app: &TestApp, input: Value) -> (String, String) {
    let answer = app.gql_vars(SCROLL, json!({ "input": input })).await;
    let e = &answer["errors"][0];
    (
        e["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error: {answer:#}"))
            .to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

fn page_urns(page: &Value) -> Vec<String> {
    page["searchResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["urn"].as_str().unwrap().to_string())
        .collect()
}

/// Every page of a scroll with `input`, following `nextScrollId` to the end.
async fn scroll_all(app: &TestApp, input: Value) -> Vec<String> {
    let mut seen = Vec::new();
    let mut input = input;
    loop {
        let page = scroll(app, input.clone()).await;
        seen.extend(page_urns(&page));
        match page["nextScrollId"].as_str() {
            Some(id) => input["scrollId"] = json!(id),
            None => return seen,
        }
    }
}

/// `n` models `model_000`, ... whose descriptions hold the word `scrollable`.
async fn scrollable(n: usize) -> (TestApp, Vec<String>) {
    let app = TestApp::new().await;
    let all: Vec<String> = (0..n).map(|i| model(&format!("model_{i:03}"))).collect();
    write(
        &app,
        all.iter()
            .map(|u| {
                AspectWrite::upsert(
                    urn(u),
                    "mlModelProperties",
                    json!({"description": "scrollable"}),
                )
            })
            .collect(),
    )
    .await;
    (app, all)
}

#[tokio::test]
async fn scroll_pages_through_every_match_once_by_name() {
    let (app, all) = scrollable(11).await;
    let first = scroll(&app, json!({"query": "scrollable", "count": 4})).await;
    assert_eq!(first["count"], 4);
    assert_eq!(first["total"], 11);
    assert_eq!(page_urns(&first), all[..4].to_vec());
    assert_eq!(first["searchResults"][0]["extraProperties"], json!([]));
    let facet = first["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "_entityType")
        .unwrap();
    assert_eq!(
        facet["aggregations"],
        json!([{"value": "MLMODEL", "count": 11}])
    );
    let seen = scroll_all(&app, json!({"query": "scrollable", "count": 4})).await;
    assert_eq!(seen, all);
    // A page that ends exactly at the last match says there is no next page.
    let whole = scroll(&app, json!({"query": "scrollable", "count": 11})).await;
    assert_eq!(whole["nextScrollId"], Value::Null);
    assert_eq!(page_urns(&whole), all);
    // Descending, and by creation time.
    let down = scroll_all(
        &app,
        json!({"query": "*", "count": 3, "sortInput": {"sortCriteria": [{"field": "name", "sortOrder": "DESCENDING"}]}}),
    )
    .await;
    let mut reversed = all.clone();
    reversed.reverse();
    assert_eq!(down, reversed);
    for (i, u) in all.iter().enumerate() {
        exec(
            &app,
            &format!(
                "UPDATE entity SET created_at = {} WHERE urn = '{u}'",
                1_000 - i as i64
            ),
        )
        .await;
    }
    let by_created = scroll_all(
        &app,
        json!({"query": "*", "count": 5, "sortInput": {"sortCriteria": [{"field": "createdAt", "sortOrder": "ASCENDING"}]}}),
    )
    .await;
    assert_eq!(by_created, reversed);
}

#[tokio::test]
async fn scroll_stays_whole_while_others_write() {
    let (app, all) = scrollable(30).await;
    // Another task writes all along: new matching entities, and edits of the existing ones
    // that change their words, tags and last-modified time.
    let catalog = app.catalog();
    let writer_all = all.clone();
    let writer = tokio::spawn(async move {
        for round in 0..40 {
            let edited = &writer_all[(round * 7) % writer_all.len()];
            let writes = vec![
                AspectWrite::upsert(
                    urn(&model(&format!("aaa_writer_{round:03}"))),
                    "mlModelProperties",
                    json!({"description": "scrollable too"}),
                ),
                AspectWrite::upsert(
                    urn(&model(&format!("zzz_writer_{round:03}"))),
                    "mlModelProperties",
                    json!({"description": "scrollable too"}),
                ),
                AspectWrite::upsert(
                    urn(edited),
                    "mlModelProperties",
                    json!({"description": format!("scrollable, edited in round {round}")}),
                ),
                AspectWrite::upsert(
                    urn(edited),
                    "globalTags",
                    json!({"tags": [{"tag": format!("urn:li:tag:round{round}")}]}),
                ),
            ];
            catalog
                .write(&Actor::named("writer"), writes)
                .await
                .unwrap();
            tokio::task::yield_now().await;
        }
    });
    let mut seen: Vec<String> = Vec::new();
    let mut input = json!({"query": "scrollable", "count": 3});
    let mut page_no = 0;
    loop {
        let page = scroll(&app, input.clone()).await;
        seen.extend(page_urns(&page));
        // Between pages, this test writes too: an entity before the cursor, one after it,
        // and an edit of a pre-existing entity not seen yet.
        let unseen = all.iter().rev().find(|u| !seen.contains(u)).cloned();
        let mut writes = vec![
            AspectWrite::upsert(
                urn(&model(&format!("aab_between_{page_no:03}"))),
                "mlModelProperties",
                json!({"description": "scrollable"}),
            ),
            AspectWrite::upsert(
                urn(&model(&format!("zzy_between_{page_no:03}"))),
                "mlModelProperties",
                json!({"description": "scrollable"}),
            ),
        ];
        if let Some(u) = unseen {
            writes.push(AspectWrite::upsert(
                urn(&u),
                "editableMlModelProperties",
                json!({"description": format!("scrollable, edited between page {page_no}")}),
            ));
        }
        write(&app, writes).await;
        page_no += 1;
        match page["nextScrollId"].as_str() {
            Some(id) => input["scrollId"] = json!(id),
            None => break,
        }
    }
    writer.await.unwrap();
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "an entity came twice: {seen:?}");
    for u in &all {
        assert!(seen.contains(u), "{u} was never seen");
    }
    // Entities written ahead of the cursor were found on later pages.
    assert!(seen.iter().any(|u| u.contains("zzy_between_")), "{seen:?}");
}

#[tokio::test]
async fn scroll_ids_not_issued_for_this_search_or_expired_are_refused() {
    let (app, _) = scrollable(5).await;
    let first = scroll(&app, json!({"query": "scrollable", "count": 2})).await;
    let id = first["nextScrollId"].as_str().unwrap().to_string();
    // The id goes on with its own search, whatever the page size.
    let next = scroll(
        &app,
        json!({"query": "scrollable", "count": 1, "scrollId": id}),
    )
    .await;
    assert_eq!(page_urns(&next), [model("model_002")]);
    let mut altered = id.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
    let altered = String::from_utf8(altered).unwrap();
    for input in [
        json!({"query": "scrollable", "scrollId": "garbage"}),
        json!({"query": "scrollable", "scrollId": "00ff"}),
        json!({"query": "scrollable", "scrollId": altered}),
        json!({"query": "other words", "scrollId": id}),
        json!({"query": "scrollable", "types": ["DATASET"], "scrollId": id}),
        json!({"query": "scrollable", "scrollId": id, "orFilters": [{"and": [{"field": "platform", "values": ["mlflow"]}]}]}),
        json!({"query": "scrollable", "scrollId": id, "searchFlags": {"includeSoftDeleted": true}}),
        json!({"query": "scrollable", "scrollId": id, "sortInput": {"sortCriteria": [{"field": "name", "sortOrder": "DESCENDING"}]}}),
    ] {
        let (code, message) = scroll_refused(&app, input.clone()).await;
        assert_eq!(code, "BAD_USER_INPUT", "{input}");
        assert!(message.contains("scrollId"), "{input}: {message}");
    }
    // A scroll id that has expired: keepAlive 0s expires the moment it is issued.
    let brief = scroll(
        &app,
        json!({"query": "scrollable", "count": 2, "keepAlive": "0s"}),
    )
    .await;
    let expired = brief["nextScrollId"].as_str().unwrap();
    let (code, message) = scroll_refused(
        &app,
        json!({"query": "scrollable", "count": 2, "scrollId": expired}),
    )
    .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(
        message.contains("scrollId") && message.contains("expired"),
        "{message}"
    );
    // Other bad input, each named.
    for (input, names) in [
        (json!({"query": "x", "keepAlive": "forever"}), "keepAlive"),
        (json!({"query": "x", "keepAlive": "2d"}), "keepAlive"),
        (json!({"query": "x", "count": -1}), "count"),
        (
            json!({"query": "x", "viewUrn": "urn:li:dataHubView:v"}),
            "viewUrn",
        ),
        (
            json!({"query": "x", "sortInput": {"sortCriteria": [{"field": "lastModifiedAt", "sortOrder": "ASCENDING"}]}}),
            "lastModifiedAt",
        ),
        (
            json!({"query": "x", "sortInput": {"sortCriteria": [{"field": "colour", "sortOrder": "ASCENDING"}]}}),
            "colour",
        ),
        (
            json!({"query": "x", "orFilters": [{"and": [{"field": "colour", "values": ["red"]}]}]}),
            "colour",
        ),
        (json!({"query": "x".repeat(1 << 20)}), "query"),
    ] {
        let (code, message) = scroll_refused(&app, input.clone()).await;
        assert_eq!(code, "BAD_USER_INPUT", "{names}");
        assert!(message.contains(names), "{names}: {message}");
    }
    // A page over the cap is cut to the cap, not refused (DataHub's clients ask for 5,000).
    let capped = app
        .gql_vars(
            "query($input: ScrollAcrossEntitiesInput!) { scrollAcrossEntities(input: $input) { count total } }",
            json!({"input": {"query": "scrollable", "count": 5000}}),
        )
        .await;
    assert_eq!(
        capped["data"]["scrollAcrossEntities"],
        json!({"count": 5, "total": 5}),
        "{capped:#}"
    );
    // Engine syntax in the words is searched for literally, never passed through: `NEAR` is
    // a word like any other (no entity holds it).
    for (query, total) in [
        ("\"scrollable", 5),
        ("scrollable*", 5),
        ("a:scrollable", 0),
        ("-scrollable", 5),
        ("(scrollable", 5),
        ("NEAR(scrollable)", 0),
    ] {
        let all = scroll(&app, json!({"query": query, "count": 10})).await;
        assert_eq!(all["total"], total, "{query}");
    }
}

/// Three models with set times, names and words: `bravo` (created 100, modified 300),
/// `alpha` (created 200, modified 200), `charlie` (created 300, modified 100).
async fn timed() -> TestApp {
    let app = TestApp::new().await;
    write(
        &app,
        ["bravo", "alpha", "charlie"]
            .iter()
            .map(|n| {
                AspectWrite::upsert(
                    urn(&model(n)),
                    "mlModelProperties",
                    json!({"description": "timed"}),
                )
            })
            .collect(),
    )
    .await;
    for (name, created, modified) in [
        ("bravo", 100, 300),
        ("alpha", 200, 200),
        ("charlie", 300, 100),
    ] {
        exec(
            &app,
            &format!(
                "UPDATE entity SET created_at = {created}, updated_at = {modified} WHERE urn = '{}'",
                model(name)
            ),
        )
        .await;
    }
    app
}

fn sorted(field: &str, order: &str) -> Value {
    json!({"query": "timed", "sortInput": {"sortCriteria": [{"field": field, "sortOrder": order}]}})
}

#[tokio::test]
async fn sort_input_orders_by_name_and_times() {
    let app = timed().await;
    let (a, b, c) = (model("alpha"), model("bravo"), model("charlie"));
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
    assert_eq!(urns(&app, sorted("name", "ASCENDING")).await, [a, b, c]);
    assert_eq!(urns(&app, sorted("name", "DESCENDING")).await, [c, b, a]);
    assert_eq!(
        urns(&app, sorted("lastModifiedAt", "DESCENDING")).await,
        [b, a, c]
    );
    assert_eq!(
        urns(&app, sorted("lastModifiedAt", "ASCENDING")).await,
        [c, a, b]
    );
    assert_eq!(
        urns(&app, sorted("createdAt", "ASCENDING")).await,
        [b, a, c]
    );
    // The deprecated single criterion, and `search` of one type.
    let one = json!({"query": "timed", "sortInput": {"sortCriterion": {"field": "createdAt", "sortOrder": "DESCENDING"}}});
    assert_eq!(urns(&app, one).await, [c, a, b]);
    let typed = app
        .gql_vars(
            "query($i: SearchInput!) { search(input: $i) { searchResults { entity { urn } } } }",
            json!({"i": {"type": "MLMODEL", "query": "timed", "sortInput": {"sortCriteria": [{"field": "name", "sortOrder": "DESCENDING"}]}}}),
        )
        .await;
    let got: Vec<&str> = typed["data"]["search"]["searchResults"]
        .as_array()
        .unwrap_or_else(|| panic!("{typed:#}"))
        .iter()
        .map(|r| r["entity"]["urn"].as_str().unwrap())
        .collect();
    assert_eq!(got, [c, b, a]);
    let (code, message) = refused(&app, sorted("colour", "ASCENDING")).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(
        message.contains("sortInput") && message.contains("colour"),
        "{message}"
    );
}

fn cond(field: &str, condition: &str, values: &[&str]) -> Value {
    json!({"query": "*", "orFilters": [{"and": [{"field": field, "condition": condition, "values": values}]}]})
}

#[tokio::test]
async fn time_conditions_compare_milliseconds() {
    let app = timed().await;
    let (a, b, c) = (model("alpha"), model("bravo"), model("charlie"));
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
    for (field, condition, value, want) in [
        ("lastModifiedAt", "GREATER_THAN", "200", vec![b]),
        (
            "lastModifiedAt",
            "GREATER_THAN_OR_EQUAL_TO",
            "200",
            vec![a, b],
        ),
        ("lastModifiedAt", "LESS_THAN", "200", vec![c]),
        ("lastModifiedAt", "LESS_THAN_OR_EQUAL_TO", "200", vec![a, c]),
        ("lastModifiedAt", "EQUAL", "300", vec![b]),
        ("createdAt", "GREATER_THAN", "100", vec![a, c]),
        ("createdAt", "LESS_THAN", "300", vec![a, b]),
    ] {
        assert_eq!(
            urns(&app, cond(field, condition, &[value])).await,
            want,
            "{field} {condition} {value}"
        );
    }
    // Negated, and within a range (two conditions of one `and`).
    let mut not_after = cond("lastModifiedAt", "GREATER_THAN", &["200"]);
    not_after["orFilters"][0]["and"][0]["negated"] = json!(true);
    assert_eq!(urns(&app, not_after).await, [a, c]);
    let range = json!({"query": "*", "orFilters": [{"and": [
        {"field": "createdAt", "condition": "GREATER_THAN", "values": ["100"]},
        {"field": "createdAt", "condition": "LESS_THAN", "values": ["300"]},
    ]}]});
    assert_eq!(urns(&app, range).await, [a]);
    for (input, names) in [
        (cond("tags", "GREATER_THAN", &["1"]), "GREATER_THAN"),
        (cond("lastModifiedAt", "CONTAIN", &["1"]), "CONTAIN"),
        (
            cond("lastModifiedAt", "GREATER_THAN", &["yesterday"]),
            "lastModifiedAt",
        ),
        (cond("createdAt", "LESS_THAN", &["1", "2"]), "one value"),
        (cond("deprecated", "START_WITH", &["t"]), "START_WITH"),
        (
            cond("hasDescription", "EQUAL", &["maybe"]),
            "hasDescription",
        ),
        (
            cond("platformInstance", "EQUAL", &["x"]),
            "platformInstance",
        ),
        (cond("tags", "IEQUAL", &["x"]), "IEQUAL"),
    ] {
        let (code, message) = refused(&app, input.clone()).await;
        assert_eq!(code, "BAD_USER_INPUT", "{input}");
        assert!(message.contains(names), "{input}: {message}");
    }
}

#[tokio::test]
async fn deprecated_description_custom_property_and_urn_filters() {
    let app = TestApp::new().await;
    let (a, b, c) = (model("alpha"), model("bravo"), model("charlie"));
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
    write(
        &app,
        vec![
            AspectWrite::upsert(
                urn(a),
                "mlModelProperties",
                json!({"description": "has words", "customProperties": {"env": "PROD", "team": "growth"}}),
            ),
            AspectWrite::upsert(
                urn(a),
                "deprecation",
                json!({"deprecated": true, "note": "use bravo", "actor": "urn:li:corpuser:ana"}),
            ),
            AspectWrite::upsert(
                urn(b),
                "mlModelProperties",
                json!({"customProperties": {"env": "DEV"}}),
            ),
            AspectWrite::upsert(urn(b), "deprecation", json!({"deprecated": false, "note": "", "actor": "urn:li:corpuser:ana"})),
            AspectWrite::upsert(urn(c), "mlModelProperties", json!({})),
            AspectWrite::upsert(
                urn(c),
                "editableMlModelProperties",
                json!({"description": "edited words"}),
            ),
        ],
    )
    .await;
    for (input, want) in [
        (cond("deprecated", "EQUAL", &["true"]), vec![a]),
        (cond("deprecated", "EQUAL", &["false"]), vec![b, c]),
        (cond("hasDescription", "EQUAL", &["true"]), vec![a, c]),
        (cond("hasDescription", "EQUAL", &["false"]), vec![b]),
        (cond("customProperties", "EQUAL", &["env=PROD"]), vec![a]),
        (
            cond("customProperties", "IN", &["env=PROD", "env=DEV"]),
            vec![a, b],
        ),
        (cond("customProperties", "START_WITH", &["team="]), vec![a]),
        (cond("urn", "EQUAL", &[c]), vec![c]),
        (cond("urn", "CONTAIN", &["bravo"]), vec![b]),
        (cond("urn", "EXISTS", &[]), vec![a, b, c]),
        (
            cond("platform.keyword", "EQUAL", &["urn:li:dataPlatform:mlflow"]),
            vec![a, b, c],
        ),
    ] {
        assert_eq!(urns(&app, input.clone()).await, want, "{input}");
    }
    // DataHub's clients leave the condition out for customProperties (EQUAL).
    let plain = json!({"query": "*", "orFilters": [{"and": [{"field": "customProperties", "values": ["env=DEV"]}]}]});
    assert_eq!(urns(&app, plain).await, [b]);
    // Undeprecating updates the index in the same write.
    write(
        &app,
        vec![AspectWrite::upsert(
            urn(a),
            "deprecation",
            json!({"deprecated": false, "note": "", "actor": "urn:li:corpuser:ana"}),
        )],
    )
    .await;
    assert!(urns(&app, cond("deprecated", "EQUAL", &["true"]))
        .await
        .is_empty());
}

#[tokio::test]
async fn governance_names_are_searchable_and_follow_renames() {
    let app = TestApp::new().await;
    let (a, b) = (model("alpha"), model("bravo"));
    let (a, b) = (a.as_str(), b.as_str());
    write(
        &app,
        vec![
            AspectWrite::upsert(urn("urn:li:tag:t1"), "tagProperties", json!({"name": "Quarterly Finance"})),
            AspectWrite::upsert(urn("urn:li:glossaryTerm:g1"), "glossaryTermInfo", json!({"name": "Lifetime Value", "definition": "", "termSource": "INTERNAL"})),
            AspectWrite::upsert(urn("urn:li:domain:d1"), "domainProperties", json!({"name": "Growth Marketing"})),
            AspectWrite::upsert(urn("urn:li:corpuser:u1"), "corpUserInfo", json!({"active": true, "displayName": "Ingrid Bergstrom"})),
            AspectWrite::upsert(urn(a), "mlModelProperties", json!({})),
            AspectWrite::upsert(urn(a), "globalTags", json!({"tags": [{"tag": "urn:li:tag:t1"}]})),
            AspectWrite::upsert(urn(a), "glossaryTerms", json!({"terms": [{"urn": "urn:li:glossaryTerm:g1"}], "auditStamp": {"time": 0, "actor": "urn:li:corpuser:x"}})),
            AspectWrite::upsert(urn(b), "mlModelProperties", json!({})),
            AspectWrite::upsert(urn(b), "domains", json!({"domains": ["urn:li:domain:d1"]})),
            AspectWrite::upsert(urn(b), "ownership", json!({"owners": [{"owner": "urn:li:corpuser:u1", "type": "TECHNICAL_OWNER"}]})),
        ],
    )
    .await;
    let models = |q: &str| json!({"query": q, "types": ["MLMODEL"]});
    assert_eq!(urns(&app, models("quarterly")).await, [a]);
    assert_eq!(urns(&app, models("lifetime value")).await, [a]);
    assert_eq!(urns(&app, models("growth")).await, [b]);
    assert_eq!(urns(&app, models("bergstrom")).await, [b]);
    // Renaming the tag (through GraphQL, as DataHub's UI does) makes its carriers findable by
    // the new name, and no longer by the old one, the moment the rename commits.
    let renamed = app
        .gql(r#"mutation { updateName(input: {urn: "urn:li:tag:t1", name: "Annual Budget"}) }"#)
        .await;
    assert_eq!(renamed["data"]["updateName"], json!(true), "{renamed:#}");
    assert_eq!(urns(&app, models("annual budget")).await, [a]);
    assert!(urns(&app, models("quarterly")).await.is_empty());
    // And the owner's new display name.
    write(
        &app,
        vec![AspectWrite::upsert(
            urn("urn:li:corpuser:u1"),
            "corpUserInfo",
            json!({"active": true, "displayName": "Ingrid Lund"}),
        )],
    )
    .await;
    assert_eq!(urns(&app, models("lund")).await, [b]);
    assert!(urns(&app, models("bergstrom")).await.is_empty());
}

#[tokio::test]
async fn entities_and_entity_exists() {
    let app = TestApp::new().await;
    let (a, b) = (model("alpha"), model("bravo"));
    let (a, b) = (a.as_str(), b.as_str());
    write(
        &app,
        vec![
            AspectWrite::upsert(urn(a), "mlModelProperties", json!({})),
            AspectWrite::upsert(urn(b), "mlModelProperties", json!({})),
            AspectWrite::upsert(urn(b), "status", json!({"removed": true})),
        ],
    )
    .await;
    let missing = model("nobody");
    let answer = app
        .gql_vars(
            "query($u: [String!]!) { entities(urns: $u) { urn type } }",
            json!({"u": [b, &missing, a]}),
        )
        .await;
    assert_eq!(
        answer["data"]["entities"],
        json!([{"urn": b, "type": "MLMODEL"}, null, {"urn": a, "type": "MLMODEL"}]),
        "{answer:#}"
    );
    let exists = |u: &str| {
        let u = u.to_string();
        let app = &app;
        async move {
            app.gql_vars(
                "query($u: String!) { entityExists(urn: $u) }",
                json!({"u": u}),
            )
            .await["data"]["entityExists"]
                .clone()
        }
    };
    assert_eq!(exists(a).await, json!(true));
    assert_eq!(exists(b).await, json!(false));
    assert_eq!(exists(&missing).await, json!(false));
    for query in [
        r#"{ entities(urns: ["not a urn"]) { urn } }"#,
        r#"{ entityExists(urn: "urn:li:") }"#,
    ] {
        assert_eq!(app.error_code(query).await, "BAD_USER_INPUT", "{query}");
    }
}

const AGGREGATE: &str = "query($input: AggregateAcrossEntitiesInput!) {
  aggregateAcrossEntities(input: $input) { facets { field displayName aggregations { value count } } }
}";

#[tokio::test]
async fn aggregate_answers_the_facets_asked_for() {
    let app = TestApp::new().await;
    write(
        &app,
        vec![
            AspectWrite::upsert(
                urn(&model("alpha")),
                "mlModelProperties",
                json!({"description": "x", "customProperties": {"env": "PROD"}}),
            ),
            AspectWrite::upsert(urn(&model("bravo")), "mlModelProperties", json!({})),
            AspectWrite::upsert(
                urn(&model("bravo")),
                "globalTags",
                json!({"tags": [{"tag": "urn:li:tag:pii"}]}),
            ),
            AspectWrite::upsert(
                urn("urn:li:dataset:(urn:li:dataPlatform:hive,events,PROD)"),
                "datasetProperties",
                json!({}),
            ),
        ],
    )
    .await;
    let answer = app
        .gql_vars(
            AGGREGATE,
            json!({"input": {"query": "*", "facets": ["platform", "hasDescription", "customProperties"]}}),
        )
        .await;
    assert_eq!(
        answer["data"]["aggregateAcrossEntities"]["facets"],
        json!([
            {"field": "platform", "displayName": "Platform", "aggregations": [
                {"value": "urn:li:dataPlatform:mlflow", "count": 2},
                {"value": "urn:li:dataPlatform:hive", "count": 1}]},
            {"field": "hasDescription", "displayName": "Has Description", "aggregations": [
                {"value": "false", "count": 2}, {"value": "true", "count": 1}]},
            {"field": "customProperties", "displayName": "Custom Properties", "aggregations": [
                {"value": "env=PROD", "count": 1}]},
        ]),
        "{answer:#}"
    );
    // Filtered as a search is, and every default facet when none is named.
    let filtered = app
        .gql_vars(
            AGGREGATE,
            json!({"input": {"query": "*", "types": ["MLMODEL"], "orFilters": [{"and": [{"field": "tags", "values": ["urn:li:tag:pii"]}]}]}}),
        )
        .await;
    let facets = filtered["data"]["aggregateAcrossEntities"]["facets"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(facets.len(), 7);
    assert_eq!(facets[0]["field"], "_entityType");
    assert_eq!(
        facets[0]["aggregations"],
        json!([{"value": "MLMODEL", "count": 1}])
    );
    for (input, names) in [
        (json!({"query": "*", "facets": ["colour"]}), "colour"),
        (
            json!({"query": "*", "facets": ["_entityType\u{241e}owners"]}),
            "facets[0]",
        ),
        (json!({"query": "*", "facets": ["removed"]}), "removed"),
        (
            json!({"query": "*", "viewUrn": "urn:li:dataHubView:v"}),
            "viewUrn",
        ),
        (json!({"query": "x".repeat(1 << 20)}), "query"),
    ] {
        let answer = app.gql_vars(AGGREGATE, json!({ "input": input })).await;
        let e = &answer["errors"][0];
        assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{answer:#}");
        assert!(e["message"].as_str().unwrap().contains(names), "{answer:#}");
    }
    // A search counts the same matches.
    let page = search(&app, json!({"query": "*"})).await;
    assert_eq!(page["total"], 3);
}
