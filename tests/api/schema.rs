//! `schema.graphql` is the exported SDL: this test fails when the schema drifts from it.

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let sdl = mlcat::graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").as_deref() == Ok("1") {
        std::fs::write(path, &sdl).expect("write schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema.graphql differs from the schema in the code; if the change is meant, run \
         `UPDATE_SCHEMA=1 cargo test --test api schema` and commit schema.graphql"
    );
}
