//! An OPD's approval chain (`/opds/{id}/approval-chain`), edited by the province: ordered
//! steps, each with a label, any-of or all-of, and approvers chosen from the OPD's people (and
//! the province's supervisors). Removing the chain falls back to one step of every active
//! approver of the OPD.
//!
//! The form has a fixed number of rows (the steps there are, and empty ones to add more);
//! the order is each row's position number, so steps can be reordered from the keyboard.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_domain::publish::chain::{ApprovalChain, ApprovalStep, MAX_STEPS, StepMode};
use humas_domain::{OpdId, Role, User, UserId};

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed};
use crate::pages::posts::post_notice;
use crate::pages::publish_view::refusal;
use crate::pages::{Layout, done, fail, layout, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/opds/{id}/approval-chain", get(show))
        .add("POST", "/opds/{id}/approval-chain", post(save))
        .add("POST", "/opds/{id}/approval-chain/delete", post(remove))
}

/// Empty rows offered below the steps there are, for adding steps.
const SPARE_ROWS: usize = 2;

/// One step row as the form holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct StepRow {
    position: String,
    label: String,
    all_of: bool,
    approvers: Vec<String>,
}

impl StepRow {
    fn is_blank(&self) -> bool {
        self.label.trim().is_empty() && self.approvers.is_empty()
    }
}

struct PersonChoice {
    id: String,
    label: String,
}

struct RowView {
    index: usize,
    row: StepRow,
}

impl RowView {
    fn has(&self, person: &str) -> bool {
        self.row.approvers.iter().any(|a| a == person)
    }
}

#[derive(Template)]
#[template(path = "approval_chain.html")]
struct ChainPage {
    l: Layout,
    opd_id: String,
    opd_name: String,
    /// The OPD has its own chain (else the one-step fallback applies).
    own: bool,
    /// What applies now, one line per step.
    current: Vec<String>,
    rows: Vec<RowView>,
    people: Vec<PersonChoice>,
}

fn rows_of(chain: &ApprovalChain) -> Vec<StepRow> {
    chain
        .steps()
        .iter()
        .enumerate()
        .map(|(i, s)| StepRow {
            position: (i + 1).to_string(),
            label: s.label.clone(),
            all_of: s.mode == StepMode::AllOf,
            approvers: s.approvers.iter().map(ToString::to_string).collect(),
        })
        .collect()
}

/// The rows to show: the given ones, then blank ones up to [`MAX_STEPS`].
fn with_spares(mut rows: Vec<StepRow>) -> Vec<RowView> {
    let wanted = (rows.len() + SPARE_ROWS).min(MAX_STEPS).max(rows.len());
    let mut n = rows.len();
    while rows.len() < wanted {
        n += 1;
        rows.push(StepRow {
            position: n.to_string(),
            ..StepRow::default()
        });
    }
    rows.into_iter()
        .enumerate()
        .map(|(index, row)| RowView { index, row })
        .collect()
}

fn name_of(people: &[User], id: UserId) -> String {
    people
        .iter()
        .find(|u| u.id == id)
        .map_or_else(|| id.to_string(), |u| u.display_name.to_string())
}

/// The people who may be listed: the OPD's active people and the province's supervisors.
async fn candidates(state: &AppState, s: &Signed, opd: OpdId) -> Result<Vec<User>, AppError> {
    let actor = &s.ctx.actor;
    let mut people: Vec<User> = state
        .app
        .list_users(actor, Some(opd))
        .await?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    people.extend(
        state
            .app
            .list_users(actor, None)
            .await?
            .into_iter()
            .filter(|u| u.active && u.role == Role::Supervisor && u.opd != Some(opd)),
    );
    Ok(people)
}

