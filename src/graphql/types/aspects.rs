//! `aspects(input: AspectParams)`: DataHub's generic read of an entity's stored aspects as raw
//! JSON (`RawAspect`), for the aspects a client names.

use async_graphql::{Context, InputObject, Result, SimpleObject};

use crate::catalog::{Catalog, EntityRecord, Error};

/// Which aspects `aspects` answers.
#[derive(InputObject, Default)]
#[graphql(name = "AspectParams")]
pub struct AspectParams {
    /// Only the aspects DataHub renders automatically on an entity page. mlcat marks no aspect
    /// for automatic rendering, so with `true` the answer is always empty.
    pub auto_render_only: Option<bool>,
    /// The aspects to answer, by name (such as `mlModelProperties`); names the entity has no
    /// stored value for are left out. Without it, none: mlcat answers only the aspects named.
    pub aspect_names: Option<Vec<String>>,
}

/// The most aspects one `aspects` call reads.
const MAX_ASPECT_NAMES: usize = 100;

/// One stored aspect of an entity, as JSON text.
#[derive(SimpleObject)]
#[graphql(name = "RawAspect")]
pub struct RawAspect {
    /// The aspect's name, such as `mlModelProperties`.
    pub aspect_name: String,
    /// The latest stored value, as JSON text.
    pub payload: Option<String>,
    /// How DataHub's UI would render the aspect: always null, mlcat declares no render specs.
    pub render_spec: Option<AspectRenderSpec>,
}

/// How DataHub's UI renders an aspect (mlcat declares none; see `RawAspect.renderSpec`).
#[derive(SimpleObject)]
#[graphql(name = "AspectRenderSpec")]
pub struct AspectRenderSpec {
    /// How to display the aspect, such as `tabular`.
    pub display_type: Option<String>,
    /// The title to show.
    pub display_name: Option<String>,
    /// The key of the payload to show.
    pub key: Option<String>,
}

/// The latest value of each aspect `input` names that `row` has, in the order named; one
/// statement.
pub async fn raw_aspects(
    ctx: &Context<'_>,
    row: &EntityRecord,
    input: Option<AspectParams>,
) -> Result<Vec<RawAspect>> {
    let input = input.unwrap_or_default();
    if input.auto_render_only == Some(true) {
        return Ok(Vec::new());
    }
    let names = input.aspect_names.unwrap_or_default();
    if names.len() > MAX_ASPECT_NAMES {
        return Err(Error::Invalid {
            field: "aspectNames".into(),
            message: format!(
                "aspectNames holds {} names; at most {MAX_ASPECT_NAMES} in one call",
                names.len()
            ),
        }
        .into());
    }
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<_> = names.iter().map(|n| (row.id, n.as_str())).collect();
    crate::graphql::loaders::charge(ctx, keys.len())?;
    let stored = ctx.data::<Catalog>()?.latest_aspects(&keys).await?;
    let mut out = Vec::new();
    for name in &names {
        if out.iter().any(|a: &RawAspect| &a.aspect_name == name) {
            continue;
        }
        if let Some(a) = stored
            .iter()
            .find(|a| a.entity == row.id && &a.aspect == name)
        {
            out.push(RawAspect {
                aspect_name: name.clone(),
                payload: Some(a.value.clone()),
                render_spec: None,
            });
        }
    }
    Ok(out)
}
