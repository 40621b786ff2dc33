//! "At most N rows per entity, each entity's newest first" as one statement: the table's rows
//! that pass a filter, ranked within their entity by a window, cut at the rank. The aspect
//! histories and the timeseries reads both ask it.

use sea_orm::sea_query::{Alias, Expr, IntoIden, Order, Query, SelectStatement, WindowStatement};
use sea_orm::{EntityTrait, Iterable};

/// The rows of `E` that pass `filter`, at most `limit` per value of `entity`, ordered by
/// entity, then newest first by `time` and `id`. `filter` adds its conditions to the ranked
/// select (the table and the window are set already).
pub fn newest_per_entity<E>(
    entity: E::Column,
    time: E::Column,
    id: E::Column,
    limit: u64,
    filter: impl FnOnce(&mut SelectStatement),
) -> SelectStatement
where
    E: EntityTrait + Default,
    E::Column: IntoIden + Copy + 'static,
{
    let newest_first = WindowStatement::partition_by(entity)
        .order_by(time, Order::Desc)
        .order_by(id, Order::Desc)
        .to_owned();
    let rank = Alias::new("rank_in_entity");
    let mut ranked = Query::select();
    ranked
        .columns(E::Column::iter())
        .expr_window_as(Expr::cust("ROW_NUMBER()"), newest_first, rank.clone())
        .from(E::default());
    filter(&mut ranked);
    let window = Alias::new("newest");
    Query::select()
        .columns(E::Column::iter().map(|c| (window.clone(), c)))
        .from_subquery(ranked, window.clone())
        .and_where(Expr::col((window.clone(), rank)).lte(limit))
        .order_by((window.clone(), entity), Order::Asc)
        .order_by((window.clone(), time), Order::Desc)
        .order_by((window, id), Order::Desc)
        .to_owned()
}
