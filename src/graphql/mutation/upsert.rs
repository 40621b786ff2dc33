//! The one path every `upsert*` mutation takes: the [`Upsert`] trait an input implements (its
//! entity type, how its URN is built from key parts, which aspect it patches and how), the
//! generic [`upsert`] that runs it, and the helpers an input's patch is written with.

use std::collections::BTreeMap;

use async_graphql::{Context, InputObject, MaybeUndefined};

use super::{reload, write_one};
use crate::catalog::aspects::{AspectSpec, NamedValue, VersionTag};
use crate::catalog::{AspectWrite, Error};
use crate::graphql::scalars::FabricType;
use crate::graphql::types::entity::Row;
use crate::urn::{EntityKind, Urn, UrnError};

/// An `upsert*` input: everything that differs between the upserts of two entity types.
pub trait Upsert: Sized {
    /// The entity type created or updated; a URN given as `urn` must be of this type.
    const KIND: EntityKind;
    /// The properties aspect the input patches.
    type Aspect: AspectSpec + Default + Clone + PartialEq + Send + 'static;
    /// The GraphQL object the mutation answers.
    type Object: From<Row>;

    /// The URN the input gives, and the key parts it gives beside or instead of it.
    fn key(&self) -> Key<'_>;

    /// Parses the URN lists of the input (naming the field and index of a bad one) and returns
    /// the edit of the aspect: fields given are set, fields given as null are cleared, absent
    /// fields are left as they were.
    fn into_edit(self) -> Result<impl FnOnce(&mut Self::Aspect) + Send + 'static, Error>;
}

/// Creates the entity or updates the fields given, in one write; answers the entity as it now
/// is.
pub async fn upsert<I: Upsert>(ctx: &Context<'_>, input: I) -> async_graphql::Result<I::Object> {
    upsert_forced(ctx, input, false).await
}

/// [`upsert`] that may override a published feature table's freeze (`force`).
pub async fn upsert_forced<I: Upsert>(
    ctx: &Context<'_>,
    input: I,
    force: bool,
) -> async_graphql::Result<I::Object> {
    let urn = input.key().resolve(I::KIND)?;
    let edit = input.into_edit()?;
    let write = AspectWrite::patch(urn.clone(), I::Aspect::NAME, move |p: &mut I::Aspect| {
        edit(p);
        Ok(())
    })
    .forced(force);
    write_one(ctx, write).await?;
    Ok(reload(ctx, &urn).await?.into())
}

/// Builds a URN from checked key parts, such as [`Urn::ml_feature`].
type Build2 = fn(&str, &str) -> Result<Urn, UrnError>;
/// Builds a URN from checked key parts and an environment, such as [`Urn::ml_model`].
type Build3 = fn(&str, &str, &str) -> Result<Urn, UrnError>;

/// The URN of an upsert: the one given (of the right entity type), or one built from the key
/// parts. Key parts given beside a URN must agree with it.
pub struct Key<'a> {
    urn: &'a Option<String>,
    parts: Parts<'a>,
}

enum Parts<'a> {
    /// `featureNamespace` and `name`.
    Namespaced {
        namespace: &'a Option<String>,
        name: &'a Option<String>,
        build: Build2,
    },
    /// `platform` (a name or a platform URN) and `name`.
    OnPlatform {
        platform: &'a Option<String>,
        name: &'a Option<String>,
        build: Build2,
    },
    /// `platform`, `name` and `origin` (PROD when absent).
    OnPlatformIn {
        platform: &'a Option<String>,
        name: &'a Option<String>,
        origin: Option<FabricType>,
        build: Build3,
    },
}

