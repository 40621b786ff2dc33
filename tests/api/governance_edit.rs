//! DataHub's governance mutations: tags, owners, glossary terms, domains, deprecation and
//! links, edited element by element. Each family is read back as DataHub's aspect through the
//! REST API and the aspect history; edits that change nothing make no version; bad input and a
//! batch with one bad resource write nothing; 40 concurrent `addTag` calls keep all 40 tags.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::datahub::{aspect_path, ingest, proposal};
use crate::support::TestApp;

const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:gov,churn,PROD)";
const GROUP: &str = "urn:li:mlModelGroup:(urn:li:dataPlatform:gov,churners,PROD)";
const DATASET: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,events,PROD)";

/// An app holding the model, its group and a dataset.
async fn app() -> TestApp {
    let app = TestApp::new().await;
    seed(&app).await;
    app
}

async fn seed(app: &TestApp) {
    ingest(
        app,
        proposal(
            "mlModel",
            MODEL,
            "mlModelProperties",
            json!({"name": "churn"}),
        ),
    )
    .await;
    ingest(
        app,
        proposal(
            "mlModelGroup",
            GROUP,
            "mlModelGroupProperties",
            json!({"name": "g"}),
        ),
    )
    .await;
    ingest(
        app,
        proposal(
            "dataset",
            DATASET,
            "datasetProperties",
            json!({"name": "events"}),
        ),
    )
    .await;
}

/// Runs a mutation that must answer `true`.
async fn ok(app: &TestApp, mutation: &str, input: Value) {
    let answer = app.gql_vars(mutation, input).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    let data = answer["data"].as_object().unwrap();
    assert!(data.values().all(|v| *v == json!(true)), "{answer:#}");
}

/// Runs a mutation that must fail; answers its first error's code and message.
async fn refused(app: &TestApp, mutation: &str, input: Value) -> (String, String) {
    let answer = app.gql_vars(mutation, input).await;
    let e = &answer["errors"][0];
    (
        e["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// The latest value of an aspect as DataHub's REST API answers it, or None.
async fn aspect(app: &TestApp, urn: &str, name: &str) -> Option<Value> {
    let (status, body) = app.get_json(&aspect_path(urn, name, 0)).await;
    if status == StatusCode::NOT_FOUND {
        return None;
    }
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, value) = body["aspect"].as_object().unwrap().iter().next().unwrap();
    Some(value.clone())
}

/// The history of one aspect of the model, newest first, as `(version, actor, value)`.
async fn history(app: &TestApp, urn: &str, name: &str) -> Vec<(i64, String, Value)> {
    let field = if urn.starts_with("urn:li:dataset:") {
        "dataset"
    } else if urn.starts_with("urn:li:mlModelGroup:") {
        "mlModelGroup"
    } else {
        "mlModel"
    };
    let data = app
        .data(&format!(
            r#"{{ {field}(urn: "{urn}") {{ aspectHistory(aspectName: "{name}") {{ version actor value }} }} }}"#
        ))
        .await;
    data[field]["aspectHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["actor"].as_str().unwrap().to_string(),
                v["value"].clone(),
            )
        })
        .collect()
}

async fn has_row(app: &TestApp, urn: &str) -> bool {
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => "SELECT COUNT(*) AS n FROM entity WHERE urn = $1",
        _ => "SELECT COUNT(*) AS n FROM entity WHERE urn = ?",
    };
    let row = app
        .db
        .query_one(Statement::from_sql_and_values(backend, sql, [urn.into()]))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() == 1
}

/// The URNs an aspect lists (its `list` of elements, each holding the URN at `at`), read
/// through DataHub's REST API; the aspect must be there.
async fn listed(app: &TestApp, urn: &str, name: &str, list: &str, at: &str) -> Vec<String> {
    let v = aspect(app, urn, name).await.unwrap();
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[at].as_str().unwrap().to_string())
        .collect()
}

/// The tags of an entity's `globalTags`.
async fn tags(app: &TestApp, urn: &str) -> Vec<String> {
    listed(app, urn, "globalTags", "tags", "tag").await
}

