//! Governance relationships as edges: tags, terms, owners, domains, group memberships and
//! glossary and domain parents, made by the mutations and by SDK-shaped ingestion, read through
//! `relationships` on both ends and `Domain.entities`, ended by a removal, never followed by
//! lineage unless named, and derived by a migration from aspects stored before they existed.

use axum::http::StatusCode;
use migration::{Migrator, MigratorTrait};
use mlcat::auth::Auth;
use mlcat::config::Limits;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::datahub::{ingest, proposal, single};
use crate::support::{fresh_database, TestApp};

const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:gov,churn,PROD)";
const OTHER: &str = "urn:li:mlModel:(urn:li:dataPlatform:gov,upsell,PROD)";
const GROUP: &str = "urn:li:mlModelGroup:(urn:li:dataPlatform:gov,churners,PROD)";
const DATASET: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,events,PROD)";
const PII: &str = "urn:li:tag:pii";
const INGEST: &str = "/aspects?action=ingestProposal";

const ADD_TAG: &str = "mutation($input: TagAssociationInput!) { addTag(input: $input) }";
const REMOVE_TAG: &str = "mutation($input: TagAssociationInput!) { removeTag(input: $input) }";
const SET_DOMAIN: &str = "mutation($entityUrn: String!, $domainUrn: String!) { setDomain(entityUrn: $entityUrn, domainUrn: $domainUrn) }";
const UNSET_DOMAIN: &str = "mutation($entityUrn: String!) { unsetDomain(entityUrn: $entityUrn) }";

/// An app holding two models, a group the first is in (a lineage edge), and a dataset.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    let writes = [
        (
            "mlModel",
            MODEL,
            "mlModelProperties",
            json!({"name": "churn", "groups": [GROUP]}),
        ),
        (
            "mlModel",
            OTHER,
            "mlModelProperties",
            json!({"name": "upsell"}),
        ),
        (
            "dataset",
            DATASET,
            "datasetProperties",
            json!({"name": "events"}),
        ),
    ];
    for (entity_type, urn, aspect, value) in writes {
        ingest(&app, proposal(entity_type, urn, aspect, value)).await;
    }
    app
}

/// Runs a mutation that must answer `true`.
async fn ok(app: &TestApp, mutation: &str, variables: Value) {
    let answer = app.gql_vars(mutation, variables).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    let data = answer["data"].as_object().unwrap();
    assert!(data.values().all(|v| *v == json!(true)), "{answer:#}");
}

/// `relationships` of the entity `urn`: its total and the URNs of the other ends, in order.
async fn related(app: &TestApp, urn: &str, types: &[&str], direction: &str) -> (i64, Vec<String>) {
    let query = format!(
        r#"{{ entity(urn: "{}") {{ ... on Entity {{ urn }}
            {} }} }}"#,
        urn.replace('"', "\\\""),
        [
            "Tag",
            "GlossaryTerm",
            "GlossaryNode",
            "Domain",
            "CorpUser",
            "CorpGroup",
            "MLModel",
            "Dataset",
        ]
        .iter()
        .map(|t| format!(
            "... on {t} {{ relationships(input: {{types: {}, direction: {direction}}}) {{
                total relationships {{ type direction entity {{ urn }} }} }} }}",
            json!(types)
        ))
        .collect::<Vec<_>>()
        .join(" ")
    );
    let data = app.data(&query).await;
    let result = &data["entity"]["relationships"];
    assert!(result.is_object(), "no relationships for {urn}: {data:#}");
    let list = result["relationships"].as_array().unwrap();
    for r in list {
        assert_eq!(r["direction"], direction, "{r}");
        assert!(types.contains(&r["type"].as_str().unwrap()), "{r}");
    }
    (
        result["total"].as_i64().unwrap(),
        list.iter()
            .map(|r| r["entity"]["urn"].as_str().unwrap().to_string())
            .collect(),
    )
}

fn tag_input(tag: &str, resource: &str) -> Value {
    json!({"input": {"tagUrn": tag, "resourceUrn": resource}})
}

/// Edges of a relation in the table: `(current, ended)`.
pub(crate) async fn edge_rows(app: &TestApp, relation: &str) -> (i64, i64) {
    let count = |ended: &str| {
        format!("SELECT COUNT(*) AS n FROM edge WHERE relation = '{relation}' AND removed_at IS {ended}")
    };
    let mut out = [0i64; 2];
    for (i, ended) in ["NULL", "NOT NULL"].into_iter().enumerate() {
        let row = app
            .db
            .query_one(Statement::from_string(
                app.db.get_database_backend(),
                count(ended),
            ))
            .await
            .unwrap()
            .unwrap();
        out[i] = row.try_get::<i64>("", "n").unwrap();
    }
    (out[0], out[1])
}

