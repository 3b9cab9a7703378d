//! The calendar: posts by day for a week or a month, per OPD or province-wide; weekly slots per
//! account; moving a post to another time (drag and drop, or the keyboard form).

use humas_domain::publish::slots::{self, Slot};
use humas_domain::publish::{Post, PostState, zone};
use humas_domain::{AccountId, Actor, OpdId, PostId, Role, UserZone};
use humas_store::PostQuery;
use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

use crate::{App, AppError, AppResult, audit_actor};

/// Week or month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarSpan {
    /// Monday to Sunday around the day.
    Week,
    /// The whole month of the day, from the Monday before its first day to the Sunday after its
    /// last (full weeks, as a month grid shows them).
    Month,
}

/// One day of the calendar.
#[derive(Clone, Debug)]
pub struct CalendarDay {
    /// The day (in the viewer's zone).
    pub date: Date,
    /// Whether it belongs to the month asked for (month grids show neighbours greyed).
    pub in_range: bool,
    /// Posts scheduled on it, by time.
    pub posts: Vec<Post>,
}

/// A calendar page.
#[derive(Clone, Debug)]
pub struct Calendar {
    /// Days in order (7 for a week, 28–42 for a month).
    pub days: Vec<CalendarDay>,
    /// Posts with no time yet ("as soon as approved") and still open.
    pub unscheduled: Vec<Post>,
}

fn refused(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::Refused {
        code,
        message: message.into(),
    }
}

/// The first and last day a span shows around `day`.
#[must_use]
pub fn span_bounds(span: CalendarSpan, day: Date) -> (Date, Date, Date, Date) {
    let monday_of = |d: Date| {
        let back = i64::from(d.weekday().to_monday_zero_offset());
        d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
    };
    match span {
        CalendarSpan::Week => {
            let start = monday_of(day);
            let end = start
                .checked_add(jiff::Span::new().days(6))
                .unwrap_or(start);
            (start, end, start, end)
        }
        CalendarSpan::Month => {
            let first = day.first_of_month();
            let last = day.last_of_month();
            let start = monday_of(first);
            let end = if last.weekday() == Weekday::Sunday {
                last
            } else {
                let ahead = 6 - i64::from(last.weekday().to_monday_zero_offset());
                last.checked_add(jiff::Span::new().days(ahead))
                    .unwrap_or(last)
            };
            (start, end, first, last)
        }
    }
}