/// The terms of an entity's `glossaryTerms`.
async fn terms(app: &TestApp, urn: &str) -> Vec<String> {
    listed(app, urn, "glossaryTerms", "terms", "urn").await
}

/// The owners of an entity's `ownership`.
async fn owners(app: &TestApp, urn: &str) -> Vec<String> {
    listed(app, urn, "ownership", "owners", "owner").await
}

const ADD_TAG: &str = "mutation($input: TagAssociationInput!) { addTag(input: $input) }";
const ADD_TAGS: &str = "mutation($input: AddTagsInput!) { addTags(input: $input) }";
const REMOVE_TAG: &str = "mutation($input: TagAssociationInput!) { removeTag(input: $input) }";
const BATCH_ADD_TAGS: &str = "mutation($input: BatchAddTagsInput!) { batchAddTags(input: $input) }";
const BATCH_REMOVE_TAGS: &str =
    "mutation($input: BatchRemoveTagsInput!) { batchRemoveTags(input: $input) }";

fn tag_input(tag: &str, resource: &str) -> Value {
    json!({"input": {"tagUrn": tag, "resourceUrn": resource}})
}

#[tokio::test]
async fn tags_are_added_and_removed_one_by_one_and_in_batches() {
    let app = app().await;
    ok(&app, ADD_TAG, tag_input("urn:li:tag:pii", MODEL)).await;
    ok(
        &app,
        ADD_TAGS,
        json!({"input": {"tagUrns": ["urn:li:tag:gold", "urn:li:tag:pii"], "resourceUrn": MODEL}}),
    )
    .await;
    assert_eq!(
        aspect(&app, MODEL, "globalTags").await.unwrap(),
        json!({"tags": [{"tag": "urn:li:tag:pii"}, {"tag": "urn:li:tag:gold"}]})
    );
    // A tag never created becomes a referenced entity.
    assert!(has_row(&app, "urn:li:tag:gold").await);

    ok(&app, REMOVE_TAG, tag_input("urn:li:tag:pii", MODEL)).await;
    assert_eq!(tags(&app, MODEL).await, ["urn:li:tag:gold"]);

    let resources = json!([{"resourceUrn": MODEL}, {"resourceUrn": DATASET}]);
    ok(
        &app,
        BATCH_ADD_TAGS,
        json!({"input": {"tagUrns": ["urn:li:tag:beta"], "resources": resources}}),
    )
    .await;
    assert_eq!(
        tags(&app, MODEL).await,
        ["urn:li:tag:gold", "urn:li:tag:beta"]
    );
    assert_eq!(tags(&app, DATASET).await, ["urn:li:tag:beta"]);
    ok(
        &app,
        BATCH_REMOVE_TAGS,
        json!({"input": {"tagUrns": ["urn:li:tag:beta", "urn:li:tag:gold"], "resources": resources}}),
    )
    .await;
    assert_eq!(tags(&app, MODEL).await, Vec::<String>::new());
    assert_eq!(tags(&app, DATASET).await, Vec::<String>::new());

    // Every edit is a version, recorded with its actor.
    let h = history(&app, MODEL, "globalTags").await;
    assert_eq!(h.iter().map(|v| v.0).collect::<Vec<_>>(), [5, 4, 3, 2, 1]);
    assert!(h.iter().all(|v| v.1 == "anonymous"), "{h:?}");
}