#[tokio::test]
async fn add_tag_makes_an_edge_both_ends_read_and_remove_tag_ends_it() {
    let app = app().await;
    ok(&app, ADD_TAG, tag_input(PII, MODEL)).await;
    ok(&app, ADD_TAG, tag_input(PII, DATASET)).await;
    ok(&app, ADD_TAG, tag_input("urn:li:tag:gold", MODEL)).await;

    // The tag lists what carries it, in the order the tags were attached.
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "INCOMING").await,
        (2, vec![MODEL.to_string(), DATASET.to_string()])
    );
    // Nothing carries a tag outward.
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "OUTGOING").await,
        (0, vec![])
    );
    // The model lists its tags; its lineage relations are not among them.
    assert_eq!(
        related(&app, MODEL, &["TaggedWith"], "OUTGOING").await,
        (2, vec![PII.to_string(), "urn:li:tag:gold".to_string()])
    );
    assert_eq!(
        related(&app, MODEL, &["MemberOf", "TaggedWith"], "OUTGOING")
            .await
            .0,
        3
    );

    // Paging: start and count over the tag's entities, with the whole total.
    let data = app
        .data(&format!(
            r#"{{ tag(urn: "{PII}") {{ relationships(input: {{types: ["TaggedWith"], direction: INCOMING, start: 1, count: 1}}) {{
                start count total relationships {{ entity {{ urn }} created {{ time }} }} }} }} }}"#
        ))
        .await;
    let page = &data["tag"]["relationships"];
    assert_eq!(page["start"], 1);
    assert_eq!(page["count"], 1);
    assert_eq!(page["total"], 2);
    assert_eq!(page["relationships"][0]["entity"]["urn"], DATASET);
    assert!(
        page["relationships"][0]["created"]["time"]
            .as_i64()
            .unwrap()
            > 0
    );

    // removeTag ends the edge: kept in the table with its end time, gone from the reads.
    ok(&app, REMOVE_TAG, tag_input(PII, MODEL)).await;
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "INCOMING").await,
        (1, vec![DATASET.to_string()])
    );
    assert_eq!(
        related(&app, MODEL, &["TaggedWith"], "OUTGOING").await,
        (1, vec!["urn:li:tag:gold".to_string()])
    );
    assert_eq!(edge_rows(&app, "TaggedWith").await, (2, 1));

    // A soft-deleted entity drops out of the tag's relationships, and comes back when restored.
    ingest(
        &app,
        proposal("dataset", DATASET, "status", json!({"removed": true})),
    )
    .await;
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "INCOMING").await,
        (0, vec![])
    );
    ingest(
        &app,
        proposal("dataset", DATASET, "status", json!({"removed": false})),
    )
    .await;
    assert_eq!(related(&app, PII, &["TaggedWith"], "INCOMING").await.0, 1);
}

