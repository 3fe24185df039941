//! Lead use cases: leads from the public web form (anonymous, rate-limited,
//! never owned by the anonymous caller), from the API and by hand; routing
//! them to a rep; working, disqualifying and redistributing them; and
//! converting one into an account, a contact and a deal.

use crate::routing::{self, Routed};
use crate::uow::{Event, Indexing, Tx};
use crate::{App, AppError, Principal, records};
use karta_core::Invalid;
use karta_core::accounts::AccountDraft;
use karta_core::contacts::{Consent, ContactDraft};
use karta_core::deals::DealDraft;
use karta_core::leads::LeadFilter;
use karta_core::leads::{LeadChannel, LeadDraft, LeadFields, LeadStatus, WebFormLead};
use karta_core::roles::{Access, Entity};
use karta_core::routing::LeadTraits;
use karta_db::entities::lead::{self, ActiveModel, Model};
use karta_db::history::{self, Actor};
use karta_db::leads as store;
use karta_db::page::{Cursor, Page};
use karta_db::records::Record;
use sea_orm::ActiveValue::Set;
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

const ENTITY: &str = "leads";

/// Form posts accepted per address per minute.
pub const FORM_POSTS_PER_MINUTE: i64 = 10;

fn snapshot(f: &LeadFields) -> Value {
    serde_json::to_value(LeadDraft::from(f)).unwrap_or(Value::Null)
}

async fn check_classifiers(app: &App, f: &LeadFields) -> Result<(), AppError> {
    let mut e = Invalid::default();
    crate::settings::check_classifier_values(
        app,
        &mut e,
        &[
            ("region", "region", f.region.as_deref()),
            ("industry", "industry", f.industry.as_deref()),
            ("source", "lead_source", f.source.as_deref()),
            ("campaign", "campaign", f.campaign.as_deref()),
            (
                "disqualify_reason",
                "disqualify_reason",
                f.disqualify_reason.as_deref(),
            ),
        ],
    )
    .await?;
    Ok(e.into_result()?)
}