#[tokio::test]
async fn edits_that_change_nothing_make_no_version() {
    let app = app().await;
    ok(&app, ADD_TAG, tag_input("urn:li:tag:pii", MODEL)).await;
    ok(&app, ADD_TAG, tag_input("urn:li:tag:pii", MODEL)).await;
    ok(&app, REMOVE_TAG, tag_input("urn:li:tag:absent", MODEL)).await;
    assert_eq!(history(&app, MODEL, "globalTags").await.len(), 1);

    let owner = json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_USER",
        "ownershipTypeUrn": "urn:li:ownershipType:__system__technical_owner", "resourceUrn": MODEL}});
    ok(&app, ADD_OWNER, owner.clone()).await;
    ok(&app, ADD_OWNER, owner).await;
    assert_eq!(history(&app, MODEL, "ownership").await.len(), 1);

    let term = json!({"input": {"termUrn": "urn:li:glossaryTerm:churn", "resourceUrn": MODEL}});
    ok(&app, ADD_TERM, term.clone()).await;
    ok(&app, ADD_TERM, term).await;
    assert_eq!(history(&app, MODEL, "glossaryTerms").await.len(), 1);

    let domain = json!({"entityUrn": MODEL, "domainUrn": "urn:li:domain:marketing"});
    ok(&app, SET_DOMAIN, domain.clone()).await;
    ok(&app, SET_DOMAIN, domain).await;
    assert_eq!(history(&app, MODEL, "domains").await.len(), 1);

    let dep = json!({"input": {"urn": MODEL, "deprecated": true, "note": "use v2"}});
    ok(&app, UPDATE_DEPRECATION, dep.clone()).await;
    ok(&app, UPDATE_DEPRECATION, dep).await;
    assert_eq!(history(&app, MODEL, "deprecation").await.len(), 1);

    let link =
        json!({"input": {"linkUrl": "https://wiki/churn", "label": "Wiki", "resourceUrn": MODEL}});
    ok(&app, ADD_LINK, link.clone()).await;
    ok(&app, ADD_LINK, link).await;
    assert_eq!(history(&app, MODEL, "institutionalMemory").await.len(), 1);

    // Removing from an entity that has no such aspect writes nothing at all.
    ok(&app, REMOVE_TAG, tag_input("urn:li:tag:pii", GROUP)).await;
    assert!(aspect(&app, GROUP, "globalTags").await.is_none());
}

const ADD_OWNER: &str = "mutation($input: AddOwnerInput!) { addOwner(input: $input) }";
const ADD_OWNERS: &str = "mutation($input: AddOwnersInput!) { addOwners(input: $input) }";
const REMOVE_OWNER: &str = "mutation($input: RemoveOwnerInput!) { removeOwner(input: $input) }";
const BATCH_ADD_OWNERS: &str =
    "mutation($input: BatchAddOwnersInput!) { batchAddOwners(input: $input) }";
const BATCH_REMOVE_OWNERS: &str =
    "mutation($input: BatchRemoveOwnersInput!) { batchRemoveOwners(input: $input) }";