#[tokio::test]
async fn sdk_shaped_ingestion_makes_every_governance_edge() {
    let app = app().await;
    let writes = [
        (
            "mlModel",
            MODEL,
            "globalTags",
            json!({"tags": [{"tag": PII}, {"tag": "urn:li:tag:gold"}]}),
        ),
        (
            "mlModel",
            MODEL,
            "ownership",
            json!({"owners": [
                {"owner": "urn:li:corpuser:ana", "type": "TECHNICAL_OWNER"},
                {"owner": "urn:li:corpGroup:ml", "type": "BUSINESS_OWNER"}],
                "lastModified": {"time": 1, "actor": "urn:li:corpuser:ana"}}),
        ),
        (
            "mlModel",
            MODEL,
            "glossaryTerms",
            json!({"terms": [{"urn": "urn:li:glossaryTerm:churn"}],
                   "auditStamp": {"time": 1, "actor": "urn:li:corpuser:ana"}}),
        ),
        (
            "mlModel",
            MODEL,
            "domains",
            json!({"domains": ["urn:li:domain:marketing"]}),
        ),
        (
            "glossaryTerm",
            "urn:li:glossaryTerm:churn",
            "glossaryTermInfo",
            json!({"definition": "Leaving", "termSource": "INTERNAL",
                   "parentNode": "urn:li:glossaryNode:customers"}),
        ),
        (
            "glossaryNode",
            "urn:li:glossaryNode:customers",
            "glossaryNodeInfo",
            json!({"definition": "About customers", "parentNode": "urn:li:glossaryNode:root"}),
        ),
        (
            "domain",
            "urn:li:domain:marketing",
            "domainProperties",
            json!({"name": "Marketing", "parentDomain": "urn:li:domain:business"}),
        ),
    ];
    for (entity_type, urn, aspect, value) in writes {
        ingest(&app, proposal(entity_type, urn, aspect, value)).await;
    }
    let model = vec![MODEL.to_string()];
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "INCOMING").await,
        (1, model.clone())
    );
    assert_eq!(
        related(&app, "urn:li:corpuser:ana", &["OwnedBy"], "INCOMING").await,
        (1, model.clone())
    );
    assert_eq!(
        related(&app, "urn:li:corpGroup:ml", &["OwnedBy"], "INCOMING").await,
        (1, model.clone())
    );
    assert_eq!(
        related(
            &app,
            "urn:li:glossaryTerm:churn",
            &["TermedWith"],
            "INCOMING"
        )
        .await,
        (1, model.clone())
    );
    assert_eq!(
        related(
            &app,
            "urn:li:domain:marketing",
            &["AssociatedWith"],
            "INCOMING"
        )
        .await,
        (1, model.clone())
    );
    assert_eq!(
        related(&app, MODEL, &["OwnedBy"], "OUTGOING").await,
        (
            2,
            vec![
                "urn:li:corpuser:ana".to_string(),
                "urn:li:corpGroup:ml".to_string()
            ]
        )
    );
    // Parents: a term and a node are part of their node, a domain of its parent domain.
    assert_eq!(
        related(
            &app,
            "urn:li:glossaryNode:customers",
            &["IsPartOf"],
            "INCOMING"
        )
        .await,
        (1, vec!["urn:li:glossaryTerm:churn".to_string()])
    );
    assert_eq!(
        related(
            &app,
            "urn:li:glossaryNode:customers",
            &["IsPartOf"],
            "OUTGOING"
        )
        .await,
        (1, vec!["urn:li:glossaryNode:root".to_string()])
    );
    assert_eq!(
        related(&app, "urn:li:domain:business", &["IsPartOf"], "INCOMING").await,
        (1, vec!["urn:li:domain:marketing".to_string()])
    );

    // Replacing the aspect replaces the edges: the old owner's edge ends.
    ingest(
        &app,
        proposal(
            "mlModel",
            MODEL,
            "ownership",
            json!({"owners": [{"owner": "urn:li:corpuser:bo", "type": "DATA_STEWARD"}]}),
        ),
    )
    .await;
    assert_eq!(
        related(&app, "urn:li:corpuser:ana", &["OwnedBy"], "INCOMING").await,
        (0, vec![])
    );
    assert_eq!(
        related(&app, "urn:li:corpuser:bo", &["OwnedBy"], "INCOMING").await,
        (1, model)
    );

    // A parent of the wrong type is refused, naming the field, and nothing is written.
    let before = app.row_counts().await;
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "glossaryTerm",
                "urn:li:glossaryTerm:churn",
                "glossaryTermInfo",
                json!({"definition": "x", "termSource": "INTERNAL", "parentNode": "urn:li:domain:marketing"}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("parentNode"),
        "{body}"
    );
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test]
async fn lineage_does_not_cross_a_shared_tag() {
    let app = app().await;
    // Both models, and the group, carry the same tag, term, owner and domain.
    for urn in [MODEL, OTHER, GROUP] {
        ok(&app, ADD_TAG, tag_input(PII, urn)).await;
        ok(
            &app,
            SET_DOMAIN,
            json!({"entityUrn": urn, "domainUrn": "urn:li:domain:marketing"}),
        )
        .await;
    }
    ok(
        &app,
        "mutation($input: AddOwnerInput!) { addOwner(input: $input) }",
        json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_USER",
            "ownershipTypeUrn": "urn:li:ownershipType:__system__technical_owner", "resourceUrn": MODEL}}),
    )
    .await;

    // The entity's lineage, one hop and deeper, both ways: the group only.
    for depth in [1, 3] {
        let data = app
            .data(&format!(
                r#"{{ mlModel(urn: "{MODEL}") {{ lineage(input: {{direction: BOTH, depth: {depth}}}) {{
                    total relationships {{ type entity {{ urn }} }} }} }} }}"#
            ))
            .await;
        let lineage = &data["mlModel"]["lineage"];
        assert_eq!(lineage["total"], 1, "{lineage:#}");
        assert_eq!(lineage["relationships"][0]["type"], "MemberOf");
        assert_eq!(lineage["relationships"][0]["entity"]["urn"], GROUP);
    }
    // The group's lineage is its model.
    let data = app
        .data(&format!(
            r#"{{ mlModelGroup(urn: "{GROUP}") {{ models {{ urn }}
                lineage(input: {{direction: BOTH, depth: 3}}) {{ total relationships {{ entity {{ urn }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(data["mlModelGroup"]["models"], json!([{"urn": MODEL}]));
    assert_eq!(data["mlModelGroup"]["lineage"]["total"], 1);

    // lineageGraph from the model reaches the group, not the tag, the domain, the owner, nor
    // the other model that shares them.
    let graph = |extra: &str| {
        format!(
            r#"{{ lineageGraph(input: {{urn: "{MODEL}", direction: BOTH, depth: 5{extra}}}) {{
                nodes {{ urn }} edges {{ relation }} truncated }} }}"#
        )
    };
    let data = app.data(&graph("")).await;
    let urns: Vec<&str> = data["lineageGraph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["urn"].as_str().unwrap())
        .collect();
    assert_eq!(urns, [MODEL, GROUP]);
    assert_eq!(
        data["lineageGraph"]["edges"],
        json!([{"relation": "MemberOf"}])
    );
    assert_eq!(data["lineageGraph"]["truncated"], false);
    // As of now, the same.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let data = app.data(&graph(&format!(", asOf: {now}"))).await;
    assert_eq!(data["lineageGraph"]["nodes"].as_array().unwrap().len(), 2);

    // From the tag, nothing: lineage does not go from a tag to what carries it.
    let from_tag = |extra: &str| {
        format!(
            r#"{{ lineageGraph(input: {{urn: "{PII}", direction: BOTH, depth: 5{extra}}}) {{
                nodes {{ urn }} }} }}"#
        )
    };
    let data = app.data(&from_tag("")).await;
    assert_eq!(data["lineageGraph"]["nodes"], json!([{"urn": PII}]));

    // Named explicitly, a governance relation is walked: from the model to its tag, and from
    // the tag to everything that carries it.
    let data = app.data(&graph(r#", relations: ["TaggedWith"]"#)).await;
    assert_eq!(
        data["lineageGraph"]["nodes"],
        json!([{"urn": MODEL}, {"urn": PII}])
    );
    let data = app.data(&from_tag(r#", relations: ["TaggedWith"]"#)).await;
    let mut urns: Vec<&str> = data["lineageGraph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["urn"].as_str().unwrap())
        .collect();
    urns.sort_unstable();
    let mut want = vec![MODEL, OTHER, GROUP, PII];
    want.sort_unstable();
    assert_eq!(urns, want);
}

#[tokio::test]
async fn domain_entities_are_its_associated_with_edges_paged_with_the_total() {
    let app = app().await;
    let domain = "urn:li:domain:marketing";
    for urn in [OTHER, DATASET, MODEL, GROUP] {
        ok(
            &app,
            SET_DOMAIN,
            json!({"entityUrn": urn, "domainUrn": domain}),
        )
        .await;
    }
    // Another domain whose URN starts with this one's is not this one.
    ok(
        &app,
        SET_DOMAIN,
        json!({"entityUrn": GROUP, "domainUrn": "urn:li:domain:marketing2"}),
    )
    .await;
    let page = |start: i32, count: i32| {
        format!(
            r#"{{ domain(urn: "{domain}") {{ entities(input: {{start: {start}, count: {count}}}) {{
                start count total searchResults {{ entity {{ urn }} }} }} }} }}"#
        )
    };
    let urns = |v: &Value| -> Vec<String> {
        v["domain"]["entities"]["searchResults"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["entity"]["urn"].as_str().unwrap().to_string())
            .collect()
    };
    // Ordered by URN: the dataset, then the models, A to Z. The group moved to marketing2.
    let all = app.data(&page(0, 10)).await;
    assert_eq!(all["domain"]["entities"]["total"], 3);
    assert_eq!(urns(&all), [DATASET, MODEL, OTHER]);
    let second = app.data(&page(1, 1)).await;
    assert_eq!(
        second["domain"]["entities"],
        json!({"start": 1, "count": 1, "total": 3, "searchResults": [{"entity": {"urn": MODEL}}]})
    );
    let past = app.data(&page(5, 2)).await;
    assert_eq!(past["domain"]["entities"]["total"], 3);
    assert_eq!(past["domain"]["entities"]["count"], 0);

    // Unset and soft-deleted entities leave it.
    ok(&app, UNSET_DOMAIN, json!({"entityUrn": OTHER})).await;
    ingest(
        &app,
        proposal("dataset", DATASET, "status", json!({"removed": true})),
    )
    .await;
    let left = app.data(&page(0, 10)).await;
    assert_eq!(left["domain"]["entities"]["total"], 1);
    assert_eq!(urns(&left), [MODEL]);

    // A bad page is refused.
    let code = app
        .error_code(&format!(
            r#"{{ domain(urn: "{domain}") {{ entities(input: {{start: -1}}) {{ total }} }} }}"#
        ))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_group_lists_its_members_through_is_member_of_group() {
    let app = app().await;
    let group = "urn:li:corpGroup:ml";
    for (user, aspect, value) in [
        (
            "urn:li:corpuser:ana",
            "groupMembership",
            json!({"groups": [group, "urn:li:corpGroup:all"]}),
        ),
        (
            "urn:li:corpuser:bo",
            "groupMembership",
            json!({"groups": [group]}),
        ),
        (
            "urn:li:corpuser:cy",
            "nativeGroupMembership",
            json!({"nativeGroups": [group]}),
        ),
    ] {
        ingest(&app, proposal("corpuser", user, aspect, value)).await;
    }
    // As DataHub's UI asks a group for its members.
    let data = app
        .data(&format!(
            r#"{{ corpGroup(urn: "{group}") {{ relationships(input: {{types: ["IsMemberOfGroup", "IsMemberOfNativeGroup"], direction: INCOMING, start: 0, count: 20}}) {{
                total relationships {{ type entity {{ urn ... on CorpUser {{ username }} }} }} }} }} }}"#
        ))
        .await;
    let members = &data["corpGroup"]["relationships"];
    assert_eq!(members["total"], 3);
    assert_eq!(
        members["relationships"],
        json!([
            {"type": "IsMemberOfGroup", "entity": {"urn": "urn:li:corpuser:ana", "username": "ana"}},
            {"type": "IsMemberOfGroup", "entity": {"urn": "urn:li:corpuser:bo", "username": "bo"}},
            {"type": "IsMemberOfNativeGroup", "entity": {"urn": "urn:li:corpuser:cy", "username": "cy"}},
        ])
    );
    assert_eq!(
        related(
            &app,
            "urn:li:corpuser:ana",
            &["IsMemberOfGroup"],
            "OUTGOING"
        )
        .await,
        (
            2,
            vec![group.to_string(), "urn:li:corpGroup:all".to_string()]
        )
    );

    // Leaving a group ends the edge.
    ingest(
        &app,
        proposal(
            "corpuser",
            "urn:li:corpuser:ana",
            "groupMembership",
            json!({"groups": ["urn:li:corpGroup:all"]}),
        ),
    )
    .await;
    assert_eq!(
        related(&app, group, &["IsMemberOfGroup"], "INCOMING").await,
        (1, vec!["urn:li:corpuser:bo".to_string()])
    );

    // A group that is not a group URN is refused, naming the element; nothing is written.
    let before = app.row_counts().await;
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "corpuser",
                "urn:li:corpuser:bo",
                "groupMembership",
                json!({"groups": [group, "urn:li:tag:pii"]}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("groups[1]"),
        "{body}"
    );
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test]
async fn relationships_refuse_an_unknown_type_listing_the_known_ones() {
    let app = app().await;
    ok(&app, ADD_TAG, tag_input(PII, MODEL)).await;
    for query in [
        format!(
            r#"{{ tag(urn: "{PII}") {{ relationships(input: {{types: ["Nope"], direction: INCOMING}}) {{ total }} }} }}"#
        ),
        format!(
            r#"{{ mlModel(urn: "{MODEL}") {{ relationships(input: {{types: ["Nope"], direction: OUTGOING}}) {{ total }} }} }}"#
        ),
        format!(
            r#"{{ lineageGraph(input: {{urn: "{MODEL}", relations: ["Nope"]}}) {{ truncated }} }}"#
        ),
    ] {
        let answer = app.gql(&query).await;
        let error = &answer["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer:#}");
        let message = error["message"].as_str().unwrap();
        for known in ["MemberOf", "TaggedWith", "IsMemberOfGroup", "IsPartOf"] {
            assert!(message.contains(known), "{known} not in {message}");
        }
    }
    // A relation nothing declares from the tag answers an empty page, not an error.
    let data = app
        .data(
            r#"{ entity(urn: "urn:li:tag:pii") { ... on Tag { relationships(input: {types: ["TaggedWith"], direction: OUTGOING}) { total count } } } }"#,
        )
        .await;
    assert_eq!(
        data["entity"]["relationships"],
        json!({"total": 0, "count": 0})
    );
}