impl App {
    /// The calendar around `day` in the viewer's `zone`, for one OPD or (province roles) all.
    ///
    /// # Errors
    /// `Forbidden` for an OPD the actor cannot see.
    pub async fn calendar(
        &self,
        actor: &Actor,
        opd: Option<OpdId>,
        span: CalendarSpan,
        day: Date,
        zone_of_viewer: UserZone,
    ) -> AppResult<Calendar> {
        let (start, end, first, last) = span_bounds(span, day);
        let from = zone::to_instant(
            start.to_datetime(jiff::civil::Time::midnight()),
            zone_of_viewer,
        );
        let until_day = end.checked_add(jiff::Span::new().days(1)).unwrap_or(end);
        let until = zone::to_instant(
            until_day.to_datetime(jiff::civil::Time::midnight()),
            zone_of_viewer,
        );
        let posts = self
            .list_posts(
                actor,
                PostQuery {
                    opd,
                    from: Some(from),
                    until: Some(until),
                    limit: 1000,
                    ..PostQuery::default()
                },
            )
            .await?;
        let mut days = Vec::new();
        let mut d = start;
        while d <= end {
            days.push(CalendarDay {
                date: d,
                in_range: d >= first && d <= last,
                posts: Vec::new(),
            });
            d = match d.checked_add(jiff::Span::new().days(1)) {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        for post in posts {
            let Some(at) = post.scheduled_at else {
                continue;
            };
            let local = zone::to_local(at, zone_of_viewer).date();
            if let Some(day) = days.iter_mut().find(|x| x.date == local) {
                day.posts.push(post);
            }
        }
        let unscheduled = self
            .list_posts(
                actor,
                PostQuery {
                    opd,
                    states: vec![PostState::Draft, PostState::InReview],
                    limit: 200,
                    ..PostQuery::default()
                },
            )
            .await?
            .into_iter()
            .filter(|p| p.scheduled_at.is_none())
            .collect();
        Ok(Calendar { days, unscheduled })
    }

    /// Moves a post to another time (`local` in `zone`): drafts and posts in review simply
    /// change time; an approved post moves with its waiting channels (a channel already being
    /// sent or done stays).
    ///
    /// # Errors
    /// `Forbidden` unless the actor writes posts for the OPD (approved posts: approvers and
    /// supervisors only, since the time was part of what they approved); `Invalid` for a time
    /// in the past; `Conflict("post_state")` for a post that is done or expired.
    pub async fn reschedule_post(
        &self,
        actor: &Actor,
        id: PostId,
        local: &str,
        zone_of_input: UserZone,
    ) -> AppResult<Post> {
        let before = self.store.get_post(id).await?;
        if !actor.can_compose_posts_of(before.opd) {
            return Err(AppError::Forbidden);
        }
        if before.state == PostState::Approved
            && !(actor.is_approver_of(before.opd) || actor.role == Role::Supervisor)
        {
            return Err(AppError::Forbidden);
        }
        if !matches!(
            before.state,
            PostState::Draft | PostState::InReview | PostState::Approved
        ) {
            return Err(AppError::Conflict("post_state"));
        }
        let at = zone::parse_local(local, zone_of_input)?;
        let now = self.clock.now();
        zone::check_schedule(at, now)?;
        let expected = before.state;
        let post = Post {
            scheduled_at: Some(at),
            updated_at: now,
            ..before
        };
        self.store
            .reschedule_post(&audit_actor(actor), &post, expected)
            .await?;
        Ok(post)
    }

    /// Replaces an account's weekly slots (`"1 07:00"` each, in WIB).
    ///
    /// # Errors
    /// `Forbidden` unless the actor manages the account's OPD; `Invalid` for a bad slot.
    pub async fn set_account_slots(
        &self,
        actor: &Actor,
        account: AccountId,
        raw: &[String],
    ) -> AppResult<Vec<Slot>> {
        let a = self.store.get_account(account).await?;
        if !actor.can_manage_accounts_of(a.opd) {
            return Err(AppError::Forbidden);
        }
        let parsed = raw
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(Slot::parse)
            .collect::<Result<Vec<_>, _>>()?;
        let slots = slots::normalize(parsed)?;
        self.store
            .set_account_slots(&audit_actor(actor), account, &slots)
            .await?;
        Ok(slots)
    }

    /// An account's weekly slots.
    ///
    /// # Errors
    /// `Forbidden` unless the actor sees the account's OPD.
    pub async fn account_slots(&self, actor: &Actor, account: AccountId) -> AppResult<Vec<Slot>> {
        let a = self.store.get_account(account).await?;
        if !actor.can_view_opd(a.opd) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.account_slots(account).await?)
    }

    /// The next slot of `account` after now that no post of its OPD already takes.
    ///
    /// # Errors
    /// `Forbidden`; `Refused("no_slots")` when the account has none.
    pub async fn next_free_slot(&self, actor: &Actor, account: AccountId) -> AppResult<Timestamp> {
        let a = self.store.get_account(account).await?;
        if !actor.can_view_opd(a.opd) {
            return Err(AppError::Forbidden);
        }
        let slots = self.store.account_slots(account).await?;
        if slots.is_empty() {
            return Err(refused(
                "no_slots",
                "this account has no publishing slots yet; set them on the account page",
            ));
        }
        let now = self.clock.now();
        let horizon = now + jiff::SignedDuration::from_hours(24 * 29);
        let taken: Vec<Timestamp> = self
            .store
            .list_posts(&PostQuery {
                opd: Some(a.opd),
                from: Some(now),
                until: Some(horizon),
                limit: 1000,
                ..PostQuery::default()
            })
            .await?
            .into_iter()
            .filter(|p| p.channels.iter().any(|c| c.account == account))
            .filter_map(|p| p.scheduled_at)
            .collect();
        slots::next_free(&slots, now, UserZone::Wib, &taken).ok_or_else(|| {
            refused(
                "no_free_slot",
                "every slot of the next four weeks is taken; choose a time by hand",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_grids_are_whole_weeks() {
        // November 2026 starts on a Sunday and ends on a Monday.
        let (start, end, first, last) =
            span_bounds(CalendarSpan::Month, jiff::civil::date(2026, 11, 18));
        assert_eq!(start, jiff::civil::date(2026, 10, 26));
        assert_eq!(end, jiff::civil::date(2026, 12, 6));
        assert_eq!(
            (first, last),
            (
                jiff::civil::date(2026, 11, 1),
                jiff::civil::date(2026, 11, 30)
            )
        );
        let (ws, we, _, _) = span_bounds(CalendarSpan::Week, jiff::civil::date(2026, 11, 28));
        assert_eq!(
            (ws, we),
            (
                jiff::civil::date(2026, 11, 23),
                jiff::civil::date(2026, 11, 29)
            )
        );
    }
}