#[tokio::test]
async fn owners_are_added_with_their_type_and_removed() {
    let app = app().await;
    ok(
        &app,
        ADD_OWNER,
        json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_USER",
            "ownershipTypeUrn": "urn:li:ownershipType:__system__technical_owner", "resourceUrn": MODEL}}),
    )
    .await;
    ok(
        &app,
        ADD_OWNERS,
        json!({"input": {"resourceUrn": MODEL, "owners": [
            {"ownerUrn": "urn:li:corpGroup:science", "ownerEntityType": "CORP_GROUP", "type": "BUSINESS_OWNER"},
            {"ownerUrn": "urn:li:corpuser:bo", "ownerEntityType": "CORP_USER"}]}}),
    )
    .await;
    let o = aspect(&app, MODEL, "ownership").await.unwrap();
    assert_eq!(
        o["owners"],
        json!([
            {"owner": "urn:li:corpuser:ana", "type": "TECHNICAL_OWNER",
             "typeUrn": "urn:li:ownershipType:__system__technical_owner", "source": {"type": "MANUAL"}},
            {"owner": "urn:li:corpGroup:science", "type": "BUSINESS_OWNER",
             "typeUrn": "urn:li:ownershipType:__system__business_owner", "source": {"type": "MANUAL"}},
            {"owner": "urn:li:corpuser:bo", "type": "NONE",
             "typeUrn": "urn:li:ownershipType:__system__none", "source": {"type": "MANUAL"}},
        ])
    );
    assert_eq!(o["lastModified"]["actor"], "urn:li:corpuser:anonymous");
    assert!(o["lastModified"]["time"].as_i64().unwrap() > 0);
    assert!(has_row(&app, "urn:li:corpGroup:science").await);

    // Only the ownership of the type named goes.
    ok(
        &app,
        REMOVE_OWNER,
        json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "resourceUrn": MODEL,
            "ownershipTypeUrn": "urn:li:ownershipType:__system__business_owner"}}),
    )
    .await;
    assert_eq!(owners(&app, MODEL).await.len(), 3);
    ok(
        &app,
        REMOVE_OWNER,
        json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "resourceUrn": MODEL}}),
    )
    .await;
    assert_eq!(owners(&app, MODEL).await.len(), 2);

    let resources = json!([{"resourceUrn": MODEL}, {"resourceUrn": GROUP}]);
    ok(
        &app,
        BATCH_ADD_OWNERS,
        json!({"input": {"resources": resources, "ownershipTypeUrn": "urn:li:ownershipType:__system__data_steward",
            "owners": [{"ownerUrn": "urn:li:corpuser:cy", "ownerEntityType": "CORP_USER"}]}}),
    )
    .await;
    let g = aspect(&app, GROUP, "ownership").await.unwrap();
    assert_eq!(g["owners"][0]["type"], "DATA_STEWARD");
    ok(
        &app,
        BATCH_REMOVE_OWNERS,
        json!({"input": {"resources": resources, "ownerUrns": ["urn:li:corpuser:cy", "urn:li:corpuser:bo"]}}),
    )
    .await;
    let m = aspect(&app, MODEL, "ownership").await.unwrap();
    assert_eq!(m["owners"].as_array().unwrap().len(), 1);
    assert_eq!(m["owners"][0]["owner"], "urn:li:corpGroup:science");
    assert_eq!(
        aspect(&app, GROUP, "ownership").await.unwrap()["owners"],
        json!([])
    );

    // A custom ownership type that exists (here written through the SDK's API) is CUSTOM.
    let custom = "urn:li:ownershipType:model-reviewer";
    let stamp = json!({"time": 0, "actor": "urn:li:corpuser:ana"});
    ingest(
        &app,
        proposal(
            "ownershipType",
            custom,
            "ownershipTypeInfo",
            json!({"name": "Model reviewer", "created": stamp, "lastModified": stamp}),
        ),
    )
    .await;
    ok(
        &app,
        ADD_OWNER,
        json!({"input": {"ownerUrn": "urn:li:corpuser:dee", "ownerEntityType": "CORP_USER",
            "ownershipTypeUrn": custom, "resourceUrn": GROUP}}),
    )
    .await;
    let g = aspect(&app, GROUP, "ownership").await.unwrap();
    assert_eq!(g["owners"][0]["type"], "CUSTOM");
    assert_eq!(g["owners"][0]["typeUrn"], custom);
}

const ADD_TERM: &str = "mutation($input: TermAssociationInput!) { addTerm(input: $input) }";
const ADD_TERMS: &str = "mutation($input: AddTermsInput!) { addTerms(input: $input) }";
const REMOVE_TERM: &str = "mutation($input: TermAssociationInput!) { removeTerm(input: $input) }";
const BATCH_ADD_TERMS: &str =
    "mutation($input: BatchAddTermsInput!) { batchAddTerms(input: $input) }";
const BATCH_REMOVE_TERMS: &str =
    "mutation($input: BatchRemoveTermsInput!) { batchRemoveTerms(input: $input) }";

#[tokio::test]
async fn glossary_terms_are_added_and_removed() {
    let app = app().await;
    ok(
        &app,
        ADD_TERM,
        json!({"input": {"termUrn": "urn:li:glossaryTerm:churn", "resourceUrn": MODEL}}),
    )
    .await;
    ok(
        &app,
        ADD_TERMS,
        json!({"input": {"termUrns": ["urn:li:glossaryTerm:pii.email", "urn:li:glossaryTerm:churn"], "resourceUrn": MODEL}}),
    )
    .await;
    let t = aspect(&app, MODEL, "glossaryTerms").await.unwrap();
    assert_eq!(
        terms(&app, MODEL).await,
        ["urn:li:glossaryTerm:churn", "urn:li:glossaryTerm:pii.email"]
    );
    assert_eq!(t["auditStamp"]["actor"], "urn:li:corpuser:anonymous");
    assert!(has_row(&app, "urn:li:glossaryTerm:pii.email").await);
    ok(
        &app,
        REMOVE_TERM,
        json!({"input": {"termUrn": "urn:li:glossaryTerm:churn", "resourceUrn": MODEL}}),
    )
    .await;
    assert_eq!(terms(&app, MODEL).await, ["urn:li:glossaryTerm:pii.email"]);

    let resources = json!([{"resourceUrn": MODEL}, {"resourceUrn": DATASET}]);
    ok(
        &app,
        BATCH_ADD_TERMS,
        json!({"input": {"termUrns": ["urn:li:glossaryTerm:gold"], "resources": resources}}),
    )
    .await;
    assert_eq!(terms(&app, DATASET).await, ["urn:li:glossaryTerm:gold"]);
    ok(
        &app,
        BATCH_REMOVE_TERMS,
        json!({"input": {"termUrns": ["urn:li:glossaryTerm:gold"], "resources": resources}}),
    )
    .await;
    assert_eq!(terms(&app, MODEL).await, ["urn:li:glossaryTerm:pii.email"]);
    assert!(terms(&app, DATASET).await.is_empty());
}