/// Runs SQL on the database being prepared.
pub(crate) async fn sql(db: &sea_orm::DatabaseConnection, text: &str) {
    db.execute_unprepared(text)
        .await
        .unwrap_or_else(|e| panic!("{text}: {e}"));
}

/// A row for an entity, written (`has_aspects`) or only referenced, as the write path of the
/// previous schema made it.
pub(crate) async fn entity_row(
    db: &sea_orm::DatabaseConnection,
    urn: &str,
    kind: &str,
    name: &str,
) {
    sql(
        db,
        &format!(
            "INSERT INTO entity (urn, entity_type, name, search_name, platform, env, namespace, \
             has_aspects, removed, created_at, updated_at) VALUES \
             ('{urn}', '{kind}', '{name}', '{name}', NULL, NULL, NULL, TRUE, FALSE, 1000, 1000)"
        ),
    )
    .await;
}

/// A stored version of an aspect of the entity `urn`.
pub(crate) async fn aspect_row(
    db: &sea_orm::DatabaseConnection,
    urn: &str,
    aspect: &str,
    version: i64,
    latest: bool,
    value: Value,
    at: i64,
) {
    sql(
        db,
        &format!(
            "INSERT INTO aspect (entity_id, name, version, is_latest, value, created_at, actor, run_id) \
             SELECT id, '{aspect}', {version}, {latest}, '{value}', {at}, 'urn:li:corpuser:sdk', NULL \
             FROM entity WHERE urn = '{urn}'"
        ),
    )
    .await;
}

