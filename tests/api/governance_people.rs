//! Users and groups, the way a team sets them up to assign owners: `createGroup`,
//! `addGroupMembers` / `removeGroupMembers` (each member's `groupMembership`, edited element by
//! element, so 20 concurrent additions keep all 20), `updateCorpUserProperties`,
//! `updateCorpGroupProperties`, `removeUser` and `removeGroup`.

use std::sync::Arc;

use serde_json::json;

use crate::governance_create::{aspect, refused, run};
use crate::support::TestApp;

const CREATE_GROUP: &str = "mutation($input: CreateGroupInput!) { createGroup(input: $input) }";
const ADD_MEMBERS: &str =
    "mutation($input: AddGroupMembersInput!) { addGroupMembers(input: $input) }";
const REMOVE_MEMBERS: &str =
    "mutation($input: RemoveGroupMembersInput!) { removeGroupMembers(input: $input) }";
const GROUP: &str = "urn:li:corpGroup:ml-platform";

async fn app_with_group() -> TestApp {
    let app = TestApp::new().await;
    let data = run(
        &app,
        CREATE_GROUP,
        json!({"input": {"id": "ml-platform", "name": "ML platform", "description": "Runs the models"}}),
    )
    .await;
    assert_eq!(data["createGroup"], GROUP);
    app
}

#[tokio::test]
async fn a_group_is_created_in_datahubs_shape_and_refused_twice() {
    let app = app_with_group().await;
    let info = aspect(&app, GROUP, "corpGroupInfo").await.unwrap();
    assert_eq!(info["displayName"], "ML platform");
    assert_eq!(info["description"], "Runs the models");
    assert_eq!(
        (&info["admins"], &info["members"], &info["groups"]),
        (&json!([]), &json!([]), &json!([]))
    );
    assert_eq!(
        aspect(&app, GROUP, "origin").await.unwrap(),
        json!({"type": "NATIVE"})
    );
    let read = app
        .data(&format!(
            r#"{{ corpGroup(urn: "{GROUP}") {{ name exists properties {{ displayName description }} }} }}"#
        ))
        .await;
    assert_eq!(
        read["corpGroup"],
        json!({"name": "ml-platform", "exists": true,
               "properties": {"displayName": "ML platform", "description": "Runs the models"}})
    );
    let (code, _) = refused(
        &app,
        CREATE_GROUP,
        json!({"input": {"id": "ml-platform", "name": "again"}}),
    )
    .await;
    assert_eq!(code, "CONFLICT");
    assert_eq!(
        aspect(&app, GROUP, "corpGroupInfo").await.unwrap()["displayName"],
        "ML platform"
    );

    run(
        &app,
        "mutation($input: UpdateNameInput!) { updateName(input: $input) }",
        json!({"input": {"urn": GROUP, "name": "Platform"}}),
    )
    .await;
    assert_eq!(
        aspect(&app, GROUP, "corpGroupInfo").await.unwrap()["displayName"],
        "Platform"
    );
}