const SET_DOMAIN: &str =
    "mutation($entityUrn: String!, $domainUrn: String!) { setDomain(entityUrn: $entityUrn, domainUrn: $domainUrn) }";
const UNSET_DOMAIN: &str = "mutation($entityUrn: String!) { unsetDomain(entityUrn: $entityUrn) }";
const BATCH_SET_DOMAIN: &str =
    "mutation($input: BatchSetDomainInput!) { batchSetDomain(input: $input) }";

#[tokio::test]
async fn domains_are_set_replaced_and_unset() {
    let app = app().await;
    ok(
        &app,
        SET_DOMAIN,
        json!({"entityUrn": MODEL, "domainUrn": "urn:li:domain:marketing"}),
    )
    .await;
    ok(
        &app,
        SET_DOMAIN,
        json!({"entityUrn": MODEL, "domainUrn": "urn:li:domain:risk"}),
    )
    .await;
    assert_eq!(
        aspect(&app, MODEL, "domains").await.unwrap(),
        json!({"domains": ["urn:li:domain:risk"]})
    );
    assert!(has_row(&app, "urn:li:domain:risk").await);
    ok(&app, UNSET_DOMAIN, json!({"entityUrn": MODEL})).await;
    assert_eq!(
        aspect(&app, MODEL, "domains").await.unwrap(),
        json!({"domains": []})
    );

    let resources = json!([{"resourceUrn": MODEL}, {"resourceUrn": GROUP}]);
    ok(
        &app,
        BATCH_SET_DOMAIN,
        json!({"input": {"domainUrn": "urn:li:domain:ml", "resources": resources}}),
    )
    .await;
    assert_eq!(
        aspect(&app, GROUP, "domains").await.unwrap(),
        json!({"domains": ["urn:li:domain:ml"]})
    );
    ok(
        &app,
        BATCH_SET_DOMAIN,
        json!({"input": {"domainUrn": null, "resources": resources}}),
    )
    .await;
    assert_eq!(
        aspect(&app, MODEL, "domains").await.unwrap(),
        json!({"domains": []})
    );
    assert_eq!(history(&app, MODEL, "domains").await.len(), 5);
}

const UPDATE_DEPRECATION: &str =
    "mutation($input: UpdateDeprecationInput!) { updateDeprecation(input: $input) }";
const BATCH_UPDATE_DEPRECATION: &str =
    "mutation($input: BatchUpdateDeprecationInput!) { batchUpdateDeprecation(input: $input) }";