impl<'a> Key<'a> {
    /// A key of `featureNamespace` and `name` (features, primary keys).
    pub fn namespaced(
        urn: &'a Option<String>,
        namespace: &'a Option<String>,
        name: &'a Option<String>,
        build: Build2,
    ) -> Key<'a> {
        Key {
            urn,
            parts: Parts::Namespaced {
                namespace,
                name,
                build,
            },
        }
    }

    /// A key of `platform` and `name` (feature tables).
    pub fn on_platform(
        urn: &'a Option<String>,
        platform: &'a Option<String>,
        name: &'a Option<String>,
        build: Build2,
    ) -> Key<'a> {
        Key {
            urn,
            parts: Parts::OnPlatform {
                platform,
                name,
                build,
            },
        }
    }

    /// A key of `platform`, `name` and `origin` (models, groups, datasets, deployments).
    pub fn on_platform_in(
        urn: &'a Option<String>,
        platform: &'a Option<String>,
        name: &'a Option<String>,
        origin: Option<FabricType>,
        build: Build3,
    ) -> Key<'a> {
        Key {
            urn,
            parts: Parts::OnPlatformIn {
                platform,
                name,
                origin,
                build,
            },
        }
    }

    /// The URN the input names, checked against the entity type and the key parts given.
    fn resolve(self, kind: EntityKind) -> Result<Urn, Error> {
        let urn = match self.urn {
            Some(urn) => {
                let parsed = Urn::parse(urn)?;
                parsed.expect_kind("urn", &[kind])?;
                parsed
            }
            None => self.build()?,
        };
        self.check(&urn)?;
        Ok(urn)
    }

    fn build(&self) -> Result<Urn, Error> {
        Ok(match &self.parts {
            Parts::Namespaced {
                namespace,
                name,
                build,
            } => build(
                non_empty("featureNamespace", namespace)?,
                non_empty("name", name)?,
            )?,
            Parts::OnPlatform {
                platform,
                name,
                build,
            } => build(
                platform_name(non_empty("platform", platform)?),
                non_empty("name", name)?,
            )?,
            Parts::OnPlatformIn {
                platform,
                name,
                origin,
                build,
            } => build(
                platform_name(non_empty("platform", platform)?),
                non_empty("name", name)?,
                origin.unwrap_or(FabricType::Prod).as_str(),
            )?,
        })
    }

    /// Checks that key parts given beside a URN agree with it.
    fn check(&self, urn: &Urn) -> Result<(), Error> {
        let (first, name, origin) = match &self.parts {
            Parts::Namespaced {
                namespace, name, ..
            } => (
                ("featureNamespace", namespace.as_deref(), urn.namespace()),
                name,
                None,
            ),
            Parts::OnPlatform { platform, name, .. } => (
                (
                    "platform",
                    platform.as_deref().map(platform_name),
                    urn.platform(),
                ),
                name,
                None,
            ),
            Parts::OnPlatformIn {
                platform,
                name,
                origin,
                ..
            } => (
                (
                    "platform",
                    platform.as_deref().map(platform_name),
                    urn.platform(),
                ),
                name,
                Some(("origin", origin.map(FabricType::as_str), urn.env())),
            ),
        };
        let name = ("name", name.as_deref(), Some(urn.name()));
        for (field, given, actual) in [Some(first), Some(name), origin].into_iter().flatten() {
            if let Some(given) = given {
                if Some(given.trim()) != actual {
                    return Err(Error::bad_input(format!(
                        "{field} {given:?} does not match the URN {urn}"
                    )));
                }
            }
        }
        Ok(())
    }
}

fn non_empty<'a>(field: &str, value: &'a Option<String>) -> Result<&'a str, Error> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        Some(_) => Err(Error::bad_input(format!("{field} must not be empty"))),
        None => Err(Error::bad_input(format!("give either urn or {field}"))),
    }
}

fn platform_name(platform: &str) -> &str {
    platform
        .strip_prefix("urn:li:dataPlatform:")
        .unwrap_or(platform)
}

/// One custom property to set.
#[derive(InputObject, Clone)]
pub struct CustomPropertyInput {
    /// The property name.
    pub key: String,
    /// The property value.
    pub value: String,
}

/// A hyper-parameter or a metric of a training run.
#[derive(InputObject, Clone)]
#[graphql(name = "MLNamedValueInput")]
pub struct NamedValueInput {
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// Its value, as text.
    pub value: Option<String>,
}

/// Sets a field given, clears one given as null, keeps one not given.
pub fn set<T>(field: &mut Option<T>, value: MaybeUndefined<T>) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => *field = None,
        MaybeUndefined::Value(v) => *field = Some(v),
    }
}

/// [`set`] for a list the aspect keeps as a plain list: null empties it.
pub fn set_list<T>(field: &mut Vec<T>, value: MaybeUndefined<Vec<T>>) {
    let mut list = Some(std::mem::take(field));
    set(&mut list, value);
    *field = list.unwrap_or_default();
}

/// [`set`] for a version label.
pub fn set_version(field: &mut Option<VersionTag>, value: MaybeUndefined<String>) {
    set(
        field,
        value.map_value(|v| VersionTag {
            version_tag: Some(v),
            ..Default::default()
        }),
    );
}

/// [`set`] for custom properties: a list given replaces them all, null clears them.
pub fn set_custom(
    field: &mut BTreeMap<String, String>,
    value: MaybeUndefined<Vec<CustomPropertyInput>>,
) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => field.clear(),
        MaybeUndefined::Value(list) => {
            *field = list.into_iter().map(|p| (p.key, p.value)).collect();
        }
    }
}

/// Hyper-parameters or metrics as the aspect stores them.
pub fn named_values(list: Vec<NamedValueInput>) -> Vec<NamedValue> {
    list.into_iter()
        .map(|n| NamedValue {
            name: n.name,
            description: n.description,
            value: n.value,
            created_at: None,
            extra: Default::default(),
        })
        .collect()
}

/// Parses URN arguments of a list field, naming the field and index of a bad one.
pub fn urn_list(
    field: &str,
    value: MaybeUndefined<Vec<String>>,
) -> Result<MaybeUndefined<Vec<Urn>>, Error> {
    Ok(match value {
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Value(list) => MaybeUndefined::Value(
            list.iter()
                .enumerate()
                .map(|(i, s)| {
                    Urn::parse(s).map_err(|e| Error::BadInput(format!("{field}[{i}]: {}", e)))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    })
}
