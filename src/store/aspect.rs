//! Every version of every aspect. `is_latest` marks the current one; older rows are history.

use sea_orm::entity::prelude::*;
use sea_orm::DbBackend;

use super::sql::Sql;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aspect")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    /// 1 for the first write, then one more for each write that changed the value.
    pub version: i64,
    pub is_latest: bool,
    /// The aspect as JSON text.
    pub value: String,
    pub created_at: i64,
    pub actor: String,
    pub run_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// `SELECT <columns> FROM "aspect"` of the latest version of each `(entity id, aspect name)`
    /// pair, in one statement. It asks for every id with every name, so the rows may hold pairs
    /// nobody asked for: the caller keeps its own. `pairs` must not be empty.
    pub fn select_latest<'a>(
        backend: DbBackend,
        columns: &str,
        pairs: impl Iterator<Item = (i64, &'a str)>,
    ) -> Sql {
        let (mut ids, mut names): (Vec<i64>, Vec<&str>) = pairs.unzip();
        ids.sort_unstable();
        ids.dedup();
        names.sort_unstable();
        names.dedup();
        let mut q = Sql::new(
            backend,
            &format!("SELECT {columns} FROM \"aspect\" WHERE \"entity_id\" IN "),
        );
        q.list(ids)
            .push(" AND \"name\" IN ")
            .list(names)
            .push(" AND \"is_latest\" = ")
            .bind(true);
        q
    }
}