async fn chain_page(
    state: &AppState,
    s: &Signed,
    opd: OpdId,
    rows: Option<Vec<StepRow>>,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    if !actor.can_use_fast_lane() {
        return Err(f(AppError::Forbidden));
    }
    let opd_row = state.app.get_opd(actor, opd).await.map_err(&f)?;
    let own = state
        .app
        .store()
        .approval_chain(opd)
        .await
        .map_err(|e| f(e.into()))?;
    let effective = match state.app.effective_chain(opd).await {
        Ok(c) => Some(c),
        Err(AppError::Refused { .. }) => None,
        Err(e) => return Err(f(e)),
    };
    let people = candidates(state, s, opd).await.map_err(&f)?;
    let current = effective
        .as_ref()
        .map(|c| {
            c.steps()
                .iter()
                .enumerate()
                .map(|(i, step)| {
                    let names: Vec<String> = step
                        .approvers
                        .iter()
                        .map(|u| name_of(&people, *u))
                        .collect();
                    let mode = s.tr.t(match step.mode {
                        StepMode::AnyOf => "approval-mode-any_of",
                        StepMode::AllOf => "approval-mode-all_of",
                    });
                    format!("{}. {} ({mode}): {}", i + 1, step.label, names.join(", "))
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = rows.unwrap_or_else(|| own.as_ref().map(rows_of).unwrap_or_default());
    let mut l = layout(state, s, "posts", "approval-title");
    let status = l.show_outcome(None, error);
    if let Some(u) = uri {
        l.notice = post_notice(u, s.tr);
    }
    let page = ChainPage {
        opd_id: opd.to_string(),
        opd_name: opd_row.name.to_string(),
        own: own.is_some(),
        current,
        rows: with_spares(rows),
        people: people
            .iter()
            .map(|u| PersonChoice {
                id: u.id.to_string(),
                label: format!(
                    "{} ({})",
                    u.display_name,
                    s.tr.t(&format!("role-{}", u.role.as_str()))
                ),
            })
            .collect(),
        l,
    };
    Ok(render(status, &page, s.tr))
}

fn parse_opd(raw: &str, tr: crate::i18n::Tr) -> Result<OpdId, PageFailure> {
    raw.parse().map_err(|_| fail(tr)(AppError::NotFound("opd")))
}

async fn show(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let opd = parse_opd(&id, s.tr)?;
    chain_page(&state, &s, opd, None, Some(&uri), None).await
}

/// The rows of a posted form: `position_<i>`, `label_<i>`, `mode_<i>` and repeated
/// `approver_<i>`, at most [`MAX_STEPS`] + 1 rows (more is a form we did not make).
fn rows_from(pairs: Vec<(String, String)>) -> Vec<StepRow> {
    let mut rows: Vec<StepRow> = Vec::new();
    for (key, value) in pairs {
        let Some((field, index)) = key.rsplit_once('_') else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        if index > MAX_STEPS {
            continue;
        }
        if rows.len() <= index {
            rows.resize(index + 1, StepRow::default());
        }
        let row = &mut rows[index];
        match field {
            "position" => row.position = value,
            "label" => row.label = value,
            "mode" => row.all_of = value == "all_of",
            "approver" => row.approvers.push(value),
            _ => {}
        }
    }
    rows
}

/// The steps the rows describe, blank rows left out, ordered by position (then row).
fn steps_from(rows: &[StepRow]) -> Result<Vec<ApprovalStep>, AppError> {
    let mut numbered: Vec<(i64, usize, &StepRow)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_blank())
        .map(|(i, r)| {
            let pos = r.position.trim().parse::<i64>().unwrap_or(i64::MAX);
            (pos, i, r)
        })
        .collect();
    numbered.sort_by_key(|(pos, i, _)| (*pos, *i));
    numbered
        .into_iter()
        .map(|(_, _, r)| {
            let approvers = r
                .approvers
                .iter()
                .map(|a| {
                    a.trim()
                        .parse::<UserId>()
                        .map_err(|_| AppError::UnknownReference("user"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ApprovalStep {
                label: r.label.clone(),
                mode: if r.all_of {
                    StepMode::AllOf
                } else {
                    StepMode::AnyOf
                },
                approvers,
            })
        })
        .collect()
}

async fn save(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> Result<Response, PageFailure> {
    let opd = parse_opd(&id, s.tr)?;
    let rows = rows_from(pairs);
    let outcome = match steps_from(&rows) {
        // An empty form is a mistake, not a removal: removing has its own button.
        Ok(steps) if steps.is_empty() => Err(AppError::Refused {
            code: "empty",
            message: "an approval chain needs at least one step; add one".to_owned(),
        }),
        Ok(steps) => state
            .app
            .set_approval_chain(&s.ctx.actor, opd, steps)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(done(&format!("/opds/{opd}/approval-chain"), "chain_saved")),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(fail(s.tr)(e)),
        Err(e) => {
            let error = refusal(e, s.tr);
            chain_page(&state, &s, opd, Some(rows), None, Some(error)).await
        }
    }
}

#[derive(serde::Deserialize)]
struct EmptyForm {}

async fn remove(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(_): FormBody<EmptyForm>,
) -> Result<Response, PageFailure> {
    let opd = parse_opd(&id, s.tr)?;
    match state
        .app
        .set_approval_chain(&s.ctx.actor, opd, Vec::new())
        .await
    {
        Ok(_) => Ok(done(
            &format!("/opds/{opd}/approval-chain"),
            "chain_removed",
        )),
        Err(e) => Err(fail(s.tr)(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn steps_follow_their_positions_and_blank_rows_are_left_out() {
        let a = UserId::generate().to_string();
        let b = UserId::generate().to_string();
        let rows = rows_from(pairs(&[
            ("position_0", "2"),
            ("label_0", "Kepala Dinas"),
            ("mode_0", "any_of"),
            ("approver_0", &a),
            ("position_1", "1"),
            ("label_1", "Kabid"),
            ("mode_1", "all_of"),
            ("approver_1", &a),
            ("approver_1", &b),
            ("position_2", "3"),
            ("label_2", ""),
        ]));
        let steps = steps_from(&rows).unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].label, "Kabid");
        assert_eq!(steps[0].mode, StepMode::AllOf);
        assert_eq!(steps[0].approvers.len(), 2);
        assert_eq!(steps[1].label, "Kepala Dinas");
    }

    #[test]
    fn a_bad_approver_or_a_runaway_row_index_is_not_taken() {
        let rows = rows_from(pairs(&[("label_0", "Kabid"), ("approver_0", "siapa")]));
        assert!(steps_from(&rows).is_err());
        let rows = rows_from(pairs(&[("label_99999", "x")]));
        assert!(rows.is_empty());
    }

    #[test]
    fn spare_rows_are_offered_up_to_the_most_steps() {
        assert_eq!(with_spares(Vec::new()).len(), SPARE_ROWS);
        let full = vec![StepRow::default(); MAX_STEPS];
        assert_eq!(with_spares(full).len(), MAX_STEPS);
    }
}
