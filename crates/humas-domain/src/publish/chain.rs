//! Approval chains: the ordered steps a post passes before it is published, per OPD, e.g.
//! Kabid → Sekretaris → Kepala Dinas.
//!
//! Each [`ApprovalStep`] needs either any one of its approvers ([`StepMode::AnyOf`]) or every
//! one of them ([`StepMode::AllOf`]). Steps are approved in order. Nobody approves their own
//! post, and a person records at most one approval per step. An acting official (Plt/Plh)
//! holds the delegator's approver role for the delegation's dates and may approve in the
//! delegator's place, recorded as [`Approval::on_behalf_of`]; not, however, on the
//! delegator's own post. A rejection (handled by the caller) returns the post to draft and
//! starts a new review round, so [`progress`] only ever sees the current round's approvals.
//!
//! An OPD without a configured chain uses [`ApprovalChain::single_step`] with all its
//! approvers.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::ids::UserId;

/// Most steps in a chain (a bureaucracy deeper than this is a configuration mistake).
pub const MAX_STEPS: usize = 10;
/// Longest step label, in characters.
pub const MAX_LABEL_CHARS: usize = 60;

/// How many of a step's approvers must approve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepMode {
    /// Any one of them.
    AnyOf,
    /// Every one of them.
    AllOf,
}

/// One step of a chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalStep {
    /// The office that approves here, e.g. "Kabid", "Sekretaris", "Kepala Dinas".
    pub label: String,
    /// Any one or every one.
    pub mode: StepMode,
    /// Who may approve, in display order.
    pub approvers: Vec<UserId>,
}

impl ApprovalStep {
    fn is_done(&self, approved_as: &HashSet<UserId>) -> bool {
        match self.mode {
            StepMode::AnyOf => self.approvers.iter().any(|a| approved_as.contains(a)),
            StepMode::AllOf => self.approvers.iter().all(|a| approved_as.contains(a)),
        }
    }
}

/// A validated chain: 1 to [`MAX_STEPS`] steps, each with a label and at least one approver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChainParts", into = "ChainParts")]
pub struct ApprovalChain {
    steps: Vec<ApprovalStep>,
}

/// The stored shape of a chain; deserialising validates it through [`ApprovalChain::new`].
#[derive(Serialize, Deserialize)]
struct ChainParts {
    steps: Vec<ApprovalStep>,
}

impl TryFrom<ChainParts> for ApprovalChain {
    type Error = ChainError;
    fn try_from(parts: ChainParts) -> Result<Self, ChainError> {
        Self::new(parts.steps)
    }
}

impl From<ApprovalChain> for ChainParts {
    fn from(chain: ApprovalChain) -> Self {
        Self { steps: chain.steps }
    }
}

impl ApprovalChain {
    /// Builds a chain, trimming each label.
    ///
    /// # Errors
    /// [`ChainError::Empty`], [`ChainError::TooManySteps`], [`ChainError::StepLabel`] (empty or
    /// longer than [`MAX_LABEL_CHARS`]), [`ChainError::StepWithoutApprovers`] or
    /// [`ChainError::DuplicateApprover`] (the same person twice in one step; in two different
    /// steps is fine).
    pub fn new(steps: Vec<ApprovalStep>) -> Result<Self, ChainError> {
        if steps.is_empty() {
            return Err(ChainError::Empty);
        }
        if steps.len() > MAX_STEPS {
            return Err(ChainError::TooManySteps);
        }
        let mut checked = Vec::with_capacity(steps.len());
        for mut step in steps {
            step.label = step.label.trim().to_owned();
            let chars = step.label.chars().count();
            if chars == 0 || chars > MAX_LABEL_CHARS {
                return Err(ChainError::StepLabel);
            }
            if step.approvers.is_empty() {
                return Err(ChainError::StepWithoutApprovers {
                    step_label: step.label,
                });
            }
            let mut seen = HashSet::new();
            if !step.approvers.iter().all(|a| seen.insert(*a)) {
                return Err(ChainError::DuplicateApprover {
                    step_label: step.label,
                });
            }
            checked.push(step);
        }
        Ok(Self { steps: checked })
    }

    /// A one-step chain where any of `approvers` may approve: what an OPD without a configured
    /// chain uses (`single_step("Penanggung jawab", <the OPD's approvers>)`).
    ///
    /// # Errors
    /// As [`ApprovalChain::new`].
    pub fn single_step(label: &str, approvers: Vec<UserId>) -> Result<Self, ChainError> {
        Self::new(vec![ApprovalStep {
            label: label.to_owned(),
            mode: StepMode::AnyOf,
            approvers,
        }])
    }

