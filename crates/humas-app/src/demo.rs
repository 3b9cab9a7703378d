//! Demo data: the East Java provincial government with real OPD names, a few accounts each,
//! and one person per role, so a newcomer sees a living system.

use humas_domain::{AccountStatus, Platform, Role};

use crate::org::{AccountInput, OpdInput};
use crate::people::{DelegationInput, NewUserInput};
use crate::{App, AppResult};

/// The password of every demo person. Demo installs only; `--demo` prints it.
pub const DEMO_PASSWORD: &str = "humas-demo-2026";

/// (slug, name, kind, parent slug)
const OPDS: &[(&str, &str, &str, Option<&str>)] = &[
    ("setda", "Sekretariat Daerah", "other", None),
    (
        "biro-adpim",
        "Biro Administrasi Pimpinan",
        "biro",
        Some("setda"),
    ),
    ("biro-hukum", "Biro Hukum", "biro", Some("setda")),
    (
        "biro-kesra",
        "Biro Kesejahteraan Rakyat",
        "biro",
        Some("setda"),
    ),
    ("inspektorat", "Inspektorat", "other", None),
    ("kominfo", "Dinas Komunikasi dan Informatika", "dinas", None),
    ("dindik", "Dinas Pendidikan", "dinas", None),
    ("dinkes", "Dinas Kesehatan", "dinas", None),
    ("dinsos", "Dinas Sosial", "dinas", None),
    (
        "disnakertrans",
        "Dinas Tenaga Kerja dan Transmigrasi",
        "dinas",
        None,
    ),
    ("dpubm", "Dinas Pekerjaan Umum Bina Marga", "dinas", None),
    ("dishub", "Dinas Perhubungan", "dinas", None),
    (
        "disperindag",
        "Dinas Perindustrian dan Perdagangan",
        "dinas",
        None,
    ),
    ("dlh", "Dinas Lingkungan Hidup", "dinas", None),
    (
        "disbudpar",
        "Dinas Kebudayaan dan Pariwisata",
        "dinas",
        None,
    ),
    (
        "dp3ak",
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Kependudukan",
        "dinas",
        None,
    ),
    ("satpolpp", "Satuan Polisi Pamong Praja", "other", None),
    (
        "bappeda",
        "Badan Perencanaan Pembangunan Daerah",
        "badan",
        None,
    ),
    ("bapenda", "Badan Pendapatan Daerah", "badan", None),
    (
        "bpsdm",
        "Badan Pengembangan Sumber Daya Manusia",
        "badan",
        None,
    ),
    ("bpbd", "Badan Penanggulangan Bencana Daerah", "badan", None),
    (
        "bakesbangpol",
        "Badan Kesatuan Bangsa dan Politik",
        "badan",
        None,
    ),
    ("rsud-soetomo", "RSUD Dr. Soetomo", "rsud", None),
    ("rsud-saiful-anwar", "RSUD Dr. Saiful Anwar", "rsud", None),
];

/// (username, display name, role, OPD slug)
const PEOPLE: &[(&str, &str, Role, Option<&str>)] = &[
    (
        "supervisor",
        "Admin Diskominfo Jatim",
        Role::Supervisor,
        None,
    ),
    (
        "pimpinan",
        "Kantor Sekda (pimpinan)",
        Role::Leadership,
        None,
    ),
    (
        "approver.dinkes",
        "Kepala Dinas Kesehatan",
        Role::Approver,
        Some("dinkes"),
    ),
    (
        "operator.dinkes",
        "Operator Medsos Dinkes",
        Role::Operator,
        Some("dinkes"),
    ),
    (
        "operator.bpbd",
        "Operator Medsos BPBD",
        Role::Operator,
        Some("bpbd"),
    ),
    ("trainer.bpsdm", "Widyaiswara BPSDM", Role::Trainer, None),
    (
        "trainee.bpsdm",
        "Peserta Bimtek BPSDM",
        Role::Trainee,
        Some("bpsdm"),
    ),
];