#[tokio::test]
async fn a_migration_derives_the_edges_of_aspects_stored_before_them() {
    // A catalog written by the previous schema: aspects, no governance edges.
    let (url, dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    let all = Migrator::migrations();
    let before = all
        .iter()
        .position(|m| m.name() == "m20261206_000005_governance_edges")
        .unwrap();
    // Down to just before it, later: every migration from it on.
    let from_it = (all.len() - before) as u32;
    Migrator::up(&db, Some(before as u32)).await.unwrap();
    entity_row(&db, MODEL, "mlModel", "churn").await;
    entity_row(&db, OTHER, "mlModel", "upsell").await;
    entity_row(&db, "urn:li:corpuser:ana", "corpuser", "ana").await;
    entity_row(&db, "urn:li:glossaryTerm:churn", "glossaryTerm", "churn").await;
    entity_row(&db, "urn:li:dataPlatform:gov", "dataPlatform", "gov").await;
    // An older version names a tag the latest no longer does.
    aspect_row(
        &db,
        MODEL,
        "globalTags",
        1,
        false,
        json!({"tags": [{"tag": "urn:li:tag:old"}]}),
        1100,
    )
    .await;
    // Elements that do not parse, or name the wrong type, are skipped.
    aspect_row(
        &db,
        MODEL,
        "globalTags",
        2,
        true,
        json!({"tags": [{"tag": PII}, {"tag": "not a urn"}, {"tag": "urn:li:domain:marketing"}, {"nope": 1}, {"tag": PII}]}),
        1200,
    )
    .await;
    aspect_row(
        &db,
        OTHER,
        "globalTags",
        1,
        true,
        json!({"tags": [{"tag": PII}]}),
        1300,
    )
    .await;
    aspect_row(
        &db,
        MODEL,
        "ownership",
        1,
        true,
        json!({"owners": [{"owner": "urn:li:corpuser:ana", "type": "TECHNICAL_OWNER"},
                          {"owner": "urn:li:corpGroup:ml", "type": "BUSINESS_OWNER"},
                          {"owner": "urn:li:tag:x", "type": "NONE"}]}),
        1200,
    )
    .await;
    aspect_row(
        &db,
        MODEL,
        "glossaryTerms",
        1,
        true,
        json!({"terms": [{"urn": "urn:li:glossaryTerm:churn"}]}),
        1200,
    )
    .await;
    aspect_row(
        &db,
        MODEL,
        "domains",
        1,
        true,
        json!({"domains": ["urn:li:domain:marketing"]}),
        1200,
    )
    .await;
    aspect_row(
        &db,
        OTHER,
        "domains",
        1,
        true,
        json!({"domains": ["urn:li:domain:marketing"]}),
        1300,
    )
    .await;
    aspect_row(
        &db,
        "urn:li:corpuser:ana",
        "groupMembership",
        1,
        true,
        json!({"groups": ["urn:li:corpGroup:ml"]}),
        1200,
    )
    .await;
    aspect_row(
        &db,
        "urn:li:corpuser:ana",
        "nativeGroupMembership",
        1,
        true,
        json!({"nativeGroups": ["urn:li:corpGroup:native"]}),
        1200,
    )
    .await;
    aspect_row(
        &db,
        "urn:li:glossaryTerm:churn",
        "glossaryTermInfo",
        1,
        true,
        json!({"definition": "Leaving", "termSource": "INTERNAL", "parentNode": "urn:li:glossaryNode:customers"}),
        1200,
    )
    .await;
    // A data platform does not carry governance aspects: nothing from it.
    aspect_row(
        &db,
        "urn:li:dataPlatform:gov",
        "globalTags",
        1,
        true,
        json!({"tags": [{"tag": PII}]}),
        1200,
    )
    .await;
    db.close().await.unwrap();

    // Migrated up, the app reads the edges as if the aspects had been written now.
    let app = TestApp::over(url, dir, Limits::default(), Auth::Off).await;
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "INCOMING").await,
        (2, vec![MODEL.to_string(), OTHER.to_string()])
    );
    assert_eq!(
        related(&app, MODEL, &["TaggedWith"], "OUTGOING").await,
        (1, vec![PII.to_string()])
    );
    assert_eq!(
        related(&app, MODEL, &["OwnedBy"], "OUTGOING").await,
        (
            2,
            vec![
                "urn:li:corpuser:ana".to_string(),
                "urn:li:corpGroup:ml".to_string()
            ]
        )
    );
    assert_eq!(
        related(
            &app,
            "urn:li:glossaryTerm:churn",
            &["TermedWith"],
            "INCOMING"
        )
        .await,
        (1, vec![MODEL.to_string()])
    );
    assert_eq!(
        related(&app, "urn:li:glossaryTerm:churn", &["IsPartOf"], "OUTGOING").await,
        (1, vec!["urn:li:glossaryNode:customers".to_string()])
    );
    assert_eq!(
        related(
            &app,
            "urn:li:corpGroup:ml",
            &["IsMemberOfGroup", "IsMemberOfNativeGroup"],
            "INCOMING"
        )
        .await,
        (1, vec!["urn:li:corpuser:ana".to_string()])
    );
    assert_eq!(
        related(
            &app,
            "urn:li:corpGroup:native",
            &["IsMemberOfNativeGroup"],
            "INCOMING"
        )
        .await,
        (1, vec!["urn:li:corpuser:ana".to_string()])
    );
    // The edge was made when its version was written.
    let data = app
        .data(&format!(
            r#"{{ tag(urn: "{PII}") {{ exists relationships(input: {{types: ["TaggedWith"], direction: INCOMING}}) {{
                relationships {{ created {{ time }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(data["tag"]["exists"], false);
    assert_eq!(
        data["tag"]["relationships"]["relationships"],
        json!([{"created": {"time": 1200}}, {"created": {"time": 1300}}])
    );
    let domain = app
        .data(
            r#"{ domain(urn: "urn:li:domain:marketing") { entities { total searchResults { entity { urn } } } } }"#,
        )
        .await;
    assert_eq!(domain["domain"]["entities"]["total"], 2);
    // No row was made for what was skipped.
    for urn in ["urn:li:tag:old", "urn:li:tag:x", "urn:li:domain:marketing2"] {
        let data = app
            .data(&format!(r#"{{ entity(urn: "{urn}") {{ urn }} }}"#))
            .await;
        assert_eq!(data["entity"], Value::Null, "{urn}");
    }
    assert_eq!(edge_rows(&app, "TaggedWith").await, (2, 0));

    // Writes after the migration keep the derived edges in step: removing the tag ends it.
    ok(&app, REMOVE_TAG, tag_input(PII, OTHER)).await;
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "INCOMING").await,
        (1, vec![MODEL.to_string()])
    );
    assert_eq!(edge_rows(&app, "TaggedWith").await, (1, 1));

    // Down removes the governance edges, and up again derives them from the latest aspects.
    Migrator::down(&app.db, Some(from_it)).await.unwrap();
    assert_eq!(edge_rows(&app, "TaggedWith").await, (0, 0));
    Migrator::up(&app.db, None).await.unwrap();
    assert_eq!(edge_rows(&app, "TaggedWith").await, (1, 0));
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "INCOMING").await,
        (1, vec![MODEL.to_string()])
    );
}

/// A tag or term on a dataset's schema field, as the UI's field mutations send it.
fn on_field(path: &str, key: &str, urn: &str) -> Value {
    json!({"input": {key: urn, "resourceUrn": DATASET, "subResourceType": "DATASET_FIELD",
                     "subResource": path}})
}

#[tokio::test]
async fn a_fields_tags_and_terms_are_edges_from_its_dataset_until_no_field_carries_them() {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal(
            "dataset",
            DATASET,
            "datasetProperties",
            json!({"name": "events"}),
        ),
    )
    .await;
    let add_term = "mutation($input: TermAssociationInput!) { addTerm(input: $input) }";
    let remove_term = "mutation($input: TermAssociationInput!) { removeTerm(input: $input) }";
    let term = "urn:li:glossaryTerm:Email";
    for (mutation, input) in [
        (ADD_TAG, on_field("user.email", "tagUrn", PII)),
        (ADD_TAG, on_field("user.phone", "tagUrn", PII)),
        (add_term, on_field("user.email", "termUrn", term)),
    ] {
        let answer = app.gql_vars(mutation, input).await;
        assert!(answer.get("errors").is_none(), "{answer:#}");
    }
    // Two fields carry the tag: one edge.
    assert_eq!(
        related(&app, PII, &["SchemaFieldTaggedWith"], "INCOMING").await,
        (1, vec![DATASET.to_string()])
    );
    assert_eq!(
        related(&app, term, &["SchemaFieldWithGlossaryTerm"], "INCOMING").await,
        (1, vec![DATASET.to_string()])
    );
    // Not the dataset's own tag.
    assert_eq!(
        related(&app, PII, &["TaggedWith"], "INCOMING").await,
        (0, vec![])
    );

    app.gql_vars(REMOVE_TAG, on_field("user.email", "tagUrn", PII))
        .await;
    assert_eq!(
        related(&app, PII, &["SchemaFieldTaggedWith"], "INCOMING").await,
        (1, vec![DATASET.to_string()]),
        "user.phone still carries it"
    );
    app.gql_vars(REMOVE_TAG, on_field("user.phone", "tagUrn", PII))
        .await;
    app.gql_vars(remove_term, on_field("user.email", "termUrn", term))
        .await;
    assert_eq!(
        related(&app, PII, &["SchemaFieldTaggedWith"], "INCOMING").await,
        (0, vec![])
    );
    assert_eq!(
        related(&app, DATASET, &["SchemaFieldWithGlossaryTerm"], "OUTGOING").await,
        (0, vec![])
    );
}

#[tokio::test]
async fn a_migration_derives_the_field_edges_of_schemas_stored_before_them() {
    let (url, dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261206_000007_schema_field_edges")
        .unwrap();
    Migrator::up(&db, Some(before as u32)).await.unwrap();
    entity_row(&db, DATASET, "dataset", "events").await;
    entity_row(&db, MODEL, "mlModel", "churn").await;
    let fields = json!({"editableSchemaFieldInfo": [
        {"fieldPath": "a", "globalTags": {"tags": [{"tag": PII}, {"tag": "urn:li:domain:x"}]}},
        {"fieldPath": "b", "globalTags": {"tags": [{"tag": PII}]},
         "glossaryTerms": {"terms": [{"urn": "urn:li:glossaryTerm:Email"}]}}]});
    aspect_row(
        &db,
        DATASET,
        "editableSchemaMetadata",
        1,
        true,
        fields.clone(),
        1200,
    )
    .await;
    // Only datasets carry it.
    aspect_row(&db, MODEL, "editableSchemaMetadata", 1, true, fields, 1200).await;
    db.close().await.unwrap();

    let app = TestApp::over(url, dir, Limits::default(), Auth::Off).await;
    assert_eq!(
        related(&app, PII, &["SchemaFieldTaggedWith"], "INCOMING").await,
        (1, vec![DATASET.to_string()])
    );
    assert_eq!(
        related(
            &app,
            "urn:li:glossaryTerm:Email",
            &["SchemaFieldWithGlossaryTerm"],
            "INCOMING"
        )
        .await,
        (1, vec![DATASET.to_string()])
    );
}

#[tokio::test]
async fn a_tags_carriers_are_paged_in_the_order_they_were_tagged_with_the_total() {
    let app = TestApp::new().await;
    let model = |i: usize| format!("urn:li:mlModel:(urn:li:dataPlatform:gov,m{i:02},PROD)");
    for i in 0..25 {
        ingest(
            &app,
            proposal(
                "mlModel",
                &model(i),
                "globalTags",
                json!({"tags": [{"tag": PII}]}),
            ),
        )
        .await;
    }
    let page = |start: usize, count: usize| {
        format!(
            r#"{{ tag(urn: "{PII}") {{ relationships(input: {{types: ["TaggedWith"],
                direction: INCOMING, start: {start}, count: {count}}}) {{
                start count total relationships {{ type entity {{ urn }} }} }} }} }}"#
        )
    };
    let read = app.data(&page(20, 10)).await;
    let result = &read["tag"]["relationships"];
    assert_eq!(result["total"], 25);
    assert_eq!(result["start"], 20);
    assert_eq!(result["count"], 5);
    let urns: Vec<String> = result["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity"]["urn"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(urns, (20..25).map(model).collect::<Vec<_>>());
    let past = app.data(&page(30, 10)).await;
    assert_eq!(past["tag"]["relationships"]["total"], 25);
    assert_eq!(past["tag"]["relationships"]["relationships"], json!([]));
}
