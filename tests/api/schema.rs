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

/// Every type of the schema has a description: it is what a playground user reads. async-graphql
/// takes an object's description from the doc comment on its `#[Object] impl` (a scalar's from
/// its `#[Scalar] impl`), not from the struct, so a doc comment in the wrong place shows here.
#[test]
fn every_type_has_a_description() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

    const BUILT_IN_SCALARS: [&str; 5] = ["Boolean", "Float", "ID", "Int", "String"];
    let sdl = mlcat::graphql::sdl();
    let document = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let mut undescribed = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.as_str();
        if name.starts_with("__") || BUILT_IN_SCALARS.contains(&name) {
            continue;
        }
        let described = ty
            .description
            .as_ref()
            .is_some_and(|d| !d.node.trim().is_empty());
        if !described {
            let kind = match &ty.kind {
                TypeKind::Scalar => "scalar",
                TypeKind::Object(_) => "type",
                TypeKind::Interface(_) => "interface",
                TypeKind::Union(_) => "union",
                TypeKind::Enum(_) => "enum",
                TypeKind::InputObject(_) => "input",
            };
            undescribed.push(format!("{kind} {name}"));
        }
    }
    assert!(
        undescribed.is_empty(),
        "{} types of the schema have no description (a doc comment on the #[Object] impl, or on \
         the struct or enum that derives the type): {}",
        undescribed.len(),
        undescribed.join(", ")
    );
}