/// One demo person, for printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Sign-in name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// OPD slug, if any.
    pub opd: Option<String>,
}

fn accounts_for(slug: &str, i: usize) -> Vec<(Platform, String, AccountStatus)> {
    let base = format!("{}jatim", slug.replace('-', ""));
    let mut out = vec![
        (
            Platform::Instagram,
            format!("@{base}"),
            AccountStatus::Active,
        ),
        (Platform::Facebook, base.clone(), AccountStatus::Active),
    ];
    // Vary the third account so the lists show every platform and status.
    let third = match i % 5 {
        0 => (Platform::X, format!("@{base}"), AccountStatus::Active),
        1 => (
            Platform::Tiktok,
            format!("@{base}"),
            AccountStatus::TokenExpired,
        ),
        2 => (Platform::Youtube, format!("@{base}"), AccountStatus::Active),
        3 => (
            Platform::Telegram,
            format!("@{base}"),
            AccountStatus::Disconnected,
        ),
        _ => (
            Platform::Mastodon,
            format!("@{base}"),
            AccountStatus::Paused,
        ),
    };
    out.push(third);
    out
}

impl App {
    /// Fills an empty database with demo data. Does nothing (returns `None`) when anyone exists.
    pub async fn seed_demo_if_empty(&self) -> AppResult<Option<Vec<DemoLogin>>> {
        if self.store.count_users().await? > 0 || !self.store.list_opds().await?.is_empty() {
            return Ok(None);
        }
        let cli = Self::cli_actor();
        let mut ids = std::collections::HashMap::new();
        for (i, (slug, name, kind, parent)) in OPDS.iter().enumerate() {
            let parent = parent
                .and_then(|p| ids.get(p))
                .map(|id: &humas_domain::OpdId| id.to_string());
            let input = OpdInput {
                slug: (*slug).into(),
                name: (*name).into(),
                kind: (*kind).into(),
                parent,
            };
            let opd = self.create_opd(&cli, &input).await?;
            ids.insert(*slug, opd.id);
            for (platform, handle, status) in accounts_for(slug, i) {
                let input = AccountInput {
                    opd: opd.id.to_string(),
                    platform: platform.as_str().into(),
                    handle,
                    api_base_url: None,
                    status: Some(status.as_str().into()),
                };
                self.create_account(&cli, &input).await?;
            }
        }
        let mut logins = Vec::new();
        let mut user_ids = std::collections::HashMap::new();
        for (username, display, role, opd) in PEOPLE {
            let input = NewUserInput {
                username: (*username).into(),
                display_name: (*display).into(),
                role: role.as_str().into(),
                opd: opd.and_then(|s| ids.get(s)).map(ToString::to_string),
                password: DEMO_PASSWORD.into(),
            };
            let user = self.create_user(&cli, &input).await?;
            user_ids.insert(*username, user.id);
            logins.push(DemoLogin {
                username: (*username).into(),
                role: *role,
                opd: opd.map(str::to_owned),
            });
        }
        if let (Some(from), Some(to)) = (
            user_ids.get("approver.dinkes"),
            user_ids.get("operator.dinkes"),
        ) {
            let today = self
                .clock
                .now()
                .to_zoned(
                    jiff::tz::TimeZone::get("Asia/Jakarta").unwrap_or(jiff::tz::TimeZone::UTC),
                )
                .date();
            let start = today
                .checked_add(jiff::Span::new().days(7))
                .unwrap_or(today);
            let end = start
                .checked_add(jiff::Span::new().days(2))
                .unwrap_or(start);
            let input = DelegationInput {
                from_user: from.to_string(),
                to_user: to.to_string(),
                kind: "plh".into(),
                starts_on: start.to_string(),
                ends_on: end.to_string(),
                reason: "Cuti tahunan Kepala Dinas (demo)".into(),
            };
            self.create_delegation(&cli, &input).await?;
        }
        self.seed_demo_inbox().await?;
        self.seed_demo_publishing().await?;
        Ok(Some(logins))
    }
}