    /// The steps, in order.
    #[must_use]
    pub fn steps(&self) -> &[ApprovalStep] {
        &self.steps
    }
}

/// One recorded approval of the current review round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The step approved (0-based).
    pub step: usize,
    /// The person who clicked approve.
    pub approver: UserId,
    /// The listed approver they stood in for through a Plt/Plh delegation, if any.
    pub on_behalf_of: Option<UserId>,
}

impl Approval {
    /// Whose approval this counts as: the delegator's when made on their behalf.
    #[must_use]
    pub fn counts_as(&self) -> UserId {
        self.on_behalf_of.unwrap_or(self.approver)
    }
}

/// Where a post is in its chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Progress {
    /// Waiting at this step.
    AtStep {
        /// The step (0-based).
        index: usize,
        /// For all-of: the approvers who have not approved yet; for any-of: all the step's
        /// approvers (any one of them will do).
        missing: Vec<UserId>,
    },
    /// Every step is approved.
    Complete,
}

/// Whom each step's approvals count as.
fn approved_as(approvals: &[Approval], step: usize) -> HashSet<UserId> {
    approvals
        .iter()
        .filter(|a| a.step == step)
        .map(Approval::counts_as)
        .collect()
}

/// Where the chain stands given the current round's approvals. A step is done when any-of has
/// one of its approvers, or all-of has every one (an approval on behalf of someone counts as
/// theirs).
#[must_use]
pub fn progress(chain: &ApprovalChain, approvals: &[Approval]) -> Progress {
    for (index, step) in chain.steps.iter().enumerate() {
        let approved = approved_as(approvals, index);
        if step.is_done(&approved) {
            continue;
        }
        let missing = match step.mode {
            StepMode::AnyOf => step.approvers.clone(),
            StepMode::AllOf => step
                .approvers
                .iter()
                .filter(|a| !approved.contains(a))
                .copied()
                .collect(),
        };
        return Progress::AtStep { index, missing };
    }
    Progress::Complete
}

/// Decides whether `actor` may approve the post of `author` now, and as whom.
///
/// `acting_for` lists the users whose approver role the actor holds today through a Plt/Plh
/// delegation (the caller computes it with [`crate::Delegation::covers`]). At the current
/// step the actor approves as themselves when listed there and not yet counted; otherwise on
/// behalf of the first listed approver they act for who has not approved yet and is not the
/// author.
///
/// # Errors
/// [`ChainError::Complete`] when nothing is left to approve; [`ChainError::SelfApproval`] when
/// the actor wrote the post, or their only way to approve is on behalf of its author;
/// [`ChainError::AlreadyApproved`] when the actor has approved this step already, or everyone
/// they could approve as already has; [`ChainError::NotAnApprover`] when the actor is neither
/// listed at this step nor acting for someone who is.
pub fn check_approval(
    chain: &ApprovalChain,
    approvals: &[Approval],
    author: UserId,
    actor: UserId,
    acting_for: &[UserId],
) -> Result<Approval, ChainError> {
    let Progress::AtStep { index, .. } = progress(chain, approvals) else {
        return Err(ChainError::Complete);
    };
    if actor == author {
        return Err(ChainError::SelfApproval);
    }
    let step = &chain.steps[index];
    let in_this_step = approvals.iter().filter(|a| a.step == index);
    // One person, one approval per step: an all-of step means that many people looked at it.
    if in_this_step.clone().any(|a| a.approver == actor) {
        return Err(ChainError::AlreadyApproved);
    }
    let counted: HashSet<UserId> = in_this_step.map(Approval::counts_as).collect();
    let approve = |on_behalf_of| Approval {
        step: index,
        approver: actor,
        on_behalf_of,
    };
    let listed_self = step.approvers.contains(&actor);
    if listed_self && !counted.contains(&actor) {
        return Ok(approve(None));
    }
    let stand_ins: Vec<UserId> = step
        .approvers
        .iter()
        .copied()
        .filter(|a| *a != actor && acting_for.contains(a))
        .collect();
    if let Some(delegator) = stand_ins
        .iter()
        .copied()
        .find(|a| *a != author && !counted.contains(a))
    {
        return Ok(approve(Some(delegator)));
    }
    if listed_self || stand_ins.iter().any(|a| counted.contains(a)) {
        Err(ChainError::AlreadyApproved)
    } else if stand_ins.contains(&author) {
        Err(ChainError::SelfApproval)
    } else {
        Err(ChainError::NotAnApprover {
            step_label: step.label.clone(),
        })
    }
}