#[tokio::test]
async fn members_are_added_and_removed_in_their_group_membership() {
    let app = app_with_group().await;
    run(
        &app,
        CREATE_GROUP,
        json!({"input": {"id": "analysts", "name": "Analysts"}}),
    )
    .await;
    let ana = "urn:li:corpuser:ana";
    run(
        &app,
        ADD_MEMBERS,
        json!({"input": {"groupUrn": GROUP, "userUrns": [ana, "urn:li:corpuser:bo"]}}),
    )
    .await;
    run(
        &app,
        ADD_MEMBERS,
        json!({"input": {"groupUrn": "urn:li:corpGroup:analysts", "userUrns": [ana]}}),
    )
    .await;
    // Adding a member again changes nothing.
    run(
        &app,
        ADD_MEMBERS,
        json!({"input": {"groupUrn": GROUP, "userUrns": [ana]}}),
    )
    .await;
    assert_eq!(
        aspect(&app, ana, "groupMembership").await.unwrap(),
        json!({"groups": [GROUP, "urn:li:corpGroup:analysts"]})
    );
    // The user did not exist before: it is a referenced entity now.
    let read = app
        .data(r#"{ corpUser(urn: "urn:li:corpuser:bo") { urn username } }"#)
        .await;
    assert_eq!(read["corpUser"]["username"], "bo");

    run(
        &app,
        REMOVE_MEMBERS,
        json!({"input": {"groupUrn": GROUP, "userUrns": [ana]}}),
    )
    .await;
    assert_eq!(
        aspect(&app, ana, "groupMembership").await.unwrap(),
        json!({"groups": ["urn:li:corpGroup:analysts"]})
    );
    // The group's members, as DataHub's UI asks for them.
    let data = app
        .data(&format!(
            r#"{{ corpGroup(urn: "{GROUP}") {{ relationships(input: {{types: ["IsMemberOfGroup"], direction: INCOMING}}) {{
                total relationships {{ entity {{ urn }} }} }} }} }}"#
        ))
        .await;
    assert_eq!(
        data["corpGroup"]["relationships"],
        json!({"total": 1, "relationships": [{"entity": {"urn": "urn:li:corpuser:bo"}}]})
    );
    // Removing from a group the user is not in changes nothing.
    run(
        &app,
        REMOVE_MEMBERS,
        json!({"input": {"groupUrn": GROUP, "userUrns": [ana]}}),
    )
    .await;
    let versions = app
        .data(r#"{ corpUser(urn: "urn:li:corpuser:ana") { urn } }"#)
        .await;
    assert_eq!(versions["corpUser"]["urn"], ana);
}

