//! Global search over accounts, contacts, deals, leads, and orders and
//! invoices by number, and the telephony look-up by phone number. Both go
//! through the same visibility predicates as lists.

use crate::{App, AppError, Principal};
use karta_core::identifiers::{CustomerCode, Phone};
use karta_core::roles::{Access, Entity, Reach};
use karta_core::search::DocumentSearch;
use karta_db::entities::{account, contact, deal, invoice, lead, order};
use karta_db::records;
use std::collections::HashMap;
use uuid::Uuid;

/// What a search found, each list already limited and visible.
#[derive(Debug, Default)]
pub struct Found {
    pub accounts: Vec<account::Model>,
    pub contacts: Vec<contact::Model>,
    pub contact_accounts: HashMap<Uuid, Vec<Uuid>>,
    pub deals: Vec<deal::Model>,
    pub leads: Vec<lead::Model>,
    /// The order and the invoice a document number names.
    pub orders: Vec<order::Model>,
    pub invoices: Vec<invoice::Model>,
}

/// Searches every entity the principal may read: the first `limit`
/// visible matches of each, accounts and contacts ordered by name. A
/// customer code finds its account first.
pub async fn global(app: &App, p: &Principal, q: &str, limit: u64) -> Result<Found, AppError> {
    let terms = karta_core::search::query_terms(q);
    let mut found = Found::default();
    if terms.is_empty() {
        return Ok(found);
    }
    let db = app.db.conn();
    let backend = app.db.backend();
    if p.reach(Entity::Accounts, Access::Read) != Reach::Nothing {
        if let Ok(code) = CustomerCode::parse(q)
            && let Ok(m) = crate::accounts::by_code(app, p, code).await
        {
            found.accounts.push(m);
        }
        let vis = p.visibility(Entity::Accounts, Access::Read);
        let mut matches =
            records::search::<account::Entity, _>(db, backend, &terms, false, vis, limit).await?;
        matches.sort_by(|a, b| a.name_key.cmp(&b.name_key));
        for m in matches {
            if !found.accounts.iter().any(|a| a.id == m.id) {
                found.accounts.push(m);
            }
        }
    }
    if p.reach(Entity::Contacts, Access::Read) != Reach::Nothing {
        let vis = p.visibility(Entity::Contacts, Access::Read);
        let mut matches = records::search::<contact::Entity, _>(
            db,
            backend,
            &terms,
            p.sees_personal_data(),
            vis,
            limit,
        )
        .await?;
        matches.sort_by(|a, b| a.name_key.cmp(&b.name_key));
        // The people of the customers found follow the ones found by name.
        let customers: Vec<Uuid> = found.accounts.iter().map(|a| a.id).collect();
        let people = karta_db::contacts::of_accounts(db, &customers, vis, limit).await?;
        fill(&mut matches, people, limit, |c| c.id);
        let ids: Vec<Uuid> = matches.iter().map(|c| c.id).collect();
        found.contact_accounts = karta_db::contacts::account_links(db, &ids).await?;
        found.contacts = matches;
    }
    if p.reach(Entity::Deals, Access::Read) != Reach::Nothing {
        let vis = p.visibility(Entity::Deals, Access::Read);
        let mut deals =
            records::search::<deal::Entity, _>(db, backend, &terms, false, vis, limit).await?;
        // So do the customers' deals: "Орион" finds Орион's deals.
        let customers: Vec<Uuid> = found.accounts.iter().map(|a| a.id).collect();
        let theirs = karta_db::deals::of_accounts(db, &customers, vis, limit).await?;
        fill(&mut deals, theirs, limit, |d| d.id);
        found.deals = deals;
    }
    if let Some(DocumentSearch::Number(n)) = DocumentSearch::parse(q) {
        let search = Some(DocumentSearch::Number(n));
        if p.reach(Entity::Orders, Access::Read) != Reach::Nothing {
            let filter = karta_core::orders::OrderFilter {
                search: search.clone(),
                ..Default::default()
            };
            found.orders = crate::orders::list(app, p, filter, None, 1).await?.items;
        }
        if p.reach(Entity::Invoices, Access::Read) != Reach::Nothing {
            let filter = karta_core::invoices::InvoiceFilter {
                search,
                ..Default::default()
            };
            found.invoices = crate::invoices::list(app, p, filter, None, 1).await?.items;
        }
    }
    if p.reach(Entity::Leads, Access::Read) != Reach::Nothing {
        let vis = p.visibility(Entity::Leads, Access::Read);
        let personal = p.sees_personal_data();
        found.leads =
            records::search::<lead::Entity, _>(db, backend, &terms, personal, vis, limit).await?;
    }
    Ok(found)
}

/// Adds `more` to `found` up to `limit`, skipping what is there already.
fn fill<M>(found: &mut Vec<M>, more: Vec<M>, limit: u64, id: impl Fn(&M) -> Uuid) {
    for m in more {
        if (found.len() as u64) < limit && !found.iter().any(|f| id(f) == id(&m)) {
            found.push(m);
        }
    }
}

/// The callers with this phone number and their accounts, for screen-pop.
pub async fn lookup_phone(
    app: &App,
    p: &Principal,
    raw: &str,
) -> Result<(Vec<contact::Model>, Vec<account::Model>), AppError> {
    if !p.may_lookup() {
        return Err(AppError::Forbidden);
    }
    let minute = app.now() / 60_000_000;
    let hits =
        karta_db::security::hit(app.db.conn(), &format!("lookup:{}", p.user_id), minute).await?;
    if hits > app.config.lookups_per_minute {
        return Err(AppError::Throttled);
    }
    let phone = Phone::parse(raw).map_err(|code| AppError::field("phone", code))?;
    // The `lookup` scope stands for contact and account reads here; what is
    // visible is still decided by the user's role.
    let by_role = Principal {
        scopes: None,
        ..p.clone()
    };
    let vis = by_role.visibility(Entity::Contacts, Access::Read);
    let contacts =
        karta_db::contacts::with_channel(app.db.conn(), "phone", phone.as_str(), vis, None, 10)
            .await?;
    let ids: Vec<Uuid> = contacts.iter().map(|c| c.id).collect();
    let links = karta_db::contacts::account_links(app.db.conn(), &ids).await?;
    let account_ids: Vec<Uuid> = links.values().flatten().copied().collect();
    let account_vis = by_role.visibility(Entity::Accounts, Access::Read);
    let accounts = karta_db::records::visible::<karta_db::entities::account::Entity, _>(
        app.db.conn(),
        &account_ids,
        account_vis,
    )
    .await?;
    Ok((contacts, accounts))
}