#[tokio::test]
async fn deprecation_is_set_with_its_actor_and_lifted() {
    let app = app().await;
    let v2 = "urn:li:mlModel:(urn:li:dataPlatform:gov,churn_v2,PROD)";
    ok(
        &app,
        UPDATE_DEPRECATION,
        json!({"input": {"urn": MODEL, "deprecated": true, "note": "use v2",
            "decommissionTime": 1_900_000_000_000_i64, "replacement": v2}}),
    )
    .await;
    assert_eq!(
        aspect(&app, MODEL, "deprecation").await.unwrap(),
        json!({"deprecated": true, "decommissionTime": 1_900_000_000_000_i64, "note": "use v2",
               "actor": "urn:li:corpuser:anonymous", "replacement": v2})
    );
    let resources = json!([{"resourceUrn": MODEL}, {"resourceUrn": DATASET}]);
    ok(
        &app,
        BATCH_UPDATE_DEPRECATION,
        json!({"input": {"deprecated": false, "resources": resources}}),
    )
    .await;
    assert_eq!(
        aspect(&app, MODEL, "deprecation").await.unwrap(),
        json!({"deprecated": false, "note": "", "actor": "urn:li:corpuser:anonymous"})
    );
    // The dataset was not deprecated: lifting changes nothing there.
    assert!(aspect(&app, DATASET, "deprecation").await.is_none());
}

const ADD_LINK: &str = "mutation($input: AddLinkInput!) { addLink(input: $input) }";
const REMOVE_LINK: &str = "mutation($input: RemoveLinkInput!) { removeLink(input: $input) }";

#[tokio::test]
async fn links_are_added_with_a_create_stamp_and_removed() {
    let app = app().await;
    ok(
        &app,
        ADD_LINK,
        json!({"input": {"linkUrl": "https://wiki/churn", "label": "Wiki", "resourceUrn": MODEL}}),
    )
    .await;
    ok(
        &app,
        ADD_LINK,
        json!({"input": {"linkUrl": "https://runbook", "label": "Runbook", "resourceUrn": MODEL}}),
    )
    .await;
    let m = aspect(&app, MODEL, "institutionalMemory").await.unwrap();
    let e = &m["elements"][0];
    assert_eq!(
        (e["url"].as_str(), e["description"].as_str()),
        (Some("https://wiki/churn"), Some("Wiki"))
    );
    assert_eq!(e["createStamp"]["actor"], "urn:li:corpuser:anonymous");
    ok(
        &app,
        REMOVE_LINK,
        json!({"input": {"linkUrl": "https://wiki/churn", "resourceUrn": MODEL}}),
    )
    .await;
    let m = aspect(&app, MODEL, "institutionalMemory").await.unwrap();
    assert_eq!(m["elements"].as_array().unwrap().len(), 1);
    assert_eq!(m["elements"][0]["url"], "https://runbook");
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = app().await;
    let before = app.row_counts().await;
    let cases = [
        (
            ADD_TAG,
            tag_input("urn:li:glossaryTerm:pii", MODEL),
            "tagUrn",
        ),
        (
            ADD_TAG,
            tag_input("urn:li:tag:pii", "not a urn"),
            "resourceUrn",
        ),
        (
            ADD_TAG,
            tag_input("urn:li:tag:pii", "urn:li:tag:other"),
            "resourceUrn",
        ),
        (
            ADD_TAG,
            json!({"input": {"tagUrn": "urn:li:tag:pii", "resourceUrn": MODEL, "subResourceType": "DATASET_FIELD", "subResource": "email"}}),
            "has no schema fields",
        ),
        (
            ADD_TAGS,
            json!({"input": {"tagUrns": ["urn:li:tag:a", "urn:li:domain:b"], "resourceUrn": MODEL}}),
            "tagUrns[1]",
        ),
        (
            ADD_OWNER,
            json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_USER",
                "ownershipTypeUrn": "urn:li:ownershipType:__system__nope", "resourceUrn": MODEL}}),
            "ownershipTypeUrn",
        ),
        (
            ADD_OWNER,
            json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_USER",
                "ownershipTypeUrn": "urn:li:ownershipType:never-made", "resourceUrn": MODEL}}),
            "ownershipTypeUrn",
        ),
        (
            ADD_OWNER,
            json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_GROUP", "resourceUrn": MODEL}}),
            "ownerUrn",
        ),
        (
            ADD_TERM,
            json!({"input": {"termUrn": "urn:li:tag:x", "resourceUrn": MODEL}}),
            "termUrn",
        ),
        (
            SET_DOMAIN,
            json!({"entityUrn": MODEL, "domainUrn": "urn:li:tag:x"}),
            "domainUrn",
        ),
        (
            SET_DOMAIN,
            json!({"entityUrn": "urn:li:dataPlatform:hive", "domainUrn": "urn:li:domain:x"}),
            "entityUrn",
        ),
        (
            UPDATE_DEPRECATION,
            json!({"input": {"urn": MODEL, "deprecated": true, "replacement": "nope"}}),
            "replacement",
        ),
        (
            ADD_LINK,
            json!({"input": {"linkUrl": " ", "label": "x", "resourceUrn": MODEL}}),
            "linkUrl",
        ),
    ];
    for (mutation, input, needle) in cases {
        let (code, message) = refused(&app, mutation, input.clone()).await;
        assert_eq!(code, "BAD_USER_INPUT", "{input} → {message}");
        assert!(
            message.contains(needle),
            "{input}: {message:?} lacks {needle:?}"
        );
    }
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test]
async fn a_batch_with_one_bad_resource_writes_nothing() {
    let app = app().await;
    let before = app.row_counts().await;
    let (code, message) = refused(
        &app,
        BATCH_ADD_TAGS,
        json!({"input": {"tagUrns": ["urn:li:tag:pii"], "resources": [
            {"resourceUrn": MODEL}, {"resourceUrn": "urn:li:corpuser:ana"}]}}),
    )
    .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("resources[1].resourceUrn"), "{message}");
    // A resource that does not exist fails the whole batch too.
    let missing = "urn:li:mlModel:(urn:li:dataPlatform:gov,missing,PROD)";
    let (code, message) = refused(
        &app,
        BATCH_ADD_TERMS,
        json!({"input": {"termUrns": ["urn:li:glossaryTerm:t"], "resources": [
            {"resourceUrn": MODEL}, {"resourceUrn": missing}]}}),
    )
    .await;
    assert_eq!(code, "NOT_FOUND", "{message}");
    assert!(message.contains(missing), "{message}");
    assert_eq!(app.row_counts().await, before);
    assert!(aspect(&app, MODEL, "globalTags").await.is_none());
    assert!(aspect(&app, MODEL, "glossaryTerms").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_add_tags_keep_all_forty() {
    let app = Arc::new(app().await);
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                ok(&app, ADD_TAG, tag_input(&format!("urn:li:tag:t{i}"), MODEL)).await;
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("a client panicked");
    }
    let mut got = tags(&app, MODEL).await;
    got.sort();
    let mut want: Vec<String> = (0..40).map(|i| format!("urn:li:tag:t{i}")).collect();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(history(&app, MODEL, "globalTags").await.len(), 40);
}