/// Checks that the chain can be completed for a post by `author`, who may not approve it
/// (nor may anyone on their behalf): an all-of step listing the author, or a step whose only
/// approver is the author, could never finish. Call it when the post is submitted.
///
/// # Errors
/// [`ChainError::AuthorIsOnlyApprover`] naming the first such step.
pub fn check_submittable(chain: &ApprovalChain, author: UserId) -> Result<(), ChainError> {
    let blocked = chain.steps.iter().find(|step| match step.mode {
        StepMode::AllOf => step.approvers.contains(&author),
        StepMode::AnyOf => step.approvers.iter().all(|a| *a == author),
    });
    match blocked {
        Some(step) => Err(ChainError::AuthorIsOnlyApprover {
            step_label: step.label.clone(),
        }),
        None => Ok(()),
    }
}

/// Why a chain could not be built, or an approval not given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A chain with no steps.
    #[error("an approval chain needs at least one step; add one")]
    Empty,
    /// More than [`MAX_STEPS`] steps.
    #[error("an approval chain has at most 10 steps; merge or remove some")]
    TooManySteps,
    /// A label that is empty or too long.
    #[error("each step needs a name of 1–60 characters, e.g. \"Kabid\" or \"Kepala Dinas\"")]
    StepLabel,
    /// A step with nobody to approve it.
    #[error("step \"{step_label}\" has no approvers; choose at least one")]
    StepWithoutApprovers {
        /// The step.
        step_label: String,
    },
    /// The same person twice in one step.
    #[error("step \"{step_label}\" lists the same approver twice; remove the duplicate")]
    DuplicateApprover {
        /// The step.
        step_label: String,
    },
    /// The author tried to approve their own post (or a delegate on the author's behalf).
    #[error(
        "you cannot approve a post you wrote, nor approve it on its author's behalf; another approver must do it"
    )]
    SelfApproval,
    /// This person (or everyone they could stand in for) has approved this step already.
    #[error("you have already approved this step; it now waits for the other approvers")]
    AlreadyApproved,
    /// The person is not an approver of the current step, not even as an acting official.
    #[error(
        "you are not an approver of step \"{step_label}\"; it waits for the people listed there (or their Plt/Plh)"
    )]
    NotAnApprover {
        /// The current step.
        step_label: String,
    },
    /// Nothing is left to approve.
    #[error("this post is already fully approved")]
    Complete,
    /// The author is needed at a step they cannot approve.
    #[error(
        "step \"{step_label}\" cannot be approved because its only approver (or one of its required approvers) wrote this post; ask the supervisor to add another approver or a Plt/Plh"
    )]
    AuthorIsOnlyApprover {
        /// The blocked step.
        step_label: String,
    },
}

