//! Sales pipelines (воронки продаж): ordered stages with a win probability,
//! a responsible person or role, the actions expected at the stage, a time
//! limit, and terminal won and lost stages.

use crate::Invalid;
use crate::accounts::{clean_list, clean_text, vocabulary};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

vocabulary!(
    /// Whether a deal in the stage is still open, or closed won or lost.
    StageKind { Open = "open", Won = "won", Lost = "lost" }
);

/// A stage as a client sends it. A stage with an `id` is the existing
/// stage of that id (renamed, moved, changed); one without is new.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageDraft {
    pub id: Option<Uuid>,
    /// Used for both languages when `name_ru` / `name_en` are absent.
    pub name: Option<String>,
    pub name_ru: Option<String>,
    pub name_en: Option<String>,
    /// `open` (default), `won` or `lost`.
    pub kind: Option<String>,
    /// Win probability in percent; required for open stages (won is 100,
    /// lost is 0).
    pub probability: Option<i32>,
    /// Entering the stage hands the deal to this user.
    pub responsible_user_id: Option<Uuid>,
    /// Who is expected to act at this stage when it is a role, not a person
    /// (e.g. "юрист").
    pub responsible_role: Option<String>,
    /// The actions expected at the stage.
    #[serde(default)]
    pub checklist: Vec<String>,
    /// A deal longer than this in the stage needs attention.
    pub max_days: Option<i32>,
}

impl StageDraft {
    /// A stage named in both languages (won and lost stages may leave the
    /// probability to its default).
    pub fn named(ru: &str, en: &str, kind: StageKind, probability: Option<i32>) -> Self {
        Self {
            name_ru: Some(ru.into()),
            name_en: Some(en.into()),
            kind: Some(kind.as_str().into()),
            probability,
            ..Default::default()
        }
    }
}

/// A pipeline as a client sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineDraft {
    pub name: String,
    #[serde(default)]
    pub position: i32,
    pub active: Option<bool>,
    pub stages: Vec<StageDraft>,
}

/// A validated stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageFields {
    pub id: Option<Uuid>,
    pub name_ru: String,
    pub name_en: String,
    pub kind: StageKind,
    pub probability: i32,
    pub responsible_user_id: Option<Uuid>,
    pub responsible_role: Option<String>,
    pub checklist: Vec<String>,
    pub max_days: Option<i32>,
}

/// A validated pipeline; stages in board order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PipelineFields {
    pub name: String,
    pub position: i32,
    pub active: bool,
    pub stages: Vec<StageFields>,
}

fn stage(e: &mut Invalid, i: usize, s: StageDraft) -> StageFields {
    let at = |f: &str| format!("stages[{i}].{f}");
    let name = clean_text(e, &at("name"), s.name, 100);
    let name_ru = clean_text(e, &at("name_ru"), s.name_ru, 100).or_else(|| name.clone());
    let name_en = clean_text(e, &at("name_en"), s.name_en, 100).or(name);
    if name_ru.is_none() {
        e.push(at("name_ru"), "required");
    }
    if name_en.is_none() {
        e.push(at("name_en"), "required");
    }
    let kind = match s.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => StageKind::Open,
        Some(k) => e
            .take(&at("kind"), StageKind::parse(k))
            .unwrap_or(StageKind::Open),
    };
    let probability = match (kind, s.probability) {
        (_, Some(p)) if !(0..=100).contains(&p) => {
            e.push(at("probability"), "out_of_range");
            0
        }
        (_, Some(p)) => p,
        (StageKind::Won, None) => 100,
        (StageKind::Lost, None) => 0,
        (StageKind::Open, None) => {
            e.push(at("probability"), "required");
            0
        }
    };
    if s.max_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        e.push(at("max_days"), "out_of_range");
    }
    let checklist = clean_list(s.checklist);
    if checklist.len() > 20 || checklist.iter().any(|c| c.chars().count() > 200) {
        e.push(at("checklist"), "too_long");
    }
    StageFields {
        id: s.id,
        name_ru: name_ru.unwrap_or_default(),
        name_en: name_en.unwrap_or_default(),
        kind,
        probability,
        responsible_user_id: s.responsible_user_id,
        responsible_role: clean_text(e, &at("responsible_role"), s.responsible_role, 100),
        checklist,
        max_days: s.max_days,
    }
}

impl PipelineDraft {
    /// Checks everything that needs no database: a name, stages, open
    /// stages before the terminal ones, at least one won and one lost stage.
    pub fn validate(self) -> Result<PipelineFields, Invalid> {
        let mut e = Invalid::default();
        let name = clean_text(&mut e, "name", Some(self.name), 200);
        if name.is_none() && e.0.is_empty() {
            e.push("name", "required");
        }
        if self.stages.len() > 30 {
            e.push("stages", "too_long");
        }
        let stages: Vec<StageFields> = self
            .stages
            .into_iter()
            .enumerate()
            .map(|(i, s)| stage(&mut e, i, s))
            .collect();
        if !stages.iter().any(|s| s.kind == StageKind::Open) {
            e.push("stages", "open_stage_required");
        }
        for kind in [StageKind::Won, StageKind::Lost] {
            if !stages.iter().any(|s| s.kind == kind) {
                e.push("stages", "terminal_stages_required");
                break;
            }
        }
        if let Some(i) = stages
            .windows(2)
            .position(|w| w[0].kind != StageKind::Open && w[1].kind == StageKind::Open)
        {
            e.push(format!("stages[{}].kind", i + 1), "open_after_terminal");
        }
        let mut ids: Vec<Uuid> = stages.iter().filter_map(|s| s.id).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            e.push("stages", "duplicate_stage");
        }
        e.into_result()?;
        Ok(PipelineFields {
            name: name.unwrap_or_default(),
            position: self.position,
            active: self.active.unwrap_or(true),
            stages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, kind: &str, probability: Option<i32>) -> StageDraft {
        StageDraft {
            name: Some(name.into()),
            kind: Some(kind.into()),
            probability,
            ..Default::default()
        }
    }

    #[test]
    fn a_pipeline_needs_open_won_and_lost_stages_in_order() {
        let ok = PipelineDraft {
            name: "Продажи".into(),
            stages: vec![
                named("Квалификация", "open", Some(10)),
                named("Выиграна", "won", None),
                named("Проиграна", "lost", None),
            ],
            ..Default::default()
        }
        .validate()
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.stages[1].probability, 100);
        assert_eq!(ok.stages[0].name_en, "Квалификация");

        let bad = PipelineDraft {
            name: " ".into(),
            stages: vec![named("Выиграна", "won", None), named("КП", "open", None)],
            ..Default::default()
        }
        .validate()
        .err()
        .map(|e| {
            e.0.into_iter()
                .map(|f| (f.field, f.code))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
        assert_eq!(
            bad,
            [
                ("name".to_string(), "required"),
                ("stages[1].probability".to_string(), "required"),
                ("stages".to_string(), "terminal_stages_required"),
                ("stages[1].kind".to_string(), "open_after_terminal"),
            ]
        );
    }
}
