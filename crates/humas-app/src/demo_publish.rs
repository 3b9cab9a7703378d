//! Demo publishing: a post already out on Facebook (and the OPD's other text channel) with its links, one waiting
//! for the Kepala Dinas, a draft, one approved for the day after tomorrow, a central narrative
//! sent to three OPDs, and weekday slots on the Dinkes Instagram account — so a newcomer sees
//! every state of the queue and the calendar on the first start.

use humas_domain::publish::{DeliveryState, PostState, zone};
use humas_domain::{AccountId, OpdId, Platform, Slug, UserZone};
use humas_store::{AuditActor, JobOutcome};
use jiff::SignedDuration;

use crate::publish::{ChannelInput, NarrativeInput, PostInput};
use crate::{App, AppError, AppResult};

impl App {
    async fn demo_opd(&self, slug: &str) -> AppResult<OpdId> {
        Ok(self.store.opd_by_slug(&Slug::parse(slug)?).await?.id)
    }

    async fn demo_accounts(&self, opd: OpdId, platforms: &[Platform]) -> AppResult<Vec<AccountId>> {
        Ok(self
            .store
            .list_accounts(Some(opd))
            .await?
            .into_iter()
            .filter(|a| platforms.contains(&a.platform))
            .map(|a| a.id)
            .collect())
    }

    /// A local time `days` ahead at `hh:mm` WIB, as the composer's field takes it.
    fn demo_local(&self, days: i64, hour: i8, minute: i8) -> String {
        let now = self.clock.now();
        let day = zone::to_local(now, UserZone::Wib)
            .date()
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or_else(|_| zone::to_local(now, UserZone::Wib).date());
        let at = day.at(hour, minute, 0, 0);
        at.strftime("%Y-%m-%dT%H:%M").to_string()
    }

    pub(crate) async fn seed_demo_publishing(&self) -> AppResult<()> {
        let operator = self.demo_actor("operator.dinkes").await?;
        let approver = self.demo_actor("approver.dinkes").await?;
        let supervisor = self.demo_actor("supervisor").await?;
        let dinkes = self.demo_opd("dinkes").await?;
        // Text posts: Instagram needs an image, which the demo has none of.
        let meta = self
            .demo_accounts(
                dinkes,
                &[
                    Platform::Facebook,
                    Platform::X,
                    Platform::Mastodon,
                    Platform::Telegram,
                ],
            )
            .await?;
        let channels = |ids: &[AccountId]| {
            ids.iter()
                .map(|a| ChannelInput {
                    account: *a,
                    text: None,
                })
                .collect::<Vec<_>>()
        };
        let input = |title: &str, body: &str, schedule: Option<String>| PostInput {
            title: title.into(),
            body: body.into(),
            channels: channels(&meta),
            media: Vec::new(),
            schedule,
            zone: UserZone::Wib,
        };

        // 1. Out already: approved, sent, with the links the platforms gave.
        let out = self
            .create_post(
                &operator,
                dinkes,
                &input(
                    "Vaksinasi HPV gratis di sekolah",
                    "Vaksinasi HPV gratis untuk siswi kelas 5 dan 6 SD berlangsung Senin–Jumat pukul 08.00–12.00 WIB di sekolah masing-masing se-Jawa Timur. Info: puskesmas terdekat. #JatimSehat",
                    None,
                ),
            )
            .await?;
        self.submit_post(&operator, out.id).await?;
        self.approve_post(&approver, out.id).await?;
        let now = self.clock.now();
        let system = AuditActor::system();
        for job in self
            .store
            .claim_jobs("demo", now, SignedDuration::from_secs(60), 10)
            .await?
        {
            let external = format!("1790{}", &job.id.to_string()[..8].replace('-', ""));
            let url = if self.store.get_account(job.account).await?.platform == Platform::Instagram
            {
                format!("https://www.instagram.com/p/DEMO{}", &external[4..])
            } else {
                format!("https://www.facebook.com/{external}")
            };
            let done = humas_store::PublishJob {
                state: DeliveryState::Published,
                external_id: Some(external),
                url: Some(url),
                published_at: Some(now),
                lease_until: None,
                in_doubt: false,
                ..job
            };
            self.store
                .finish_job(
                    &system,
                    &JobOutcome {
                        job: &done,
                        worker: "demo",
                    },
                )
                .await?;
        }

        // 2. Waiting for the Kepala Dinas, for tomorrow morning.
        let waiting = self
            .create_post(
                &operator,
                dinkes,
                &input(
                    "Posyandu balita bulan Desember",
                    "Posyandu balita Desember dibuka Sabtu pukul 08.00 WIB di balai desa masing-masing. Bawa buku KIA dan kartu BPJS. #PosyanduJatim",
                    Some(self.demo_local(1, 9, 0)),
                ),
            )
            .await?;
        self.submit_post(&operator, waiting.id).await?;

        // 3. A draft still being written.
        self.create_post(
            &operator,
            dinkes,
            &input(
                "Rilis: capaian imunisasi 2026",
                "Capaian imunisasi dasar lengkap Jawa Timur tahun 2026 mencapai 96 persen.",
                None,
            ),
        )
        .await?;

        // 4. Approved for the day after tomorrow.
        let later = self
            .create_post(
                &operator,
                dinkes,
                &input(
                    "Donor darah Hari Kesehatan Nasional",
                    "Ayo donor darah! Senin pukul 08.00–14.00 WIB di halaman Dinas Kesehatan Jawa Timur, Jl. A. Yani 118 Surabaya. #HKN2026",
                    Some(self.demo_local(2, 8, 0)),
                ),
            )
            .await?;
        self.submit_post(&operator, later.id).await?;
        self.approve_post(&approver, later.id).await?;

        // 5. A central narrative for three OPDs, due in two days.
        let mut opds = Vec::new();
        for slug in ["dinkes", "bpbd", "kominfo"] {
            opds.push(self.demo_opd(slug).await?);
        }
        self.send_narrative(
            &supervisor,
            &NarrativeInput {
                title: "Waspada musim hujan".into(),
                body: "Musim hujan tiba. Pemerintah Provinsi Jawa Timur mengajak warga membersihkan saluran air, menyiapkan tas siaga bencana, dan memantau peringatan dini BMKG. Laporkan genangan dan pohon tumbang ke 112.".into(),
                key_messages: vec![
                    "Bersihkan saluran air".into(),
                    "Siapkan tas siaga".into(),
                    "Darurat: 112".into(),
                ],
                media: Vec::new(),
                deadline: self.demo_local(2, 12, 0),
                zone: UserZone::Wib,
                opds,
            },
        )
        .await?;

        // 6. When the Dinkes Instagram account usually posts.
        if let Some(instagram) = self
            .demo_accounts(dinkes, &[Platform::Instagram])
            .await?
            .first()
        {
            let slots: Vec<String> = (1..=5)
                .flat_map(|d| [format!("{d} 07:00"), format!("{d} 12:00")])
                .collect();
            self.set_account_slots(&approver, *instagram, &slots)
                .await?;
        }
        if self.store.get_post(out.id).await?.state != PostState::Done {
            return Err(AppError::Internal("the demo post did not go out".into()));
        }
        Ok(())
    }
}
