//! DataHub's create mutations for the entities governance points at: `createTag`,
//! `createGlossaryTerm`, `createGlossaryNode`, `createDomain`, and `updateName`,
//! `updateDescription` and the soft deletes of them. Each creation answers the new URN and is
//! read back through GraphQL and through DataHub's REST aspect read; an id that exists is
//! CONFLICT, a parent of the wrong type or missing is BAD_USER_INPUT, and neither writes
//! anything.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::datahub::aspect_path;
use crate::support::TestApp;

/// The latest value of an aspect as DataHub's REST API answers it, or None.
pub(crate) async fn aspect(app: &TestApp, urn: &str, name: &str) -> Option<Value> {
    let (status, body) = app.get_json(&aspect_path(urn, name, 0)).await;
    if status == StatusCode::NOT_FOUND {
        return None;
    }
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, value) = body["aspect"].as_object().unwrap().iter().next().unwrap();
    Some(value.clone())
}

/// Runs a mutation that must succeed; answers its `data`.
pub(crate) async fn run(app: &TestApp, mutation: &str, variables: Value) -> Value {
    let answer = app.gql_vars(mutation, variables).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    answer["data"].clone()
}

/// Runs a mutation that must fail; answers its first error's code and message.
pub(crate) async fn refused(app: &TestApp, mutation: &str, variables: Value) -> (String, String) {
    let answer = app.gql_vars(mutation, variables).await;
    let e = &answer["errors"][0];
    assert!(e.is_object(), "{answer:#}");
    (
        e["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

const CREATE_TAG: &str = "mutation($input: CreateTagInput!) { createTag(input: $input) }";
const CREATE_TERM: &str =
    "mutation($input: CreateGlossaryEntityInput!) { createGlossaryTerm(input: $input) }";
const CREATE_NODE: &str =
    "mutation($input: CreateGlossaryEntityInput!) { createGlossaryNode(input: $input) }";
const CREATE_DOMAIN: &str = "mutation($input: CreateDomainInput!) { createDomain(input: $input) }";
const UPDATE_NAME: &str = "mutation($input: UpdateNameInput!) { updateName(input: $input) }";
const UPDATE_DESCRIPTION: &str =
    "mutation($input: DescriptionUpdateInput!) { updateDescription(input: $input) }";

#[tokio::test]
async fn a_tag_is_created_read_back_renamed_and_refused_twice() {
    let app = TestApp::new().await;
    let data = run(
        &app,
        CREATE_TAG,
        json!({"input": {"id": "pii", "name": "PII", "description": "Personal data"}}),
    )
    .await;
    assert_eq!(data["createTag"], "urn:li:tag:pii");
    assert_eq!(
        aspect(&app, "urn:li:tag:pii", "tagProperties")
            .await
            .unwrap(),
        json!({"name": "PII", "description": "Personal data"})
    );
    let read = app
        .data(
            r#"{ tag(urn: "urn:li:tag:pii") { urn name exists properties { name description } } }"#,
        )
        .await;
    assert_eq!(
        read["tag"],
        json!({"urn": "urn:li:tag:pii", "name": "pii", "exists": true,
               "properties": {"name": "PII", "description": "Personal data"}})
    );

    // The same id again: CONFLICT, and the first tag is left as it was.
    let (code, message) = refused(
        &app,
        CREATE_TAG,
        json!({"input": {"id": "pii", "name": "Other"}}),
    )
    .await;
    assert_eq!(code, "CONFLICT", "{message}");
    assert!(message.contains("already exists"), "{message}");
    assert_eq!(
        aspect(&app, "urn:li:tag:pii", "tagProperties")
            .await
            .unwrap()["name"],
        "PII"
    );

    run(
        &app,
        UPDATE_NAME,
        json!({"input": {"urn": "urn:li:tag:pii", "name": "Personal"}}),
    )
    .await;
    run(
        &app,
        UPDATE_DESCRIPTION,
        json!({"input": {"resourceUrn": "urn:li:tag:pii", "description": "Anything personal"}}),
    )
    .await;
    assert_eq!(
        aspect(&app, "urn:li:tag:pii", "tagProperties")
            .await
            .unwrap(),
        json!({"name": "Personal", "description": "Anything personal"})
    );
}

#[tokio::test]
async fn a_tag_without_an_id_gets_a_generated_one_and_a_referenced_tag_can_be_created() {
    let app = TestApp::new().await;
    let data = run(&app, CREATE_TAG, json!({"input": {"name": "Gold"}})).await;
    let urn = data["createTag"].as_str().unwrap();
    let id = urn.strip_prefix("urn:li:tag:").unwrap();
    assert_eq!(id.len(), 36, "{urn}");
    assert_eq!(
        aspect(&app, urn, "tagProperties").await.unwrap(),
        json!({"name": "Gold"})
    );

    // A tag attached to an entity before anyone created it has no properties; creating it
    // fills them in.
    run(
        &app,
        "mutation { upsertMLModel(input: {platform: \"p\", name: \"m\"}) { urn } }",
        json!({}),
    )
    .await;
    run(
        &app,
        "mutation($input: TagAssociationInput!) { addTag(input: $input) }",
        json!({"input": {"tagUrn": "urn:li:tag:beta",
                         "resourceUrn": "urn:li:mlModel:(urn:li:dataPlatform:p,m,PROD)"}}),
    )
    .await;
    assert!(aspect(&app, "urn:li:tag:beta", "tagProperties")
        .await
        .is_none());
    run(
        &app,
        CREATE_TAG,
        json!({"input": {"id": "beta", "name": "Beta"}}),
    )
    .await;
    assert_eq!(
        aspect(&app, "urn:li:tag:beta", "tagProperties")
            .await
            .unwrap(),
        json!({"name": "Beta"})
    );
}

#[tokio::test]
async fn glossary_nodes_and_terms_are_created_under_their_parents() {
    let app = TestApp::new().await;
    let node = run(
        &app,
        CREATE_NODE,
        json!({"input": {"id": "Classification", "name": "Classification",
                         "description": "How sensitive data is"}}),
    )
    .await;
    assert_eq!(
        node["createGlossaryNode"],
        "urn:li:glossaryNode:Classification"
    );
    let term = run(
        &app,
        CREATE_TERM,
        json!({"input": {"id": "Classification.PII", "name": "PII",
                         "description": "Personally identifiable",
                         "parentNode": "urn:li:glossaryNode:Classification"}}),
    )
    .await;
    let term_urn = "urn:li:glossaryTerm:Classification.PII";
    assert_eq!(term["createGlossaryTerm"], term_urn);
    assert_eq!(
        aspect(&app, term_urn, "glossaryTermInfo").await.unwrap(),
        json!({"name": "PII", "definition": "Personally identifiable", "termSource": "INTERNAL",
               "parentNode": "urn:li:glossaryNode:Classification"})
    );
    assert_eq!(
        aspect(
            &app,
            "urn:li:glossaryNode:Classification",
            "glossaryNodeInfo"
        )
        .await
        .unwrap(),
        json!({"name": "Classification", "definition": "How sensitive data is"})
    );
    let read = app
        .data(&format!(
            r#"{{ glossaryTerm(urn: "{term_urn}") {{
                properties {{ name description termSource }}
                parentNodes {{ count nodes {{ urn properties {{ name }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        read["glossaryTerm"],
        json!({"properties": {"name": "PII", "description": "Personally identifiable",
                              "termSource": "INTERNAL"},
               "parentNodes": {"count": 1, "nodes": [{"urn": "urn:li:glossaryNode:Classification",
                                                      "properties": {"name": "Classification"}}]}})
    );

    run(
        &app,
        UPDATE_NAME,
        json!({"input": {"urn": term_urn, "name": "Personal data"}}),
    )
    .await;
    assert_eq!(
        aspect(&app, term_urn, "glossaryTermInfo").await.unwrap()["name"],
        "Personal data"
    );
    let (code, _) = refused(
        &app,
        CREATE_TERM,
        json!({"input": {"id": "Classification.PII", "name": "again"}}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
}

#[tokio::test]
async fn a_parent_of_the_wrong_type_or_missing_is_refused_and_nothing_is_written() {
    let app = TestApp::new().await;
    let rows = app.row_counts().await;
    for (mutation, input, field) in [
        (
            CREATE_TERM,
            json!({"id": "t", "name": "T", "parentNode": "urn:li:glossaryTerm:other"}),
            "parentNode",
        ),
        (
            CREATE_NODE,
            json!({"id": "n", "name": "N", "parentNode": "urn:li:glossaryNode:nowhere"}),
            "parentNode",
        ),
        (
            CREATE_DOMAIN,
            json!({"id": "d", "name": "D", "parentDomain": "urn:li:tag:x"}),
            "parentDomain",
        ),
        (
            CREATE_DOMAIN,
            json!({"id": "d", "name": "D", "parentDomain": "not a urn"}),
            "parentDomain",
        ),
        (CREATE_TAG, json!({"id": "t", "name": "  "}), "name"),
        (CREATE_TAG, json!({"id": "a(b", "name": "x"}), "id"),
        (CREATE_DOMAIN, json!({"id": "", "name": "x"}), "id"),
    ] {
        let (code, message) = refused(&app, mutation, json!({ "input": input })).await;
        assert_eq!(code, "BAD_USER_INPUT", "{input}: {message}");
        assert!(message.starts_with(field), "{input}: {message}");
    }
    // A missing name is GraphQL's own refusal, before any resolver runs.
    let answer = app
        .gql_vars(CREATE_TAG, json!({"input": {"id": "t"}}))
        .await;
    assert!(answer["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("name"));
    assert_eq!(app.row_counts().await, rows);
}

#[tokio::test]
async fn a_domain_is_created_under_its_parent_with_its_creator_and_owners() {
    let app = TestApp::new().await;
    run(
        &app,
        CREATE_DOMAIN,
        json!({"input": {"id": "science", "name": "Science"}}),
    )
    .await;
    let data = run(
        &app,
        CREATE_DOMAIN,
        json!({"input": {"id": "ml", "name": "Machine learning", "description": "Models",
                         "parentDomain": "urn:li:domain:science",
                         "owners": [{"ownerUrn": "urn:li:corpuser:ana", "ownerEntityType": "CORP_USER",
                                     "type": "TECHNICAL_OWNER"}]}}),
    )
    .await;
    assert_eq!(data["createDomain"], "urn:li:domain:ml");
    let props = aspect(&app, "urn:li:domain:ml", "domainProperties")
        .await
        .unwrap();
    assert_eq!(props["name"], "Machine learning");
    assert_eq!(props["description"], "Models");
    assert_eq!(props["parentDomain"], "urn:li:domain:science");
    assert_eq!(props["created"]["actor"], "urn:li:corpuser:anonymous");
    let read = app
        .data(
            r#"{ domain(urn: "urn:li:domain:ml") {
                properties { name description }
                parentDomains { count domains { urn } }
                ownership { owners { owner { ... on CorpUser { urn } } ownershipType { urn } } } } }"#,
        )
        .await;
    assert_eq!(
        read["domain"],
        json!({"properties": {"name": "Machine learning", "description": "Models"},
               "parentDomains": {"count": 1, "domains": [{"urn": "urn:li:domain:science"}]},
               // The creator (the anonymous writer of a server without auth) and the owner named.
               "ownership": {"owners": [
                   {"owner": {"urn": "urn:li:corpuser:anonymous"},
                    "ownershipType": {"urn": "urn:li:ownershipType:__system__technical_owner"}},
                   {"owner": {"urn": "urn:li:corpuser:ana"},
                    "ownershipType": {"urn": "urn:li:ownershipType:__system__technical_owner"}}]}})
    );
    let (code, _) = refused(
        &app,
        CREATE_DOMAIN,
        json!({"input": {"id": "ml", "name": "again"}}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
}

#[tokio::test]
async fn renaming_what_was_never_created_is_not_found_and_other_types_are_refused() {
    let app = TestApp::new().await;
    let (code, _) = refused(
        &app,
        UPDATE_NAME,
        json!({"input": {"urn": "urn:li:tag:ghost", "name": "x"}}),
    )
    .await;
    assert_eq!(code, "NOT_FOUND");
    let (code, message) = refused(
        &app,
        UPDATE_NAME,
        json!({"input": {"urn": "urn:li:mlModel:(urn:li:dataPlatform:p,m,PROD)", "name": "x"}}),
    )
    .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.starts_with("urn"), "{message}");
}

#[tokio::test]
async fn deleted_tags_terms_and_domains_are_soft_deleted_and_restorable() {
    let app = TestApp::new().await;
    run(
        &app,
        CREATE_TAG,
        json!({"input": {"id": "old", "name": "Old"}}),
    )
    .await;
    run(
        &app,
        CREATE_NODE,
        json!({"input": {"id": "n", "name": "N"}}),
    )
    .await;
    run(
        &app,
        CREATE_DOMAIN,
        json!({"input": {"id": "d", "name": "D"}}),
    )
    .await;
    for (mutation, urn) in [
        ("deleteTag", "urn:li:tag:old"),
        ("deleteGlossaryEntity", "urn:li:glossaryNode:n"),
        ("deleteDomain", "urn:li:domain:d"),
    ] {
        let data = run(
            &app,
            &format!("mutation($urn: String!) {{ {mutation}(urn: $urn) }}"),
            json!({ "urn": urn }),
        )
        .await;
        assert_eq!(data[mutation], true);
        assert_eq!(
            aspect(&app, urn, "status").await.unwrap(),
            json!({"removed": true})
        );
    }
    // The wrong entity type for the mutation is refused.
    let (code, _) = refused(
        &app,
        "mutation { deleteTag(urn: \"urn:li:domain:d\") }",
        json!({}),
    )
    .await;
    assert_eq!(code, "BAD_USER_INPUT");
    run(
        &app,
        "mutation { restoreEntity(urn: \"urn:li:tag:old\") }",
        json!({}),
    )
    .await;
    assert_eq!(
        aspect(&app, "urn:li:tag:old", "status").await.unwrap(),
        json!({"removed": false})
    );
}

#[tokio::test]
async fn of_concurrent_creations_of_one_id_exactly_one_wins() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let answer = app
                    .gql_vars(
                        CREATE_DOMAIN,
                        json!({"input": {"id": "race", "name": format!("Race {i}")}}),
                    )
                    .await;
                match answer.get("errors") {
                    None => Ok(i),
                    Some(e) => Err(e[0]["extensions"]["code"].as_str().unwrap().to_string()),
                }
            })
        })
        .collect();
    let mut won = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(i) => won.push(i),
            Err(code) => assert_eq!(code, "CONFLICT"),
        }
    }
    assert_eq!(won.len(), 1, "{won:?}");
    assert_eq!(
        aspect(&app, "urn:li:domain:race", "domainProperties")
            .await
            .unwrap()["name"],
        format!("Race {}", won[0])
    );
}

#[tokio::test]
async fn the_creator_of_a_tag_term_or_node_owns_it_and_a_group_is_owned_by_nobody() {
    let app = TestApp::with_auth().await;
    let token = app.write_tokens(1).await.remove(0);
    let as_writer = |query: &str, variables: Value| {
        let request = axum::http::Request::post("/api/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(
                json!({ "query": query, "variables": variables }).to_string(),
            ))
            .unwrap();
        app.request(request)
    };
    let creations = [
        (CREATE_TAG, json!({"input": {"id": "gdpr", "name": "GDPR"}})),
        (
            CREATE_NODE,
            json!({"input": {"id": "finance", "name": "Finance"}}),
        ),
        (
            CREATE_TERM,
            json!({"input": {"id": "revenue", "name": "Revenue"}}),
        ),
    ];
    for (mutation, variables) in creations {
        let (status, body) = as_writer(mutation, variables).await;
        assert_eq!(status, StatusCode::OK);
        let answer: Value = serde_json::from_slice(&body).unwrap();
        assert!(answer.get("errors").is_none(), "{answer:#}");
    }
    let (status, body) = as_writer(
        "mutation($input: CreateGroupInput!) { createGroup(input: $input) }",
        json!({"input": {"id": "ml-team", "name": "ML team"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let owners =
        "ownership { owners { owner { ... on CorpUser { urn } } type ownershipType { urn } } }";
    let read = |root: &str, urn: &str| format!(r#"{root}(urn: "{urn}") {{ {owners} }}"#);
    let query = format!(
        "{{ {} {} {} {} }}",
        read("tag", "urn:li:tag:gdpr"),
        read("glossaryNode", "urn:li:glossaryNode:finance"),
        read("glossaryTerm", "urn:li:glossaryTerm:revenue"),
        read("corpGroup", "urn:li:corpGroup:ml-team"),
    );
    let (_, body) = as_writer(&query, json!({})).await;
    let answer: Value = serde_json::from_slice(&body).unwrap();
    let creator = json!({"owners": [{"owner": {"urn": "urn:li:corpuser:writer-0"},
        "type": "TECHNICAL_OWNER",
        "ownershipType": {"urn": "urn:li:ownershipType:__system__technical_owner"}}]});
    for root in ["tag", "glossaryNode", "glossaryTerm"] {
        assert_eq!(answer["data"][root]["ownership"], creator, "{answer:#}");
    }
    assert!(
        answer["data"]["corpGroup"]["ownership"].is_null(),
        "{answer:#}"
    );
}