#[tokio::test]
async fn twenty_concurrent_additions_to_one_group_keep_all_twenty() {
    let app = Arc::new(app_with_group().await);
    for i in 0..20 {
        run(
            &app,
            CREATE_GROUP,
            json!({"input": {"id": format!("g{i}"), "name": format!("G{i}")}}),
        )
        .await;
    }
    // Twenty users join one group, and one user joins twenty groups (twenty edits of the same
    // `groupMembership`), all at once.
    let tasks: Vec<_> = (0..20)
        .flat_map(|i| {
            let one = (
                app.clone(),
                json!({"input": {"groupUrn": GROUP, "userUrns": [format!("urn:li:corpuser:u{i}")]}}),
            );
            let many = (
                app.clone(),
                json!({"input": {"groupUrn": format!("urn:li:corpGroup:g{i}"),
                                 "userUrns": ["urn:li:corpuser:shared"]}}),
            );
            [one, many]
        })
        .map(|(app, input)| tokio::spawn(async move { run(&app, ADD_MEMBERS, input).await }))
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    for i in 0..20 {
        let user = format!("urn:li:corpuser:u{i}");
        assert_eq!(
            aspect(&app, &user, "groupMembership").await.unwrap(),
            json!({"groups": [GROUP]}),
            "{user}"
        );
    }
    let shared = aspect(&app, "urn:li:corpuser:shared", "groupMembership")
        .await
        .unwrap();
    let mut got: Vec<&str> = shared["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    got.sort_unstable();
    let mut want: Vec<String> = (0..20).map(|i| format!("urn:li:corpGroup:g{i}")).collect();
    want.sort_unstable();
    assert_eq!(got, want);
}

#[tokio::test]
async fn bad_member_edits_are_refused_and_write_nothing() {
    let app = app_with_group().await;
    let rows = app.row_counts().await;
    let cases = [
        (
            ADD_MEMBERS,
            json!({"groupUrn": GROUP, "userUrns": ["urn:li:corpuser:ok", "urn:li:corpGroup:x"]}),
            "BAD_USER_INPUT",
            "userUrns[1]",
        ),
        (
            ADD_MEMBERS,
            json!({"groupUrn": "urn:li:corpuser:x", "userUrns": ["urn:li:corpuser:ok"]}),
            "BAD_USER_INPUT",
            "groupUrn",
        ),
        (
            ADD_MEMBERS,
            json!({"groupUrn": "urn:li:corpGroup:nobody", "userUrns": ["urn:li:corpuser:ok"]}),
            "NOT_FOUND",
            "groupUrn",
        ),
        (
            REMOVE_MEMBERS,
            json!({"groupUrn": GROUP, "userUrns": ["urn:li:corpuser:never-seen"]}),
            "NOT_FOUND",
            "",
        ),
        (
            CREATE_GROUP,
            json!({"id": "g2", "name": ""}),
            "BAD_USER_INPUT",
            "name",
        ),
    ];
    for (mutation, input, want, field) in cases {
        let (code, message) = refused(&app, mutation, json!({ "input": input })).await;
        assert_eq!(code, want, "{input}: {message}");
        assert!(message.starts_with(field), "{input}: {message}");
    }
    assert_eq!(app.row_counts().await, rows);
}

#[tokio::test]
async fn user_and_group_properties_are_edited_field_by_field() {
    let app = app_with_group().await;
    let user = "urn:li:corpuser:ana";
    let data = run(
        &app,
        "mutation($urn: String!, $input: CorpUserUpdateInput!) {
            updateCorpUserProperties(urn: $urn, input: $input) { urn editableProperties { displayName title teams } } }",
        json!({"urn": user, "input": {"displayName": "Ana", "title": "ML engineer", "teams": ["platform"]}}),
    )
    .await;
    assert_eq!(
        data["updateCorpUserProperties"],
        json!({"urn": user, "editableProperties": {"displayName": "Ana", "title": "ML engineer",
                                                   "teams": ["platform"]}})
    );
    run(
        &app,
        "mutation($urn: String!, $input: CorpUserUpdateInput!) {
            updateCorpUserProperties(urn: $urn, input: $input) { urn } }",
        json!({"urn": user, "input": {"title": "Lead", "email": "ana@example.com"}}),
    )
    .await;
    assert_eq!(
        aspect(&app, user, "corpUserEditableInfo").await.unwrap(),
        json!({"displayName": "Ana", "title": "Lead", "teams": ["platform"], "email": "ana@example.com"})
    );

    let data = run(
        &app,
        "mutation($urn: String!, $input: CorpGroupUpdateInput!) {
            updateCorpGroupProperties(urn: $urn, input: $input) { urn editableProperties { description slack } } }",
        json!({"urn": GROUP, "input": {"description": "Owns serving", "slack": "#ml-platform"}}),
    )
    .await;
    assert_eq!(
        data["updateCorpGroupProperties"],
        json!({"urn": GROUP, "editableProperties": {"description": "Owns serving", "slack": "#ml-platform"}})
    );
    assert_eq!(
        aspect(&app, GROUP, "corpGroupEditableInfo").await.unwrap(),
        json!({"description": "Owns serving", "slack": "#ml-platform"})
    );

    // A group that was never created cannot be edited; a user URN where a group belongs is
    // refused.
    let (code, _) = refused(
        &app,
        "mutation { updateCorpGroupProperties(urn: \"urn:li:corpGroup:ghost\", input: {slack: \"#x\"}) { urn } }",
        json!({}),
    )
    .await;
    assert_eq!(code, "NOT_FOUND");
    let (code, message) = refused(
        &app,
        "mutation { updateCorpGroupProperties(urn: \"urn:li:corpuser:ana\", input: {slack: \"#x\"}) { urn } }",
        json!({}),
    )
    .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.starts_with("urn"), "{message}");
    let (code, message) = refused(
        &app,
        "mutation { updateCorpUserProperties(urn: \"urn:li:corpuser:ana\", input: {platformUrns: [\"urn:li:tag:x\"]}) { urn } }",
        json!({}),
    )
    .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.starts_with("input.platformUrns[0]"), "{message}");
}

#[tokio::test]
async fn users_and_groups_are_soft_deleted() {
    let app = app_with_group().await;
    run(
        &app,
        ADD_MEMBERS,
        json!({"input": {"groupUrn": GROUP, "userUrns": ["urn:li:corpuser:ana"]}}),
    )
    .await;
    for (mutation, urn) in [
        ("removeUser", "urn:li:corpuser:ana"),
        ("removeGroup", GROUP),
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
    let (code, _) = refused(
        &app,
        "mutation { removeUser(urn: \"urn:li:corpuser:never-seen\") }",
        json!({}),
    )
    .await;
    assert_eq!(code, "NOT_FOUND");
}