/// The words routing matches a rule's interest against.
fn lead_text(f: &LeadFields) -> String {
    [f.interest.as_deref(), f.message.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Routes (when `route`) and stores a validated lead in one transaction.
async fn insert(
    app: &App,
    actor: Actor,
    f: LeadFields,
    channel: LeadChannel,
    route: bool,
) -> Result<Model, AppError> {
    let mut tx = Tx::begin(app, actor).await?;
    let saved = insert_in(&mut tx, f, channel, route).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Routes (when `route`) and stores a validated lead in a unit of work.
pub(crate) async fn insert_in(
    tx: &mut Tx<'_>,
    mut f: LeadFields,
    channel: LeadChannel,
    route: bool,
) -> Result<Model, AppError> {
    let now = tx.now();
    let id = Uuid::now_v7();
    let routed = if route {
        let text = lead_text(&f);
        let lead_traits = LeadTraits {
            region: f.region.as_deref(),
            industry: f.industry.as_deref(),
            source: f.source.as_deref(),
            text: &text,
        };
        let routed = routing::route(tx.app(), &**tx, lead_traits).await?;
        f.owner_id = routed.owner_id;
        f.team_id = routed.team_id;
        Some(routed)
    } else {
        None
    };
    if f.status == LeadStatus::New && f.owner_id.is_some() {
        f.status = LeadStatus::Assigned;
    }
    let mut model = ActiveModel {
        channel: Set(channel.as_str().to_string()),
        routing_rule_id: Set(routed.as_ref().and_then(|r| r.rule_id)),
        routing_note: Set(routed.as_ref().map(|r| r.how.to_string())),
        account_id: Set(None),
        contact_id: Set(None),
        deal_id: Set(None),
        converted_at: Set(None),
        touched_at: Set(now),
        custom: Set(serde_json::json!({})),
        ..<lead::Entity as Record>::created(id, now, tx.actor().user_id)
    };
    store::set_fields(&mut model, &f);
    let saved = lead::Entity::insert(model)
        .exec_with_returning(&**tx)
        .await?;
    let mut changes = history::diff(&Value::Null, &snapshot(&f));
    if let Some(Routed { rule_id, how, .. }) = routed {
        changes.push(history::FieldChange {
            field: "routing".into(),
            old: None,
            new: Some(serde_json::json!({ "rule_id": rule_id, "how": how })),
        });
    }
    let (public, private) = store::search_text(&f);
    tx.record(Event::new(ENTITY, id, "create", changes).indexed(Indexing::New(public, private)));
    Ok(saved)
}

/// Creates a lead from the API or by hand. Without an owner, a principal
/// who may assign leads has it routed; anyone else owns what they enter.
pub async fn create(
    app: &App,
    p: &Principal,
    draft: LeadDraft,
    channel: LeadChannel,
) -> Result<Model, AppError> {
    p.require(Entity::Leads, Access::Write)?;
    let (f, route) = prepare(app, p, draft, None).await?;
    insert(app, p.actor(), f, channel, route).await
}

/// Validates a draft and completes it (classifier codes, owner and team),
/// for a new lead or over `current`; for a new lead, also whether it is to
/// be routed (no owner given, and the principal may assign leads).
pub(crate) async fn prepare(
    app: &App,
    p: &Principal,
    draft: LeadDraft,
    current: Option<&Model>,
) -> Result<(LeadFields, bool), AppError> {
    let route = current.is_none() && draft.owner_id.is_none() && p.may_assign(Entity::Leads);
    let mut f = draft.validate()?;
    check_classifiers(app, &f).await?;
    if !route {
        let mut e = Invalid::default();
        crate::directory::assign_owner(
            app,
            p,
            Entity::Leads,
            &mut f.owner_id,
            &mut f.team_id,
            current.map(|c| (c.owner_id, c.team_id)),
            &mut e,
        )
        .await?;
        e.into_result()?;
    }
    if let Some(c) = current
        && f.status == LeadStatus::Qualified
        && c.converted_at.is_none()
    {
        return Err(AppError::field("status", "convert_to_qualify"));
    }
    Ok((f, route))
}

/// Takes a lead from the public web form. `Ok(None)` for a robot (the
/// honeypot was filled): it is told nothing and nothing is stored.
pub async fn submit_form(
    app: &App,
    client: &str,
    form: WebFormLead,
) -> Result<Option<Model>, AppError> {
    let minute = app.now() / 60_000_000;
    let hits = karta_db::security::hit(app.db.conn(), &format!("form:{client}"), minute).await?;
    if hits > FORM_POSTS_PER_MINUTE {
        return Err(AppError::Throttled);
    }
    if form.is_spam() {
        return Ok(None);
    }
    let f = form.into_draft()?.validate()?;
    // Hidden fields a site adds must name known values; an unknown one is
    // dropped rather than losing the enquiry.
    let all = karta_db::classifiers::all(app.db.conn()).await?;
    let known = |kind: &str, v: Option<String>| {
        v.filter(|code| all.iter().any(|c| c.kind == kind && c.code == *code))
    };
    let f = LeadFields {
        region: known("region", f.region),
        source: known("lead_source", f.source),
        campaign: known("campaign", f.campaign),
        ..f
    };
    let actor = Actor {
        user_id: None,
        channel: "form",
    };
    insert(app, actor, f, LeadChannel::Form, true)
        .await
        .map(Some)
}

/// Reads one visible lead.
pub async fn get(app: &App, p: &Principal, id: Uuid) -> Result<Model, AppError> {
    let vis = p.require(Entity::Leads, Access::Read)?;
    store::find(app.db.conn(), id, vis, false)
        .await?
        .ok_or(AppError::NotFound)
}

/// A page of visible leads, newest first.
pub async fn list(
    app: &App,
    p: &Principal,
    filter: LeadFilter,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<Model>, AppError> {
    let vis = p.require(Entity::Leads, Access::Read)?;
    let filter = LeadFilter {
        search_private: p.sees_personal_data(),
        ..filter
    };
    Ok(store::list(app.db.conn(), app.db.backend(), &filter, vis, cursor, limit).await?)
}

/// Applies a partial update at the given version; any change counts as
/// working the lead.
pub async fn update(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    patch: Map<String, Value>,
) -> Result<Model, AppError> {
    let mut tx = Tx::begin(app, p.actor()).await?;
    let current = records::load_for_write::<lead::Entity, _>(
        app,
        &*tx,
        p,
        Entity::Leads,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    let before = LeadDraft::from(&store::fields_of(&current));
    let draft = crate::accounts::merge(&before, patch)?;
    let (after, _) = prepare(app, p, draft, Some(&current)).await?;
    let saved = rewrite(&mut tx, &current, &after).await?;
    tx.commit().await?;
    Ok(saved.unwrap_or(current))
}

/// Writes prepared fields over `current`; `None` when nothing changes.
/// Any change counts as working the lead.
pub(crate) async fn rewrite(
    tx: &mut Tx<'_>,
    current: &Model,
    after: &LeadFields,
) -> Result<Option<Model>, AppError> {
    let before = store::fields_of(current);
    let changes = history::diff(&snapshot(&before), &snapshot(after));
    if changes.is_empty() {
        return Ok(None);
    }
    Ok(Some(save(tx, after, current, changes).await?))
}

/// Saves `f` over `current` as a worked lead, recording `changes`; the
/// lead stays findable by name, company, interest, e-mail and phone.
async fn save(
    tx: &mut Tx<'_>,
    f: &LeadFields,
    current: &Model,
    changes: Vec<history::FieldChange>,
) -> Result<Model, AppError> {
    let mut model = ActiveModel {
        touched_at: Set(tx.now()),
        ..Default::default()
    };
    store::set_fields(&mut model, f);
    let saved = records::save::<lead::Entity>(tx, model, current.id, current.version, None).await?;
    let (public, private) = store::search_text(f);
    tx.record(
        Event::new(ENTITY, current.id, "update", changes)
            .indexed(Indexing::Replace(public, private)),
    );
    Ok(saved)
}

/// Gives leads to another rep in bulk (heads of sales): each visible open
/// lead changes owner, with history. Returns how many moved.
pub async fn redistribute(
    app: &App,
    p: &Principal,
    ids: &[Uuid],
    owner_id: Uuid,
) -> Result<usize, AppError> {
    let vis = p.require(Entity::Leads, Access::Write)?;
    if !p.may_assign(Entity::Leads) {
        return Err(AppError::Forbidden);
    }
    if ids.len() > 500 {
        return Err(AppError::field("lead_ids", "too_many"));
    }
    let owner = karta_db::users::user(app.db.conn(), owner_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::field("owner_id", "unknown_user"))?;
    if !crate::directory::may_own(&owner, Entity::Leads) {
        return Err(AppError::field("owner_id", "owner_cannot_work"));
    }
    let mut tx = Tx::begin(app, p.actor()).await?;
    let mut moved = 0;
    for id in ids {
        let Some(current) = store::find(&*tx, *id, vis, false).await? else {
            return Err(AppError::field("lead_ids", "unknown_lead"));
        };
        let before = store::fields_of(&current);
        // Converted and disqualified leads stay with whoever closed them.
        let closed = matches!(
            before.status,
            LeadStatus::Qualified | LeadStatus::Disqualified
        );
        if before.owner_id == Some(owner.id) || closed {
            continue;
        }
        let mut after = before.clone();
        after.owner_id = Some(owner.id);
        after.team_id = owner.team_id;
        if after.status == LeadStatus::New {
            after.status = LeadStatus::Assigned;
        }
        let changes = history::diff(&snapshot(&before), &snapshot(&after));
        save(&mut tx, &after, &current, changes).await?;
        moved += 1;
    }
    tx.commit().await?;
    Ok(moved)
}

/// Moves a lead to the trash (`delete`) or back.
pub async fn set_deleted(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    delete: bool,
) -> Result<Model, AppError> {
    records::set_deleted::<lead::Entity>(app, p, Entity::Leads, id, expected, delete).await
}

/// What a conversion may be told; everything is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertLead {
    /// Link this existing account instead of looking for one.
    pub account_id: Option<Uuid>,
    /// The company's INN, for the new account and the duplicate check.
    pub inn: Option<String>,
    /// Create a deal (default true).
    pub create_deal: Option<bool>,
    /// The deal's pipeline; the first active one when absent.
    pub pipeline_id: Option<Uuid>,
    /// The deal's title; from the lead's interest or company when absent.
    pub title: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
}

/// What a lead became.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Converted {
    pub lead_id: Uuid,
    pub account_id: Uuid,
    /// False when an existing account was linked.
    pub account_created: bool,
    /// How an existing account was found: `chosen`, `inn`, `name`, `email`
    /// or `phone`.
    pub matched_by: Option<String>,
    pub contact_id: Option<Uuid>,
    pub contact_created: bool,
    pub deal_id: Option<Uuid>,
}

/// An existing account for this lead: by INN, by name, or through a contact
/// with the lead's e-mail or phone. One the principal may not see is
/// reported, not silently duplicated.
async fn existing_account(
    app: &App,
    p: &Principal,
    f: &LeadFields,
    inn: Option<&str>,
) -> Result<Option<(Uuid, &'static str, Option<Uuid>)>, AppError> {
    let db = app.db.conn();
    let vis = p.visibility(Entity::Accounts, Access::Read);
    let mut found: Vec<(
        karta_db::entities::account::Model,
        &'static str,
        Option<Uuid>,
    )> = Vec::new();
    if let Some(inn) = inn {
        found.extend(
            karta_db::accounts::with_inn(db, inn, None)
                .await?
                .into_iter()
                .map(|a| (a, "inn", None)),
        );
    }
    if let Some(name) = &f.company_name {
        found.extend(
            karta_db::accounts::with_name(db, name)
                .await?
                .into_iter()
                .map(|a| (a, "name", None)),
        );
    }
    let channels = [
        ("email", f.email.as_ref().map(|e| e.to_string())),
        ("phone", f.phone.as_ref().map(|ph| ph.to_string())),
    ];
    let contact_vis = p.visibility(Entity::Contacts, Access::Read);
    // (how, contact, account) of every contact with the lead's e-mail or
    // phone, then their accounts in one read.
    let mut via_contacts: Vec<(&'static str, Uuid, Uuid)> = Vec::new();
    for (kind, value) in channels {
        let Some(value) = value else { continue };
        let contacts =
            karta_db::contacts::with_channel(db, kind, &value, contact_vis, None, 5).await?;
        let ids: Vec<Uuid> = contacts.iter().map(|c| c.id).collect();
        for (contact, accounts) in karta_db::contacts::account_links(db, &ids).await? {
            via_contacts.extend(accounts.into_iter().map(|a| (kind, contact, a)));
        }
    }
    let ids: Vec<Uuid> = via_contacts.iter().map(|(_, _, a)| *a).collect();
    let accounts = karta_db::accounts::by_ids(db, &ids).await?;
    for (kind, contact, account_id) in via_contacts {
        if let Some(a) = accounts
            .iter()
            .find(|a| a.id == account_id && a.deleted_at.is_none())
        {
            found.push((a.clone(), kind, Some(contact)));
        }
    }
    let Some((account, how, contact)) = found.into_iter().next() else {
        return Ok(None);
    };
    if !karta_db::entities::account::Entity::visible(&vis, &account) {
        return Err(AppError::field("company_name", "duplicate_account_hidden"));
    }
    Ok(Some((account.id, how, contact)))
}

/// Converts a lead: links or creates the account (duplicate-checked) and
/// the contact, creates a deal carrying source and campaign, and marks the
/// lead qualified with links to all three.
pub async fn convert(
    app: &App,
    p: &Principal,
    id: Uuid,
    expected: Option<i64>,
    input: ConvertLead,
) -> Result<Converted, AppError> {
    let current = records::load_for_write::<lead::Entity, _>(
        app,
        app.db.conn(),
        p,
        Entity::Leads,
        id,
        Access::Write,
        false,
        expected,
    )
    .await?;
    if current.converted_at.is_some() {
        return Err(AppError::Conflict("already_converted"));
    }
    let f = store::fields_of(&current);
    if f.status == LeadStatus::Disqualified {
        return Err(AppError::Conflict("lead_disqualified"));
    }
    let create_deal = input.create_deal.unwrap_or(true);
    let deal_draft = DealDraft {
        title: input
            .title
            .clone()
            .or_else(|| f.interest.clone())
            .or_else(|| f.company_name.clone())
            .or_else(|| f.person_name.clone()),
        pipeline_id: input.pipeline_id,
        amount_minor: input.amount_minor,
        currency: input.currency.clone(),
        source: f.source.clone(),
        campaign: f.campaign.clone(),
        owner_id: f.owner_id,
        ..Default::default()
    };
    // Everything the caller sent is checked before anything is written.
    if create_deal {
        DealDraft {
            account_id: Some(Uuid::nil()),
            ..deal_draft.clone()
        }
        .validate()?;
        if let Some(pipeline) = input.pipeline_id {
            crate::pipelines::get(app, p, pipeline)
                .await
                .map_err(|_| AppError::field("pipeline_id", "unknown_pipeline"))?;
        }
    }
    let inn = match input
        .inn
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        Some(raw) => Some(
            karta_core::identifiers::Inn::parse(raw)
                .map_err(|code| AppError::field("inn", code))?
                .to_string(),
        ),
        None => None,
    };
    let (account_id, matched_by, matched_contact) = match input.account_id {
        Some(a) => {
            crate::accounts::get(app, p, a, false)
                .await
                .map_err(|_| AppError::field("account_id", "unknown_account"))?;
            (Some(a), Some("chosen"), None)
        }
        None => match existing_account(app, p, &f, inn.as_deref()).await? {
            Some((a, how, contact)) => (Some(a), Some(how), contact),
            None => (None, None, None),
        },
    };
    let account_created = account_id.is_none();
    // One transaction for the whole act: a failure at any step leaves no
    // account, contact or deal behind and the lead unconverted.
    let mut tx = Tx::begin(app, p.actor()).await?;
    let account_id = match account_id {
        Some(a) => a,
        None => {
            let name = f
                .company_name
                .clone()
                .or_else(|| f.person_name.clone())
                .unwrap_or_default();
            let draft = AccountDraft {
                name,
                inn: inn.clone(),
                types: vec!["prospect".into()],
                region: f.region.clone(),
                industry: f.industry.clone(),
                lead_source: f.source.clone(),
                owner_id: f.owner_id,
                team_id: f.team_id,
                ..Default::default()
            };
            crate::accounts::create_in(&mut tx, p, draft).await?.0.id
        }
    };
    let (contact_id, contact_created) = match (matched_contact, &f.person_name) {
        (Some(c), _) => (Some(c), false),
        (None, Some(name)) => {
            let (first, last) = split_name(name);
            let today = karta_core::time::from_micros(current.created_at).date();
            let draft = ContactDraft {
                first_name: first,
                last_name: last,
                emails: f.email.iter().map(|e| e.to_string()).collect(),
                phones: f.phone.iter().map(|ph| ph.to_string()).collect(),
                account_ids: vec![account_id],
                consent_personal_data: f.consent.then(|| Consent {
                    given: true,
                    date: Some(today.to_string()),
                    source: Some(format!("lead:{}", current.channel)),
                }),
                owner_id: f.owner_id,
                team_id: f.team_id,
                ..Default::default()
            };
            (
                Some(crate::contacts::create_in(&mut tx, p, draft).await?.0.id),
                true,
            )
        }
        (None, None) => (None, false),
    };
    let deal_id = if create_deal {
        let draft = DealDraft {
            account_id: Some(account_id),
            contact_ids: contact_id.into_iter().collect(),
            ..deal_draft
        };
        Some(crate::deals::create_in(&mut tx, p, draft).await?.0.id)
    } else {
        None
    };
    let now = tx.now();
    let mut model = ActiveModel {
        status: Set(LeadStatus::Qualified.as_str().to_string()),
        account_id: Set(Some(account_id)),
        contact_id: Set(contact_id),
        deal_id: Set(deal_id),
        converted_at: Set(Some(now)),
        touched_at: Set(now),
        ..Default::default()
    };
    model.disqualify_reason = Set(None);
    records::save::<lead::Entity>(&tx, model, id, current.version, None).await?;
    let changes = vec![history::FieldChange {
        field: "converted".into(),
        old: None,
        new: Some(serde_json::json!({
            "account_id": account_id, "contact_id": contact_id, "deal_id": deal_id,
        })),
    }];
    tx.record(Event::new(ENTITY, id, "convert", changes));
    tx.commit().await?;
    Ok(Converted {
        lead_id: id,
        account_id,
        account_created,
        matched_by: matched_by.map(str::to_string),
        contact_id,
        contact_created,
        deal_id,
    })
}

/// "Иван Петров" → first "Иван", last "Петров"; a single word is a first
/// name.
fn split_name(name: &str) -> (Option<String>, Option<String>) {
    let mut words = name.split_whitespace();
    let first = words.next().map(str::to_string);
    let rest: Vec<&str> = words.collect();
    (first, (!rest.is_empty()).then(|| rest.join(" ")))
}

/// A visible lead's change history, newest first (e-mail and phone hidden
/// from roles that may not see personal data).
pub async fn history(
    app: &App,
    p: &Principal,
    id: Uuid,
    cursor: Option<&Cursor>,
    limit: u64,
) -> Result<Page<crate::views::ChangeView>, AppError> {
    let hidden: &[&str] = if p.sees_personal_data() {
        &[]
    } else {
        &["email", "phone"]
    };
    records::history::<lead::Entity>(app, p, Entity::Leads, id, hidden, cursor, limit).await
}