impl ChainError {
    /// Stable snake_case code for translations (`chain-<code>`).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooManySteps => "too_many_steps",
            Self::StepLabel => "step_label",
            Self::StepWithoutApprovers { .. } => "step_without_approvers",
            Self::DuplicateApprover { .. } => "duplicate_approver",
            Self::SelfApproval => "self_approval",
            Self::AlreadyApproved => "already_approved",
            Self::NotAnApprover { .. } => "not_an_approver",
            Self::Complete => "complete",
            Self::AuthorIsOnlyApprover { .. } => "author_is_only_approver",
        }
    }

    /// Named values for the translated message (`step_label` where the error names a step).
    #[must_use]
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::StepWithoutApprovers { step_label }
            | Self::DuplicateApprover { step_label }
            | Self::NotAnApprover { step_label }
            | Self::AuthorIsOnlyApprover { step_label } => {
                vec![("step_label", step_label.clone())]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    struct Dinas {
        author: UserId,
        kabid_a: UserId,
        kabid_b: UserId,
        sekretaris: UserId,
        kadis: UserId,
        plt: UserId,
        outsider: UserId,
    }

    fn people() -> Dinas {
        Dinas {
            author: UserId::generate(),
            kabid_a: UserId::generate(),
            kabid_b: UserId::generate(),
            sekretaris: UserId::generate(),
            kadis: UserId::generate(),
            plt: UserId::generate(),
            outsider: UserId::generate(),
        }
    }

    fn step(label: &str, mode: StepMode, approvers: &[UserId]) -> ApprovalStep {
        ApprovalStep {
            label: label.to_owned(),
            mode,
            approvers: approvers.to_vec(),
        }
    }

    /// Both Kabid (all of), then Sekretaris, then Kepala Dinas.
    fn three_steps(d: &Dinas) -> ApprovalChain {
        ApprovalChain::new(vec![
            step("Kabid", StepMode::AllOf, &[d.kabid_a, d.kabid_b]),
            step("Sekretaris", StepMode::AnyOf, &[d.sekretaris]),
            step("Kepala Dinas", StepMode::AnyOf, &[d.kadis]),
        ])
        .unwrap()
    }

    /// Records `actor`'s approval as `check_approval` decides, panicking if refused.
    fn approve(
        chain: &ApprovalChain,
        log: &mut Vec<Approval>,
        author: UserId,
        actor: UserId,
        acting_for: &[UserId],
    ) -> Approval {
        let a = check_approval(chain, log, author, actor, acting_for).unwrap();
        log.push(a.clone());
        a
    }

    #[test]
    fn chain_walks_kabid_sekretaris_kepala_dinas() {
        let d = people();
        let chain = three_steps(&d);
        let mut log = Vec::new();
        assert_eq!(
            progress(&chain, &log),
            Progress::AtStep {
                index: 0,
                missing: vec![d.kabid_a, d.kabid_b]
            }
        );
        approve(&chain, &mut log, d.author, d.kabid_b, &[]);
        assert_eq!(
            progress(&chain, &log),
            Progress::AtStep {
                index: 0,
                missing: vec![d.kabid_a]
            },
            "all-of waits for the other Kabid"
        );
        let early = check_approval(&chain, &log, d.author, d.sekretaris, &[]);
        assert_eq!(
            early,
            Err(ChainError::NotAnApprover {
                step_label: "Kabid".into()
            }),
            "the Sekretaris cannot jump ahead"
        );
        approve(&chain, &mut log, d.author, d.kabid_a, &[]);
        assert_eq!(
            progress(&chain, &log),
            Progress::AtStep {
                index: 1,
                missing: vec![d.sekretaris]
            }
        );
        approve(&chain, &mut log, d.author, d.sekretaris, &[]);
        let last = approve(&chain, &mut log, d.author, d.kadis, &[]);
        assert_eq!(last.step, 2);
        assert_eq!(progress(&chain, &log), Progress::Complete);
        assert_eq!(
            check_approval(&chain, &log, d.author, d.kadis, &[]),
            Err(ChainError::Complete)
        );
    }

    #[test]
    fn any_of_step_needs_only_one() {
        let d = people();
        let chain =
            ApprovalChain::single_step("Penanggung jawab", vec![d.kabid_a, d.kabid_b]).unwrap();
        let mut log = Vec::new();
        assert_eq!(
            progress(&chain, &log),
            Progress::AtStep {
                index: 0,
                missing: vec![d.kabid_a, d.kabid_b]
            }
        );
        approve(&chain, &mut log, d.author, d.kabid_b, &[]);
        assert_eq!(progress(&chain, &log), Progress::Complete);
    }

    #[test]
    fn nobody_approves_their_own_post() {
        let d = people();
        let chain = three_steps(&d);
        let refused = check_approval(&chain, &[], d.kabid_a, d.kabid_a, &[]);
        assert_eq!(refused, Err(ChainError::SelfApproval));
        assert_eq!(refused.unwrap_err().code(), "self_approval");
    }

    #[test]
    fn plt_approves_in_place_of_kepala_dinas() {
        let d = people();
        let chain = three_steps(&d);
        let mut log = Vec::new();
        for actor in [d.kabid_a, d.kabid_b, d.sekretaris] {
            approve(&chain, &mut log, d.author, actor, &[]);
        }
        // Without the delegation in force, the Plt is nobody here.
        assert_eq!(
            check_approval(&chain, &log, d.author, d.plt, &[]),
            Err(ChainError::NotAnApprover {
                step_label: "Kepala Dinas".into()
            })
        );
        let a = approve(&chain, &mut log, d.author, d.plt, &[d.kadis]);
        assert_eq!(a.approver, d.plt);
        assert_eq!(a.on_behalf_of, Some(d.kadis));
        assert_eq!(progress(&chain, &log), Progress::Complete);
    }

    #[test]
    fn a_delegate_cannot_approve_the_delegators_own_post() {
        let d = people();
        let chain = ApprovalChain::single_step("Kepala Dinas", vec![d.kadis]).unwrap();
        // The Kepala Dinas wrote the post and is away; the Plt holds the role.
        assert_eq!(
            check_approval(&chain, &[], d.kadis, d.plt, &[d.kadis]),
            Err(ChainError::SelfApproval)
        );
        assert_eq!(
            check_submittable(&chain, d.kadis),
            Err(ChainError::AuthorIsOnlyApprover {
                step_label: "Kepala Dinas".into()
            })
        );
    }

    #[test]
    fn a_delegate_who_is_also_listed_approves_as_themselves_first() {
        let d = people();
        let chain = ApprovalChain::single_step("Kabid", vec![d.kabid_a, d.kabid_b]).unwrap();
        let a = check_approval(&chain, &[], d.author, d.kabid_a, &[d.kabid_b]).unwrap();
        assert_eq!(a.on_behalf_of, None);
    }

    #[test]
    fn a_delegate_skips_the_author_and_stands_in_for_the_next_delegator() {
        let d = people();
        let chain = ApprovalChain::new(vec![step(
            "Kabid",
            StepMode::AnyOf,
            &[d.kabid_a, d.kabid_b],
        )])
        .unwrap();
        // Kabid A wrote it; the Plh holds both Kabid roles: it counts as Kabid B's approval.
        let a = check_approval(&chain, &[], d.kabid_a, d.plt, &[d.kabid_a, d.kabid_b]).unwrap();
        assert_eq!(a.on_behalf_of, Some(d.kabid_b));
    }

    #[test]
    fn the_same_person_cannot_approve_a_step_twice() {
        let d = people();
        let chain = three_steps(&d);
        let mut log = Vec::new();
        approve(&chain, &mut log, d.author, d.kabid_a, &[]);
        assert_eq!(
            check_approval(&chain, &log, d.author, d.kabid_a, &[]),
            Err(ChainError::AlreadyApproved)
        );
        // Even holding Kabid B's role as Plh, one person gives one approval per step.
        assert_eq!(
            check_approval(&chain, &log, d.author, d.kabid_a, &[d.kabid_b]),
            Err(ChainError::AlreadyApproved)
        );
    }

    #[test]
    fn no_approval_on_behalf_of_someone_who_already_approved() {
        let d = people();
        let chain = three_steps(&d);
        let mut log = Vec::new();
        approve(&chain, &mut log, d.author, d.kabid_a, &[]);
        assert_eq!(
            check_approval(&chain, &log, d.author, d.plt, &[d.kabid_a]),
            Err(ChainError::AlreadyApproved)
        );
        // And the Kabid cannot add their own once a Plh approved for them.
        let a = approve(&chain, &mut log, d.author, d.plt, &[d.kabid_b]);
        assert_eq!(a.on_behalf_of, Some(d.kabid_b));
        assert_eq!(
            progress(&chain, &log),
            Progress::AtStep {
                index: 1,
                missing: vec![d.sekretaris]
            }
        );
        let mut two = vec![Approval {
            step: 0,
            approver: d.plt,
            on_behalf_of: Some(d.kabid_b),
        }];
        assert_eq!(
            check_approval(&chain, &two, d.author, d.kabid_b, &[]),
            Err(ChainError::AlreadyApproved)
        );
        two.push(check_approval(&chain, &two, d.author, d.kabid_a, &[]).unwrap());
        assert!(matches!(
            progress(&chain, &two),
            Progress::AtStep { index: 1, .. }
        ));
    }

    #[test]
    fn a_person_listed_in_two_steps_approves_both_once_each() {
        let d = people();
        let chain = ApprovalChain::new(vec![
            step("Kabid", StepMode::AnyOf, &[d.sekretaris, d.kabid_a]),
            step("Sekretaris", StepMode::AnyOf, &[d.sekretaris]),
        ])
        .unwrap();
        let mut log = Vec::new();
        assert_eq!(
            approve(&chain, &mut log, d.author, d.sekretaris, &[]).step,
            0
        );
        assert_eq!(
            approve(&chain, &mut log, d.author, d.sekretaris, &[]).step,
            1
        );
        assert_eq!(progress(&chain, &log), Progress::Complete);
    }

    #[test]
    fn an_outsider_is_told_which_step_waits() {
        let d = people();
        let chain = three_steps(&d);
        let err = check_approval(&chain, &[], d.author, d.outsider, &[]).unwrap_err();
        assert_eq!(err.code(), "not_an_approver");
        assert!(err.to_string().contains("\"Kabid\""), "{err}");
    }

    #[test]
    fn chain_validation() {
        let d = people();
        assert_eq!(ApprovalChain::new(vec![]), Err(ChainError::Empty));
        let eleven = vec![step("Kabid", StepMode::AnyOf, &[d.kabid_a]); 11];
        assert_eq!(ApprovalChain::new(eleven), Err(ChainError::TooManySteps));
        let ten = vec![step("Kabid", StepMode::AnyOf, &[d.kabid_a]); 10];
        assert_eq!(ApprovalChain::new(ten).unwrap().steps().len(), 10);
        assert_eq!(
            ApprovalChain::new(vec![step("   ", StepMode::AnyOf, &[d.kabid_a])]),
            Err(ChainError::StepLabel)
        );
        assert!(
            ApprovalChain::new(vec![step(&"a".repeat(60), StepMode::AnyOf, &[d.kabid_a])]).is_ok()
        );
        assert_eq!(
            ApprovalChain::new(vec![step(&"a".repeat(61), StepMode::AnyOf, &[d.kabid_a])]),
            Err(ChainError::StepLabel)
        );
        assert_eq!(
            ApprovalChain::new(vec![step("Kabid", StepMode::AllOf, &[])]),
            Err(ChainError::StepWithoutApprovers {
                step_label: "Kabid".into()
            })
        );
        assert_eq!(
            ApprovalChain::new(vec![step(
                " Kabid ",
                StepMode::AllOf,
                &[d.kabid_a, d.kabid_a]
            )]),
            Err(ChainError::DuplicateApprover {
                step_label: "Kabid".into()
            })
        );
        let trimmed =
            ApprovalChain::new(vec![step("  Kabid  ", StepMode::AnyOf, &[d.kabid_a])]).unwrap();
        assert_eq!(trimmed.steps()[0].label, "Kabid");
    }

    #[test]
    fn submission_is_refused_when_the_author_blocks_a_step() {
        let d = people();
        let chain = three_steps(&d);
        assert_eq!(check_submittable(&chain, d.author), Ok(()));
        assert_eq!(
            check_submittable(&chain, d.kabid_a),
            Err(ChainError::AuthorIsOnlyApprover {
                step_label: "Kabid".into()
            }),
            "an all-of step needs the author"
        );
        let any =
            ApprovalChain::single_step("Penanggung jawab", vec![d.kabid_a, d.kabid_b]).unwrap();
        assert_eq!(
            check_submittable(&any, d.kabid_a),
            Ok(()),
            "the other approver can do it"
        );
    }

    #[test]
    fn serde_round_trip_validates() {
        let d = people();
        let chain = three_steps(&d);
        let json = serde_json::to_string(&chain).unwrap();
        assert!(json.contains("\"all_of\""), "{json}");
        let back: ApprovalChain = serde_json::from_str(&json).unwrap();
        assert_eq!(back, chain);
        assert!(serde_json::from_str::<ApprovalChain>(r#"{"steps":[]}"#).is_err());
    }

    #[test]
    fn every_error_has_a_distinct_code() {
        let all = [
            ChainError::Empty,
            ChainError::TooManySteps,
            ChainError::StepLabel,
            ChainError::StepWithoutApprovers {
                step_label: String::new(),
            },
            ChainError::DuplicateApprover {
                step_label: String::new(),
            },
            ChainError::SelfApproval,
            ChainError::AlreadyApproved,
            ChainError::NotAnApprover {
                step_label: String::new(),
            },
            ChainError::Complete,
            ChainError::AuthorIsOnlyApprover {
                step_label: String::new(),
            },
        ];
        let codes: HashSet<&str> = all.iter().map(ChainError::code).collect();
        assert_eq!(codes.len(), all.len());
        let named = ChainError::NotAnApprover {
            step_label: "Sekretaris".into(),
        };
        assert_eq!(named.args(), [("step_label", "Sekretaris".to_owned())]);
        assert!(ChainError::SelfApproval.args().is_empty());
    }
}