#[tokio::test]
async fn the_actor_is_the_token_name() {
    let app = TestApp::with_auth().await;
    let token = app.write_tokens(1).await.remove(0);
    let send = |query: &str, variables: Value| {
        let body = json!({"query": query, "variables": variables}).to_string();
        Request::post("/api/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap()
    };
    let upsert = "mutation { upsertMLModel(input: {urn: \"URN\"}) { urn } }".replace("URN", MODEL);
    let (status, _) = app.request(send(&upsert, json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .request(send(
            ADD_OWNER,
            json!({"input": {"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_USER", "resourceUrn": MODEL}}),
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["data"]["addOwner"], true, "{body}");
    let (status, body) = app
        .request(
            Request::post("/api/graphql")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(
                    json!({"query": format!(r#"{{ mlModel(urn: "{MODEL}") {{ aspectHistory(aspectName: "ownership") {{ actor value }} }} }}"#)}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_slice(&body).unwrap();
    let v = &body["data"]["mlModel"]["aspectHistory"][0];
    assert_eq!(v["actor"], "writer-0", "{body}");
    assert_eq!(
        v["value"]["lastModified"]["actor"],
        "urn:li:corpuser:writer-0"
    );

    // A read token cannot edit governance.
    let reader = mlcat::auth::create_token(&app.db, "reader", mlcat::auth::Scope::Read)
        .await
        .unwrap();
    let before = app.row_counts().await;
    let (status, body) = app
        .request(
            Request::post("/api/graphql")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {reader}"))
                .body(Body::from(
                    json!({"query": ADD_TAG, "variables": tag_input("urn:li:tag:pii", MODEL)})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    assert_eq!(app.row_counts().await, before);
}
