//! OPDs and their official accounts.

use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, Actor, ApiBaseUrl, Opd, OpdId, OpdKind,
    OpdName, Platform, Slug,
};

use crate::{App, AppError, AppResult, audit_actor};

/// An OPD as typed into a form or the API; every field is checked.
#[derive(Clone, Debug, Default)]
pub struct OpdInput {
    /// Short URL name.
    pub slug: String,
    /// Official name.
    pub name: String,
    /// `dinas`, `badan`, `biro`, `rsud` or `other`.
    pub kind: String,
    /// Parent OPD id, or empty.
    pub parent: Option<String>,
}

/// An account as typed into a form or the API.
#[derive(Clone, Debug, Default)]
pub struct AccountInput {
    /// Owning OPD id.
    pub opd: String,
    /// Platform name.
    pub platform: String,
    /// Handle or feed address.
    pub handle: String,
    /// API address override, or empty for the platform default.
    pub api_base_url: Option<String>,
    /// Status, or empty for `disconnected`.
    pub status: Option<String>,
}

fn non_empty(s: Option<&String>) -> Option<&str> {
    s.map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// Parses an id field; an unparseable id names nothing that exists.
pub fn parse_id<T: std::str::FromStr>(raw: &str, what: &'static str) -> AppResult<T> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::UnknownReference(what))
}

impl App {
    /// The OPDs the actor may see, by name.
    pub async fn list_opds(&self, actor: &Actor) -> AppResult<Vec<Opd>> {
        let all = self.store.list_opds().await?;
        Ok(all
            .into_iter()
            .filter(|o| actor.can_view_opd(o.id))
            .collect())
    }

    /// One OPD, if the actor may see it.
    pub async fn get_opd(&self, actor: &Actor, id: OpdId) -> AppResult<Opd> {
        let opd = self.store.get_opd(id).await?;
        if actor.can_view_opd(opd.id) {
            Ok(opd)
        } else {
            Err(AppError::Forbidden)
        }
    }

    async fn parse_opd(&self, input: &OpdInput, id: OpdId) -> AppResult<Opd> {
        let parent = match non_empty(input.parent.as_ref()) {
            Some(raw) => {
                let pid: OpdId = parse_id(raw, "opd")?;
                let parent = self
                    .store
                    .get_opd(pid)
                    .await
                    .map_err(|_| AppError::UnknownReference("opd"))?;
                self.refuse_cycle(id, parent.id).await?;
                Some(parent.id)
            }
            None => None,
        };
        Ok(Opd {
            id,
            slug: Slug::parse(&input.slug)?,
            name: OpdName::parse(&input.name)?,
            kind: OpdKind::parse(&input.kind)?,
            parent,
        })
    }

    /// An OPD may not end up as its own ancestor.
    async fn refuse_cycle(&self, id: OpdId, parent: OpdId) -> AppResult<()> {
        let mut cur = Some(parent);
        let mut steps = 0;
        while let Some(p) = cur {
            if p == id || steps > 64 {
                return Err(humas_domain::ValueError::RoleScope(
                    "an OPD cannot be placed under itself",
                )
                .into());
            }
            cur = self.store.get_opd(p).await?.parent;
            steps += 1;
        }
        Ok(())
    }

    /// Adds an OPD (supervisors only).
    pub async fn create_opd(&self, actor: &Actor, input: &OpdInput) -> AppResult<Opd> {
        if !actor.can_manage_opds() {
            return Err(AppError::Forbidden);
        }
        let opd = self.parse_opd(input, OpdId::generate()).await?;
        self.store.create_opd(&audit_actor(actor), &opd).await?;
        Ok(opd)
    }

    /// Changes an OPD (supervisors only).
    pub async fn update_opd(&self, actor: &Actor, id: OpdId, input: &OpdInput) -> AppResult<Opd> {
        if !actor.can_manage_opds() {
            return Err(AppError::Forbidden);
        }
        self.store.get_opd(id).await?;
        let opd = self.parse_opd(input, id).await?;
        self.store.update_opd(&audit_actor(actor), &opd).await?;
        Ok(opd)
    }

    /// Accounts of one OPD (which the actor must see), or of every OPD the actor sees.
    pub async fn list_accounts(
        &self,
        actor: &Actor,
        opd: Option<OpdId>,
    ) -> AppResult<Vec<Account>> {
        if let Some(id) = opd {
            self.get_opd(actor, id).await?;
            return Ok(self.store.list_accounts(Some(id)).await?);
        }
        let all = self.store.list_accounts(None).await?;
        Ok(all
            .into_iter()
            .filter(|a| actor.can_view_opd(a.opd))
            .collect())
    }

    /// One account, if the actor may see its OPD.
    pub async fn get_account(&self, actor: &Actor, id: AccountId) -> AppResult<Account> {
        let a = self.store.get_account(id).await?;
        if actor.can_view_opd(a.opd) {
            Ok(a)
        } else {
            Err(AppError::Forbidden)
        }
    }

    fn parse_account(input: &AccountInput, id: AccountId) -> AppResult<Account> {
        let opd: OpdId = parse_id(&input.opd, "opd")?;
        Self::parse_account_for(input, id, opd)
    }

    fn parse_account_for(input: &AccountInput, id: AccountId, opd: OpdId) -> AppResult<Account> {
        let status = match non_empty(input.status.as_ref()) {
            Some(s) => AccountStatus::parse(s)?,
            None => AccountStatus::Disconnected,
        };
        Ok(Account {
            id,
            opd,
            platform: Platform::parse(&input.platform)?,
            handle: AccountHandle::parse(&input.handle)?,
            api_base_url: non_empty(input.api_base_url.as_ref())
                .map(ApiBaseUrl::parse)
                .transpose()?,
            status,
        })
    }

    /// Adds an account to an OPD the actor manages.
    pub async fn create_account(&self, actor: &Actor, input: &AccountInput) -> AppResult<Account> {
        // Who may act is decided before what they typed is judged.
        let opd: OpdId = parse_id(&input.opd, "opd")?;
        self.store
            .get_opd(opd)
            .await
            .map_err(|_| AppError::UnknownReference("opd"))?;
        if !actor.can_manage_accounts_of(opd) {
            return Err(AppError::Forbidden);
        }
        let account = Self::parse_account_for(input, AccountId::generate(), opd)?;
        self.store
            .create_account(&audit_actor(actor), &account)
            .await?;
        Ok(account)
    }

    /// Changes an account. Moving it to another OPD needs rights over both.
    pub async fn update_account(
        &self,
        actor: &Actor,
        id: AccountId,
        input: &AccountInput,
    ) -> AppResult<Account> {
        let old = self.get_account(actor, id).await?;
        if !actor.can_manage_accounts_of(old.opd) {
            return Err(AppError::Forbidden);
        }
        let account = Self::parse_account(input, id)?;
        self.store
            .get_opd(account.opd)
            .await
            .map_err(|_| AppError::UnknownReference("opd"))?;
        if !actor.can_manage_accounts_of(account.opd) {
            return Err(AppError::Forbidden);
        }
        self.store
            .update_account(&audit_actor(actor), &account)
            .await?;
        Ok(account)
    }

    /// Removes an account.
    pub async fn delete_account(&self, actor: &Actor, id: AccountId) -> AppResult<()> {
        let old = self.get_account(actor, id).await?;
        if !actor.can_manage_accounts_of(old.opd) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.delete_account(&audit_actor(actor), id).await?)
    }
}
