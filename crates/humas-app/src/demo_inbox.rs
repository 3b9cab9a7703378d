//! Demo data for the inbox: routing rules, saved replies, and some 160 messages written for the
//! demo (comments, replies, mentions, direct messages, news) spread over the last ten days, part
//! of them already triaged, assigned, noted or answered in draft, so `humas serve --demo` opens
//! on an inbox that is being worked.
//!
//! Everything here is fictional: the people, the handles, the news outlets, the NIKs and phone
//! numbers. Texts are fixed and ids are numbered in table order, so two demo installs hold the
//! same messages.

use std::collections::HashMap;

use humas_domain::inbox::{Author, Category, ExternalId, Inbound, MessageKind};
use humas_domain::sla::schedule;
use humas_domain::{Account, Actor, OpdId, Platform, Slug, Username};
use humas_store::AuditActor;
use jiff::{SignedDuration, Timestamp};

use crate::inbox::{RuleInput, RuleInputError};
use crate::org::AccountInput;
use crate::{App, AppError, AppResult};

/// The feed the demo's news items come from; paused, so the server never polls it.
const NEWS_FEED: &str = "https://jatimprov.go.id/rss";

/// (name, OPD slug, expression, priority)
const RULES: &[(&str, &str, &str, &str)] = &[
    (
        "Jalan rusak di kabupaten → PU Bina Marga",
        "dpubm",
        "(rusak OR berlubang OR lubang OR ambles OR amblas OR retak) AND (jalan OR dalan OR jembatan) \
         AND (region:sidoarjo OR region:gresik OR region:lamongan OR region:tuban OR \
         region:bojonegoro OR region:jember OR region:kab-malang OR region:ngawi OR \
         region:bangkalan OR region:sumenep OR region:pamekasan OR region:kab-mojokerto)",
        "10",
    ),
    (
        "Layanan kesehatan → Dinas Kesehatan",
        "dinkes",
        "vaksin OR puskesmas OR rsud",
        "20",
    ),
    (
        "Bantuan sosial → Dinas Sosial",
        "dinsos",
        "bansos OR pkh OR \"bantuan sosial\"",
        "30",
    ),
];

/// (OPD slug or province-wide, title, body)
const SAVED_REPLIES: &[(Option<&str>, &str, &str)] = &[
    (
        None,
        "Ucapan terima kasih dan penerusan",
        "Yth. {nama}, terima kasih telah menyampaikan pesan kepada Pemerintah Provinsi Jawa Timur. \
         Pesan Anda telah kami terima pada {tanggal} dan kami teruskan kepada {opd} untuk \
         ditindaklanjuti. Mohon berkenan menunggu kabar selanjutnya.",
    ),
    (
        None,
        "Tenggat tindak lanjut",
        "Yth. {nama}, laporan Anda sedang ditangani oleh {opd}. Sesuai standar pelayanan \
         SP4N-LAPOR!, hasil tindak lanjut akan kami sampaikan paling lambat {tenggat}. Terima \
         kasih atas kesabaran dan kepercayaan Anda.",
    ),
    (
        None,
        "Pelindungan data pribadi",
        "Yth. {nama}, demi pelindungan data pribadi Anda, mohon tidak menuliskan NIK, nomor \
         telepon, atau alamat rumah di kolom komentar. Silakan sampaikan data tersebut melalui \
         pesan langsung kepada akun resmi {opd}. Terima kasih atas pengertiannya.",
    ),
    (
        Some("dinkes"),
        "Informasi layanan puskesmas",
        "Yth. {nama}, terima kasih atas pertanyaannya. Jadwal layanan dan imunisasi dapat berbeda \
         di setiap puskesmas; mohon menghubungi puskesmas terdekat atau memantau kanal resmi {opd}. \
         Informasi ini kami sampaikan per {tanggal}. Salam sehat.",
    ),
    (
        Some("dpubm"),
        "Laporan kerusakan jalan diterima",
        "Yth. {nama}, terima kasih atas laporan kerusakan jalan yang Anda sampaikan. Tim {opd} \
         akan melakukan pengecekan lapangan dan menyampaikan hasilnya paling lambat {tenggat}. \
         Mohon berkenan mengirimkan titik lokasi dan foto melalui pesan langsung.",
    ),
    (
        Some("dinsos"),
        "Verifikasi data bantuan sosial",
        "Yth. {nama}, terima kasih atas informasinya. {opd} akan memverifikasi data penerima \
         bantuan bersama pemerintah kabupaten/kota dan menyampaikan hasilnya paling lambat \
         {tenggat}. Mohon tidak memberikan imbalan apa pun kepada pihak yang menjanjikan bantuan.",
    ),
];

/// What the demo does with a message after it arrives.
#[derive(Clone, Copy, Debug)]
enum Work {
    /// Nothing yet.
    New,
    /// Categorised.
    Cat(Category),
    /// Categorised and assigned to the named demo person.
    Assign(Category, &'static str),
    /// Categorised, assigned, and the assignee left this note.
    Note(Category, &'static str, &'static str),
    /// Categorised, and `operator.dinkes` drafted this reply, which waits for approval.
    Draft(Category, &'static str),
    /// Categorised and closed.
    Closed(Category),
}

use Work::{Assign, Cat, Closed, Draft, New, Note};

const INFO: Category = Category::InformationRequest;
const COMPLAINT: Category = Category::Complaint;
const DISPUTE: Category = Category::Dispute;
const FIELD: Category = Category::FieldCheck;
const NONE: Category = Category::NotActionable;

const IG: Platform = Platform::Instagram;
const FB: Platform = Platform::Facebook;
const X: Platform = Platform::X;
const YT: Platform = Platform::Youtube;
const TT: Platform = Platform::Tiktok;

const COMMENT: MessageKind = MessageKind::Comment;
const REPLY: MessageKind = MessageKind::Reply;
const MENTION: MessageKind = MessageKind::Mention;
const DM: MessageKind = MessageKind::Direct;

/// One message: (OPD slug of the account, platform, kind, author handle, display name (may be
/// empty), hours ago, thread (our post it sits under, or empty), text, what is done with it).
/// A comment in a thread answers the post; a reply answers the latest comment above it in the
/// same thread.
type Row = (
    &'static str,
    Platform,
    MessageKind,
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    Work,
);

#[rustfmt::skip]
const MESSAGES: &[Row] = &[
    // --- Dinas Kesehatan ------------------------------------------------------------------
    ("dinkes", IG, COMMENT, "@bunda_kirana", "Bunda Kirana", 200, "ig-dinkes-imunisasi",
     "Min, imunisasi polio tahap 2 di puskesmas Wonokromo jadwalnya kapan ya? Anak saya kemarin belum kebagian 🙏",
     Assign(INFO, "operator.dinkes")),
    ("dinkes", IG, REPLY, "@mas_yogi", "Yogi P.", 198, "ig-dinkes-imunisasi",
     "@bunda_kirana biasane tiap selasa bun, tapi mending telpon puskesmase dulu",
     New),
    ("dinkes", IG, COMMENT, "@arek_ketintang", "", 190, "ig-dinkes-imunisasi",
     "Puskesmas deket rumahku antri e suwe pol, jam 7 dateng jam 11 baru dipanggil. Iki piye min 😩",
     Cat(COMPLAINT)),
    ("dinkes", IG, COMMENT, "@nenek_gaul", "Eyang Tuti", 176, "ig-dinkes-imunisasi",
     "Alhamdulillah cucu sudah imunisasi lengkap, makasih bu bidan puskesmas Kenjeran ramah bgt ❤️",
     Closed(NONE)),
    ("dinkes", IG, COMMENT, "@rizky.fadil", "Rizky Fadil", 150, "ig-dinkes-imunisasi",
     "Vaksin e aman ta? Aku krungu isu aneh2 nang grup WA",
     Cat(INFO)),
    ("dinkes", IG, REPLY, "@amalia.nakes", "Amalia", 149, "ig-dinkes-imunisasi",
     "@rizky.fadil aman mas, sudah lewat uji BPOM. Jangan gampang percaya hoaks grup WA 👍",
     New),
    ("dinkes", FB, COMMENT, "siti.rohmah.77", "Siti Rohmah", 230, "fb-dinkes-rujukan",
     "Assalamualaikum, saya mau tanya syarat rujukan BPJS ke RSUD Dr. Soetomo apa saja? Ibu saya harus kontrol jantung.",
     Draft(INFO, "Waalaikumsalam Ibu Siti, terima kasih atas pertanyaannya. Rujukan ke RSUD Dr. Soetomo memerlukan surat rujukan dari FKTP (puskesmas atau klinik) yang masih berlaku, kartu BPJS Kesehatan yang aktif, dan KTP. Untuk kontrol rutin, mohon membawa pula surat kontrol dari dokter spesialis. Semoga Ibu sekeluarga senantiasa sehat.")),
    ("dinkes", FB, COMMENT, "hendra.wijaya", "Hendra Wijaya", 220, "fb-dinkes-rujukan",
     "Pelayanan IGD RSUD kemarin malam lemot bgt, bapak saya nunggu 3 jam gk ditangani. Petugas malah main HP. Tolong dievaluasi!!",
     Assign(COMPLAINT, "approver.dinkes")),
    ("dinkes", FB, REPLY, "yanti.s", "Yanti", 218, "fb-dinkes-rujukan",
     "Sabar pak, IGD rame terus memang. Tapi 3 jam ya kelamaan sih 😔",
     New),
    ("dinkes", FB, DM, "dewi.lestari.sby", "Dewi Lestari", 210, "",
     "Selamat siang, saya mau melaporkan bidan desa yang minta uang Rp150.000 untuk surat keterangan lahir, padahal katanya gratis. Nama saya Dewi, NIK 3578024507910003, HP 0812-3345-6721. Mohon ditindaklanjuti.",
     Note(DISPUTE, "approver.dinkes", "Pelapor sudah kami hubungi lewat DM dan diminta mengirim bukti transfer. Koordinasi dengan Inspektorat untuk klarifikasi ke bidan desa.")),
    ("dinkes", FB, COMMENT, "agus.salim.rkt", "Agus Salim", 180, "",
     "DBD di RT kami sudah 4 orang yang kena, tolong fogging min. Lokasi Jl. Rungkut Asri No. 12 Surabaya",
     Assign(FIELD, "operator.dinkes")),
    ("dinkes", FB, COMMENT, "yuli.astutik", "Yuli Astutik", 170, "",
     "Terima kasih Dinkes sudah ada posyandu lansia keliling, ibu saya senang sekali 😊",
     Closed(NONE)),
    ("dinkes", FB, COMMENT, "bagus.santoso88", "Bagus Santoso", 160, "",
     "Jancuk, antrian obat nang RSUD koyok ular naga. Kapan iso cepet?? Sing antri wes tuwek kabeh",
     Cat(COMPLAINT)),
    ("dinkes", FB, COMMENT, "rara.ayu", "Mbak Rara", 120, "",
     "Info donor darah bulan ini di mana saja ya?",
     Cat(INFO)),
    ("dinkes", FB, COMMENT, "heru.prasetyo", "Heru Prasetyo", 100, "",
     "Cek kesehatan gratis pas ulang tahun itu beneran ada? Caranya gimana?",
     New),
    ("dinkes", FB, DM, "lilik.kader", "Lilik Suharti", 90, "",
     "Bu, saya kader posyandu di Bangkalan. Stok PMT untuk balita stunting sudah habis 2 minggu. Mohon bantuannya, bisa hubungi saya di 0857-3012-4455.",
     Assign(COMPLAINT, "operator.dinkes")),
    ("dinkes", FB, COMMENT, "rudi.hartono", "Rudi Hartono", 70, "",
     "Bagus program ambulans desa, kemarin tetangga cepat dibawa ke rumah sakit 🙏",
     New),
    ("dinkes", FB, COMMENT, "wahyu.nugroho", "Wahyu Nugroho", 48, "",
     "Kok apotek puskesmas sering kosong obat hipertensi ya? Tiap bulan disuruh beli sendiri",
     Assign(COMPLAINT, "operator.dinkes")),
    ("dinkes", FB, COMMENT, "ainun.sby", "Ainun", 30, "",
     "Dinkes iki kerjone opo? Wong loro disuruh muter2 ngurus surat. Pekok kabeh!",
     New),
    ("dinkes", FB, COMMENT, "fajar.s", "Fajar S", 20, "",
     "Min, klinik TB gratis di Surabaya ada di mana aja?",
     New),
    ("dinkes", IG, COMMENT, "@novi.anggraini", "Novi Anggraini", 6, "",
     "Mau tanya, sertifikat vaksin booster saya gk muncul di aplikasi SatuSehat, gimana ngurusnya?",
     New),
    ("dinkes", YT, COMMENT, "@ibu_muda_sby", "Ibu Muda", 140, "yt-dinkes-stunting",
     "Videonya jelas banget, jadi ngerti cara bikin MPASI bergizi. Makasih dinkes 👍👍",
     Closed(NONE)),
    ("dinkes", YT, COMMENT, "@cak_mad", "Cak Mad", 130, "yt-dinkes-stunting",
     "Dokter e ngomong e kecepeten, subtitle e sekalian min 😅",
     New),
    ("dinkes", YT, COMMENT, "@lek_parto", "Lek Parto", 126, "yt-dinkes-stunting",
     "Ngapain bikin video kalau posyandu di desaku gk ada timbangan? Percuma",
     Cat(COMPLAINT)),
    ("dinkes", YT, REPLY, "@ibu_muda_sby", "Ibu Muda", 125, "yt-dinkes-stunting",
     "@lek_parto laporno ae nang bidan desa lek, biasane dikirim",
     New),
    ("dinkes", YT, COMMENT, "@gizi_ceria", "Gizi Ceria", 60, "yt-dinkes-stunting",
     "Kapan ada kelas ibu hamil online lagi?",
     New),
    ("dinkes", IG, DM, "@mas_doni_92", "Doni", 40, "",
     "Min mau tanya, kalau anak demam tinggi 3 hari tp hasil lab normal perlu rawat inap ta? Panik aku",
     Draft(INFO, "Terima kasih sudah menghubungi kami, Kak Doni. Demam tinggi lebih dari tiga hari perlu diperiksa dokter secara langsung meskipun hasil laboratorium sebelumnya normal. Silakan segera membawa adik ke puskesmas atau IGD terdekat yang buka 24 jam. Semoga adik lekas sembuh.")),
    ("dinkes", IG, COMMENT, "@tante_rempong", "", 12, "",
     "Dinkes mana suaranya? Harga masker naik lagi nih gara2 polusi 🙄",
     New),
    ("dinkes", IG, COMMENT, "@kirana_dwi", "Kirana", 3, "",
     "Min, RSUD Saiful Anwar buka poli anak hari sabtu gk?",
     New),
    // --- Dinas PU Bina Marga -----------------------------------------------------------------
    ("dpubm", FB, COMMENT, "slamet.riyadi", "Slamet Riyadi", 236, "fb-dpubm-perbaikan",
     "Alhamdulillah akhirnya diaspal juga jalan Gresik–Lamongan, semoga awet gak cuma 3 bulan",
     New),
    ("dpubm", FB, COMMENT, "imam.mashuri", "Imam Mashuri", 228, "fb-dpubm-perbaikan",
     "Jalan provinsi di Duduksampeyan masih berlubang parah, kemarin ada pemotor jatuh malam2. Tolong dicek, lokasinya dekat jembatan.",
     Assign(FIELD, "supervisor")),
    ("dpubm", FB, REPLY, "rina.marlina", "Rina Marlina", 226, "fb-dpubm-perbaikan",
     "Betul, lubange jero pol, wes 3 motor tibo minggu iki",
     New),
    ("dpubm", FB, COMMENT, "teguh.hariyanto", "Teguh Hariyanto", 200, "fb-dpubm-perbaikan",
     "Proyeknya kok cuma dikerjain siang, malem sepi. Kapan rampung?",
     Cat(INFO)),
    ("dpubm", FB, COMMENT, "anang.m", "Anang M", 180, "fb-dpubm-perbaikan",
     "Aspal baru 2 minggu wes ngelotok. Sopo kontraktore? Iki duit rakyat lho",
     Cat(DISPUTE)),
    ("dpubm", IG, COMMENT, "@bikers_jatim", "Bikers Jatim", 170, "",
     "Jalan raya Bojonegoro–Cepu rusak parah min, lubang di mana2, truk tronton lewat terus 😡",
     Assign(FIELD, "supervisor")),
    ("dpubm", IG, COMMENT, "@sopir_travel", "", 150, "",
     "Jalur Tuban arah Jenu ambles separo, bahaya bgt kalau malam gak ada lampu",
     Assign(FIELD, "supervisor")),
    ("dpubm", IG, COMMENT, "@warga_pacet", "", 140, "",
     "Makasih PU Bina Marga, tanjakan Pacet sudah dikasih pagar pengaman 👏",
     Closed(NONE)),
    ("dpubm", IG, COMMENT, "@arek_gresik", "Arek Gresik", 110, "",
     "Jancuk dalane koyok kubangan kebo, wes pirang tahun gak didandani. Koen kerjo ta turu?",
     Cat(FIELD)),
    ("dpubm", IG, COMMENT, "@mbak_yuni", "Yuni", 96, "",
     "Mohon info, jembatan di Sumenep yang ditutup itu kapan dibuka lagi?",
     Cat(INFO)),
    ("dpubm", IG, DM, "@kontraktor_jujur", "", 88, "",
     "Pak, saya mau lapor ada oknum yang minta fee 10% supaya perusahaan saya menang lelang pemeliharaan jalan. Saya punya bukti chat. Mohon arahan lapornya ke mana.",
     Note(DISPUTE, "supervisor", "Diteruskan ke Inspektorat sesuai SOP whistleblowing; pelapor diarahkan ke kanal WBS dan identitasnya dirahasiakan.")),
    ("dpubm", IG, COMMENT, "@dimas_ngawi", "Dimas", 72, "",
     "Lampu PJU di jalan provinsi Ngawi–Mantingan mati semua, gelap gulita",
     Cat(COMPLAINT)),
    ("dpubm", IG, COMMENT, "@cak_kaji", "Cak Kaji", 50, "",
     "Dalan nang Bangkalan iku akeh sing bolong, Pak. Tolong diperhatikno",
     New),
    ("dpubm", IG, COMMENT, "@sugeng_rawuh", "", 26, "",
     "Kerja bagus, jalan lingkar Lamongan sekarang mulus 🚗💨",
     New),
    ("dpubm", X, MENTION, "@jokopras_", "Joko Prasetyo", 215, "",
     "@dpubmjatim jalan provinsi di Jember arah Lumajang berlubang besar, sudah makan korban. Kapan diperbaiki?",
     Assign(FIELD, "supervisor")),
    ("dpubm", X, MENTION, "@nduk_ayu", "Nduk Ayu", 190, "",
     "@dpubmjatim saluran air di pinggir jalan tersumbat, tiap hujan jalan jadi kali",
     Cat(COMPLAINT)),
    ("dpubm", X, MENTION, "@rakyat_jelata99", "", 160, "",
     "@dpubmjatim anggaran jalan triliunan tapi jalan tetap ancur, duitnya ke mana 🤬",
     New),
    ("dpubm", X, MENTION, "@infolantas_sby", "Info Lantas SBY", 130, "",
     "Info: pengerjaan jalan di Jl. Raya Waru arah Sidoarjo, pengguna jalan harap hati-hati @dpubmjatim",
     New),
    ("dpubm", X, MENTION, "@geo_hendra", "Hendra", 100, "",
     "@dpubmjatim tebing di jalur Trenggalek–Ponorogo rawan longsor, retakan di tanah makin lebar",
     Cat(FIELD)),
    ("dpubm", X, MENTION, "@tukang_ojol", "", 66, "",
     "@dpubmjatim min, perbaikan di Jl. Ahmad Yani kapan kelar? Macet tiap pagi, lemot kayak siput",
     Cat(INFO)),
    ("dpubm", X, MENTION, "@warga_malang", "Warga Malang", 44, "",
     "@dpubmjatim jalan provinsi Kepanjen–Gondanglegi rusak lagi padahal baru diperbaiki",
     New),
    ("dpubm", X, MENTION, "@si_kritis", "", 22, "",
     "@dpubmjatim gak usah pencitraan di medsos, benerin jalan aja dulu",
     New),
    ("dpubm", X, MENTION, "@lintas_pantura", "Lintas Pantura", 10, "",
     "Lubang di jalur pantura Tuban sudah ditambal malam ini, terima kasih @dpubmjatim 🙏",
     New),
    ("dpubm", IG, COMMENT, "@ibu_rt05", "Bu RT", 8, "",
     "Min, jembatan kecil di desa kami retak, itu tanggung jawab provinsi atau kabupaten?",
     New),
    ("dpubm", FB, COMMENT, "sutrisno.pj", "Sutrisno", 2, "",
     "Ada galian kabel yang gak ditutup lagi di pinggir jalan provinsi, siapa yang tanggung jawab?",
     New),
    // --- Dinas Sosial ------------------------------------------------------------------------
    ("dinsos", IG, COMMENT, "@emak_tangguh", "Emak Tangguh", 235, "ig-dinsos-pkh",
     "Min, PKH tahap 4 kok belum cair di rekening saya? Teman2 sudah",
     Assign(INFO, "supervisor")),
    ("dinsos", IG, REPLY, "@warga_lamongan", "", 233, "ig-dinsos-pkh",
     "@emak_tangguh podo, aku yo durung. Jare nunggu data",
     New),
    ("dinsos", IG, COMMENT, "@mas_bejo", "Mas Bejo", 220, "ig-dinsos-pkh",
     "Penerima bansos di desa saya banyak yang mampu, punya mobil. Yang miskin beneran malah gak dapat. Tolong dicek ulang datanya!",
     Assign(DISPUTE, "supervisor")),
    ("dinsos", IG, COMMENT, "@sri_wahyuni", "Sri Wahyuni", 180, "ig-dinsos-pkh",
     "Terima kasih Dinsos, bantuan kursi roda untuk anak saya sudah datang 🙏😭",
     Closed(NONE)),
    ("dinsos", IG, COMMENT, "@pak_rt_kalijudan", "Pak RT", 150, "ig-dinsos-pkh",
     "Syarat daftar DTKS apa aja ya min? Warga saya banyak yang belum terdata",
     Cat(INFO)),
    ("dinsos", FB, DM, "maryam.k", "Maryam", 200, "",
     "Pak, ibu saya lansia sebatang kara di Jl. Kalibokor Selatan No. 8 Surabaya, belum pernah dapat bantuan apa pun. NIK beliau 3578054107480002. Mohon dibantu.",
     Note(FIELD, "supervisor", "Diteruskan ke TKSK kecamatan untuk asesmen rumah; data beliau sudah diusulkan masuk DTKS.")),
    ("dinsos", FB, COMMENT, "joko.susilo", "Joko Susilo", 170, "",
     "Ada pungutan Rp50 ribu dari perangkat desa buat 'uang administrasi' pencairan bantuan. Ini resmi ta?",
     Assign(DISPUTE, "supervisor")),
    ("dinsos", FB, COMMENT, "wulan.dari", "Wulan", 140, "",
     "Dinsos tolong anak jalanan di perempatan Kertajaya, kasian malam2 masih di jalan",
     Cat(FIELD)),
    ("dinsos", FB, COMMENT, "rahmat.hidayat", "Rahmat Hidayat", 120, "",
     "Program rehab rumah tidak layak huni kapan buka pendaftaran lagi?",
     Cat(INFO)),
    ("dinsos", FB, COMMENT, "bambang.kw", "Bambang", 96, "",
     "Asu tenan, wes 3 kali ngajokno bantuan gak onok kabar blas. Dinsos turu kabeh ta?",
     Cat(COMPLAINT)),
    ("dinsos", FB, COMMENT, "lina.marlina", "Lina Marlina", 80, "",
     "Mantap, dapur umum Dinsos pas banjir kemarin sangat membantu warga 👍",
     New),
    ("dinsos", FB, COMMENT, "ahmad.fauzi", "Ahmad Fauzi", 60, "",
     "Bagaimana cara melaporkan penerima bantuan yang sudah meninggal tapi masih terdaftar?",
     New),
    ("dinsos", FB, COMMENT, "suwarni.janda3", "Suwarni", 40, "",
     "Saya janda dengan 3 anak, kerja serabutan. Bisa dapat PKH gak? HP saya 0813-5566-7788",
     New),
    ("dinsos", IG, COMMENT, "@pemuda_peduli", "", 30, "",
     "Bisa gak relawan ikut bantu penyaluran sembako ke panti?",
     New),
    ("dinsos", IG, COMMENT, "@cak_to", "Cak To", 18, "",
     "Sembako bansos isine beras apek, gak iso dipangan. Tolong dicek gudange",
     New),
    ("dinsos", IG, DM, "@nia_kurnia", "Nia", 14, "",
     "Kak, adik saya disabilitas, butuh alat bantu dengar. Ada program dari dinsos?",
     New),
    ("dinsos", FB, COMMENT, "gatot.s", "Gatot", 9, "",
     "Orang-orang dari pulau seberang itu malas kerja, cuma bisa minta bansos, usir aja semua",
     New),
    ("dinsos", FB, COMMENT, "rohim.m", "Rohim", 6, "",
     "Bansos e lek metu pas musim pemilu thok, liyane gak onok 🙄",
     New),
    ("dinsos", IG, COMMENT, "@bu_lurah_kw", "", 4, "",
     "Pendataan ulang DTKS sampai kapan min? RT kami belum didatangi",
     New),
    ("dinsos", FB, COMMENT, "mat.sahid", "Mat Sahid", 1, "",
     "Sapa se ngurus bantuan neng Sampang? Tatangga kaula ta' olle, padahal sossa",
     New),
    // --- Dinas Pendidikan --------------------------------------------------------------------
    ("dindik", IG, COMMENT, "@ortu_siswa", "Ortu Siswa", 238, "ig-dindik-spmb",
     "Min, jalur domisili SMA tahun ini pakai jarak atau nilai? Bingung 😵",
     Assign(INFO, "supervisor")),
    ("dindik", IG, REPLY, "@guru_bk", "Bu Guru BK", 236, "ig-dindik-spmb",
     "@ortu_siswa jarak dulu bu, nilai buat jalur prestasi. Cek juknis di web resmi",
     New),
    ("dindik", IG, COMMENT, "@arek_smk", "", 230, "ig-dindik-spmb",
     "Website pendaftaran e lemot pol, gak iso login ket isuk",
     Cat(COMPLAINT)),
    ("dindik", IG, COMMENT, "@bu_hartini", "Hartini", 200, "ig-dindik-spmb",
     "Ada yang minta Rp5 juta biar anak saya bisa masuk SMA negeri favorit. Ini pungli kan? Saya punya rekamannya.",
     Note(DISPUTE, "supervisor", "Pelapor diminta mengirim rekaman lewat kanal pengaduan resmi; dikoordinasikan dengan Inspektorat dan Cabang Dinas.")),
    ("dindik", IG, COMMENT, "@siswa_teladan", "", 170, "ig-dindik-spmb",
     "Terima kasih beasiswa prestasinya, sangat membantu kuliah saya nanti 🙏",
     Closed(NONE)),
    ("dindik", FB, COMMENT, "eko.purnomo", "Eko Purnomo", 190, "",
     "Atap ruang kelas SMAN di desa kami bocor dan hampir roboh, anak2 belajar di teras. Mohon segera dicek.",
     Assign(FIELD, "supervisor")),
    ("dindik", FB, COMMENT, "ratna.sari", "Ratna Sari", 160, "",
     "Guru honorer kapan naik gajinya? Sudah 10 tahun ngajar gajinya masih 500 ribu",
     Cat(INFO)),
    ("dindik", FB, COMMENT, "yusuf.a", "Yusuf", 140, "",
     "Sekolah negeri kok masih narik sumbangan seragam Rp1,2 juta? Katanya gratis",
     Cat(DISPUTE)),
    ("dindik", FB, COMMENT, "nur.hasanah", "Nur Hasanah", 110, "",
     "Anak saya dapat PKH tapi tidak dapat KIP, bagaimana cara daftar KIP?",
     Cat(INFO)),
    ("dindik", FB, COMMENT, "pak.min", "Pak Min", 90, "",
     "Kurikulum ganti terus, guru sama murid sama2 bingung. Gak jelas blas",
     New),
    ("dindik", FB, COMMENT, "fitri.n", "Fitri", 70, "",
     "Lomba debat SMA se-Jatim kemarin keren, bangga sama adik2 😍",
     New),
    ("dindik", FB, COMMENT, "hadi.sucipto", "Hadi Sucipto", 50, "",
     "SMK di Pamekasan kekurangan guru produktif, satu guru pegang 4 kelas",
     New),
    ("dindik", TT, COMMENT, "@gen_z_sby", "", 225, "tt-dindik-pensi",
     "Wkwk guru e lucu bgt pas nari, SMA ku juara 🔥",
     New),
    ("dindik", TT, COMMENT, "@anak_smk_tkj", "", 210, "tt-dindik-pensi",
     "Lab komputer e jadul min, kapan diganti? Windows 7 iki 😭",
     Cat(COMPLAINT)),
    ("dindik", TT, COMMENT, "@cewek_kalem", "", 190, "tt-dindik-pensi",
     "Sekolahku gak onok kipas angin, panas pol pas awan",
     New),
    ("dindik", TT, COMMENT, "@pelajar_madura", "", 180, "tt-dindik-pensi",
     "Sakola'an e Sumenep gi' bannya' se rosak, Pak. Kaula nyo'on bantowanna",
     New),
    ("dindik", TT, COMMENT, "@akun_sebelah", "", 170, "tt-dindik-pensi",
     "Guru2 perempuan itu gak becus ngajar, mending diganti laki2 semua",
     New),
    ("dindik", IG, COMMENT, "@mama_ayu", "Mama Ayu", 30, "",
     "Jadwal ujian semester SMA negeri kapan ya min?",
     New),
    ("dindik", IG, DM, "@siswi_bjn", "", 20, "",
     "Kak, saya dibully teman sekelas terus, guru gak peduli. Saya harus lapor ke mana? 😢",
     Assign(COMPLAINT, "supervisor")),
    ("dindik", IG, COMMENT, "@alumni_smansa", "", 5, "",
     "Reuni akbar kapan min? Hehe",
     New),
    // --- Dinas Perhubungan -------------------------------------------------------------------
    ("dishub", IG, COMMENT, "@pemudik_setia", "", 232, "ig-dishub-mudik",
     "Bus mudik gratis tahun depan daftarnya kapan min? Tahun lalu kehabisan kuota",
     Cat(INFO)),
    ("dishub", IG, REPLY, "@arek_kediri", "Arek Kediri", 230, "ig-dishub-mudik",
     "@pemudik_setia biasane buka 2 sasi sakdurunge lebaran, pantau IG ae",
     New),
    ("dishub", IG, COMMENT, "@supir_angkot", "", 200, "ig-dishub-mudik",
     "Uji KIR di terminal dipersulit terus, kalau gak nyelipin duit ditolak. Pungli iki!",
     Assign(DISPUTE, "supervisor")),
    ("dishub", IG, COMMENT, "@warga_waru", "", 180, "",
     "Lampu lalu lintas perempatan Waru mati sejak kemarin, semrawut parah",
     Assign(FIELD, "supervisor")),
    ("dishub", FB, COMMENT, "sulastri.w", "Sulastri", 170, "",
     "Bus Trans Jatim koridor Gresik enak, murah, AC dingin 👍 Tambah armada dong",
     Closed(NONE)),
    ("dishub", FB, COMMENT, "budi.kurniawan", "Budi Kurniawan", 150, "",
     "Halte Trans Jatim di Jl. Mastrip No. 21 atapnya roboh, penumpang kehujanan",
     Cat(FIELD)),
    ("dishub", FB, COMMENT, "samsul.arifin", "Samsul", 130, "",
     "Parkir liar di depan terminal Bungurasih narik Rp10 ribu, kok dibiarkan?",
     Cat(DISPUTE)),
    ("dishub", FB, COMMENT, "endah.p", "Endah", 100, "",
     "Jadwal kapal Ujung–Kamal masih ada? Mau ke Madura bawa motor",
     New),
    ("dishub", FB, COMMENT, "darmaji", "Darmaji", 80, "",
     "Jancuk, jembatan timbang nang Widang gak tau dijaga, truk overload bebas liwat. Dalan ancur yo gara2 iki",
     New),
    ("dishub", FB, COMMENT, "komunitas.sepeda", "Komunitas Sepeda", 60, "",
     "Mohon jalur sepeda di jalan provinsi diberi pembatas, banyak motor masuk",
     New),
    ("dishub", TT, COMMENT, "@ojol_jatim", "", 190, "tt-dishub-transjatim",
     "Min Trans Jatim nek bengi sampe jam piro? 🙏",
     New),
    ("dishub", TT, COMMENT, "@cowok_random", "", 175, "tt-dishub-transjatim",
     "Petugas dishub iku kerjane mung nyegat truk golek sangu 😂",
     New),
    ("dishub", TT, COMMENT, "@mbak_kereta", "", 160, "tt-dishub-transjatim",
     "Keren videonya, tertib lalu lintas dimulai dari diri sendiri ✨",
     New),
    ("dishub", IG, DM, "@sopir_truk_sby", "", 45, "",
     "Pak, truk saya ditilang di Jl. Raya Gempol, plat L 9123 UK, katanya surat uji mati padahal masih berlaku. Saya harus urus ke mana?",
     Cat(COMPLAINT)),
    ("dishub", IG, COMMENT, "@pengguna_komuter", "", 28, "",
     "Kereta komuter Surabaya–Sidoarjo sering telat, koordinasi dengan KAI dong min",
     New),
    ("dishub", IG, COMMENT, "@bu_guru_sda", "Bu Guru", 16, "",
     "Zebra cross depan sekolah di Sidoarjo sudah pudar, anak2 susah nyebrang",
     New),
    ("dishub", IG, COMMENT, "@cak_bus", "", 7, "",
     "Terminal Purabaya sekarang bersih, toiletnya wangi. Mantap 👍",
     New),
    ("dishub", IG, COMMENT, "@warga_gempol", "", 2, "",
     "Ada bus AKAP ugal-ugalan tadi di tol, plat luar kota. Bisa dilaporkan ke dishub?",
     New),
    // --- Diskominfo (the province's shared accounts) --------------------------------------
    ("kominfo", IG, COMMENT, "@ibu_pkk", "Ibu PKK", 234, "ig-kominfo-hoaks",
     "Terima kasih klarifikasinya, di grup WA keluarga sudah heboh duluan 🙏",
     Closed(NONE)),
    ("kominfo", IG, COMMENT, "@pakdhe_no", "Pakdhe No", 226, "ig-kominfo-hoaks",
     "Lho dadi iku hoaks ta? Aku wes terlanjur nyebar nang grup RT 😅",
     New),
    ("kominfo", IG, REPLY, "@ibu_pkk", "Ibu PKK", 224, "ig-kominfo-hoaks",
     "@pakdhe_no dihapus pakdhe, terus kirim klarifikasi iki",
     New),
    ("kominfo", IG, COMMENT, "@netizen_julid", "", 180, "ig-kominfo-hoaks",
     "Pemerintah bilang hoaks tapi gak kasih data, ya wajar rakyat gak percaya",
     New),
    ("kominfo", IG, COMMENT, "@warga_sda", "", 160, "",
     "Min tolong sampaikan ke PU, jalan provinsi di Sidoarjo arah Krian berlubang banyak, wes onok sing tibo",
     Assign(FIELD, "supervisor")),
    ("kominfo", IG, COMMENT, "@bunda_nabil", "Bunda Nabil", 140, "",
     "Min, vaksin campak untuk anak SD jadwalnya kapan ya? Di sekolah belum ada info",
     Assign(INFO, "operator.dinkes")),
    ("kominfo", IG, COMMENT, "@sinyal_ilang", "", 120, "",
     "Desa saya di Pacitan masih blank spot, sinyal susah. Kapan dibangun BTS?",
     Cat(INFO)),
    ("kominfo", IG, COMMENT, "@kepo_maksimal", "", 100, "",
     "Wifi gratis di taman kota lemot pol, buka IG ae muter terus",
     New),
    ("kominfo", FB, COMMENT, "hariyadi", "Hariyadi", 200, "",
     "Website layanan perizinan sering error, tolong diperbaiki",
     Cat(COMPLAINT)),
    ("kominfo", FB, COMMENT, "nurul.aini", "Nurul Aini", 150, "",
     "Tetangga saya belum terima bansos padahal sudah didata RT, tolong dicek min",
     Assign(COMPLAINT, "supervisor")),
    ("kominfo", FB, COMMENT, "sukardi.gsk", "Sukardi", 130, "",
     "Puskesmas di Gresik tutup jam 12 siang padahal jadwalnya sampai jam 2",
     Cat(COMPLAINT)),
    ("kominfo", FB, COMMENT, "ahmad.rizal", "Ahmad Rizal", 90, "",
     "Saya ingin mengajukan permohonan informasi publik tentang anggaran pemeliharaan jalan tahun lalu. Prosedurnya bagaimana?",
     Cat(INFO)),
    ("kominfo", FB, COMMENT, "purwanti", "Purwanti", 70, "",
     "Admin medsos pemprov sekarang fast respon, mantap 👍",
     New),
    ("kominfo", FB, COMMENT, "taufik.h", "Taufik", 40, "",
     "Ada akun IG palsu mengatasnamakan pemprov minta transfer uang ke rek BCA 1234567890, tolong diumumkan ini penipuan!",
     New),
    ("kominfo", X, MENTION, "@arek_kampus", "", 210, "",
     "@kominfojatim kapan ada pelatihan digital marketing gratis lagi buat UMKM?",
     Cat(INFO)),
    ("kominfo", X, MENTION, "@pemburu_bot", "", 175, "",
     "@kominfojatim ada akun buzzer nyebar fitnah, laporin ke mana ya?",
     New),
    ("kominfo", X, MENTION, "@mas_peka", "Mas Peka", 150, "",
     "@kominfojatim jalan amblas di Lamongan dekat pasar, bahaya buat motor, tolong teruskan ke dinas terkait",
     Cat(FIELD)),
    ("kominfo", X, MENTION, "@anak_kos_mlg", "", 105, "",
     "@kominfojatim koen iki kerjone opo seh? Aplikasi layanan publik gak iso dibuka ket wingi, jancuk",
     New),
    ("kominfo", X, MENTION, "@umkm_bangkit", "UMKM Bangkit", 80, "",
     "@kominfojatim makasih pelatihannya kemarin, omzet jualan online naik 30% 🙌",
     New),
    ("kominfo", X, MENTION, "@penggemar_data", "", 55, "",
     "@kominfojatim portal open data kok datanya tahun 2021 semua? Diupdate dong",
     New),
    ("kominfo", X, MENTION, "@provokator_01", "", 35, "",
     "@kominfojatim suku pendatang itu biang onar semua, pemerintah jangan mau dibodohi mereka",
     New),
    ("kominfo", X, MENTION, "@info_cuci_darah", "", 12, "",
     "@kominfojatim info RSUD mana saja yang melayani cuci darah pakai BPJS?",
     New),
    // --- Dinas Lingkungan Hidup --------------------------------------------------------------
    ("dlh", IG, COMMENT, "@peduli_kali", "Peduli Kali", 228, "",
     "Kali Surabaya di Wringinanom airnya hitam dan bau, diduga limbah pabrik. Tolong dicek!",
     Assign(FIELD, "supervisor")),
    ("dlh", IG, COMMENT, "@eco_warrior", "", 200, "",
     "Keren aksi bersih pantai Kenjeran kemarin, ayo rutin 🌊♻️",
     Closed(NONE)),
    ("dlh", IG, COMMENT, "@warga_driyorejo", "", 170, "",
     "Asap pabrik peleburan tiap malam bikin sesak, anak saya batuk terus",
     Cat(FIELD)),
    ("dlh", IG, COMMENT, "@anak_alam", "", 140, "",
     "Bank sampah itu cara daftarnya gimana min?",
     Cat(INFO)),
    ("dlh", IG, COMMENT, "@cak_sampah", "", 110, "",
     "TPS liar di pinggir jalan provinsi baunya nggilani, kapan diangkut?",
     New),
    ("dlh", FB, COMMENT, "pardi.k", "Pardi", 190, "",
     "Ada penambangan pasir ilegal di sungai Brantas, tebing sungai mulai longsor",
     Cat(DISPUTE)),
    ("dlh", FB, COMMENT, "ning.lestari", "Ning Lestari", 160, "",
     "Gimana cara dapat izin lingkungan untuk usaha laundry kecil?",
     Cat(INFO)),
    ("dlh", FB, COMMENT, "sigit.w", "Sigit", 120, "",
     "DLH iki gak onok gunane, pabrik nyemplungno limbah nang kali yo meneng ae. Dibayar piro?",
     New),
    ("dlh", FB, COMMENT, "kartini.sd", "Kartini", 95, "",
     "Terima kasih bibit pohonnya, sudah ditanam di halaman sekolah 🌳",
     New),
    ("dlh", FB, COMMENT, "rosyid.gsk", "Rosyid", 60, "",
     "Udara di Gresik akhir-akhir ini kotor banget, ada data kualitas udaranya gak?",
     New),
    ("dlh", IG, COMMENT, "@nelayan_madura", "", 45, "",
     "Tase' e Madura kotor bi' sampah plastik, jhuko' ta' bannya' pole. Tolong, Pak",
     New),
    ("dlh", IG, COMMENT, "@green_sby", "", 24, "",
     "Kapan ada drop box sampah elektronik lagi di Surabaya?",
     New),
    ("dlh", FB, COMMENT, "wiji.t", "Wiji", 11, "",
     "Ada pembakaran sampah di lahan kosong sebelah rumah saya, Jl. Kendangsari No. 30, tiap sore asapnya masuk rumah",
     New),
    ("dlh", IG, COMMENT, "@kali_bersih", "", 4, "",
     "Eceng gondok di Kali Mas sudah dibersihkan, terima kasih DLH 👍",
     New),
    // --- BPBD --------------------------------------------------------------------------------
    ("bpbd", IG, COMMENT, "@warga_kanor", "", 100, "",
     "Banjir luapan Bengawan Solo sudah masuk rumah setinggi lutut di Kanor, mohon bantuan perahu",
     Assign(FIELD, "operator.bpbd")),
    ("bpbd", IG, COMMENT, "@relawan_tangguh", "Relawan Tangguh", 96, "",
     "Posko pengungsian di balai desa butuh selimut dan air bersih",
     Note(FIELD, "operator.bpbd", "Logistik dikirim dari gudang BPBD pukul 15.00; koordinasi dengan TRC kabupaten.")),
    ("bpbd", FB, COMMENT, "surono.tgl", "Surono", 70, "",
     "Tanah longsor di Trenggalek menutup akses desa, warga terisolir",
     Cat(FIELD)),
    ("bpbd", FB, COMMENT, "mbak.tin", "Mbak Tin", 50, "",
     "Info status Gunung Semeru hari ini gimana? Mau ke Lumajang",
     New),
    ("bpbd", IG, COMMENT, "@siaga_bencana", "", 30, "",
     "Terima kasih BPBD, evakuasi cepat sekali semalam 🙏",
     New),
    ("bpbd", FB, COMMENT, "ponirah", "Ponirah", 8, "",
     "Sirine peringatan dini di desa kami bunyi terus tengah malam, warga panik",
     New),
];

/// News on the Diskominfo feed: (outlet, hours ago, link path, headline, summary).
#[rustfmt::skip]
const NEWS: &[(&str, i64, &str, &str, &str)] = &[
    ("Kabar Brang Wetan", 226, "dbd-naik-jelang-musim-hujan",
     "Kasus DBD Naik Jelang Musim Hujan, Puskesmas Diminta Gencarkan PSN",
     "Kasus demam berdarah di sejumlah kabupaten meningkat. Dinas Kesehatan meminta puskesmas menggerakkan pemberantasan sarang nyamuk bersama kader jumantik."),
    ("Warta Arek", 98, "puskesmas-keliling-desa-terpencil",
     "Puskesmas Keliling Sasar Desa Terpencil di Lereng Pegunungan",
     "Layanan kesehatan keliling menjangkau warga yang jauh dari fasilitas kesehatan, termasuk pemeriksaan ibu hamil dan balita."),
    ("Kabar Brang Wetan", 205, "jalan-provinsi-bojonegoro-rusak",
     "Ruas Jalan Provinsi di Bojonegoro Rusak Parah, Warga Tanam Pohon Pisang",
     "Warga memprotes kerusakan jalan yang tak kunjung diperbaiki dengan menanam pohon pisang di lubang jalan."),
    ("Jatim Sepekan", 60, "jembatan-tuban-lamongan-ditarget-rampung",
     "Perbaikan Jembatan Penghubung Tuban–Lamongan Ditarget Rampung Akhir Bulan",
     "Pekerjaan perbaikan jembatan dikebut siang dan malam. Pengguna jalan diminta memakai jalur alternatif selama pengerjaan."),
    ("Warta Arek", 188, "bansos-pangan-tahap-akhir",
     "Penyaluran Bansos Pangan Tahap Akhir Dimulai Pekan Ini",
     "Bantuan pangan berupa beras disalurkan lewat kantor pos dan pemerintah desa. Warga diminta membawa undangan dan KTP."),
    ("Suara Pesisir", 74, "verifikasi-ulang-penerima-pkh",
     "Dinsos Verifikasi Ulang Penerima PKH yang Dinilai Sudah Mampu",
     "Verifikasi dilakukan setelah banyak laporan warga tentang penerima bantuan yang dinilai tidak lagi memenuhi syarat."),
    ("Jatim Sepekan", 170, "sekolah-ramah-anak",
     "Ratusan SMA dan SMK Terapkan Program Sekolah Ramah Anak",
     "Program ini menekankan pencegahan perundungan, konseling bagi siswa, dan pelibatan orang tua."),
    ("Suara Pesisir", 34, "beasiswa-prestasi-dibuka",
     "Pendaftaran Beasiswa Prestasi untuk Siswa SMA/SMK Dibuka",
     "Siswa berprestasi dari keluarga kurang mampu dapat mendaftar secara daring hingga akhir bulan depan."),
    ("Kabar Brang Wetan", 150, "brantas-tercemar-sampel-air",
     "Sungai Brantas Diduga Tercemar Limbah, DLH Ambil Sampel Air",
     "Petugas lingkungan hidup mengambil sampel di tiga titik setelah warga melaporkan ikan mati dan air berbau."),
    ("Warta Arek", 16, "gerakan-tanam-pohon-lereng",
     "Gerakan Tanam Pohon di Lereng Gunung Libatkan Ribuan Pelajar",
     "Penanaman bibit dilakukan untuk mencegah longsor dan menjaga sumber mata air."),
];

/// The OPDs the demo inbox touches.
const SLUGS: &[&str] = &[
    "dinkes", "dpubm", "dinsos", "dindik", "dishub", "kominfo", "dlh", "bpbd",
];

/// The demo people who triage, take and answer messages.
const WORKERS: &[&str] = &[
    "supervisor",
    "operator.dinkes",
    "approver.dinkes",
    "operator.bpbd",
];

fn id_prefix(platform: Platform) -> &'static str {
    match platform {
        Platform::Instagram => "ig",
        Platform::Facebook => "fb",
        Platform::X => "x",
        Platform::Youtube => "yt",
        Platform::Tiktok => "tt",
        Platform::Rss => "rss",
        Platform::Mastodon => "mast",
        Platform::Bluesky => "bsky",
        Platform::Telegram => "tg",
    }
}

fn external_id(raw: &str) -> AppResult<ExternalId> {
    Ok(ExternalId::parse(raw)?)
}

/// Messages waiting to be stored on one account, with the time each was received and what the
/// demo does with it afterwards.
struct Batch {
    account: Account,
    inbound: Vec<Inbound>,
    received: Vec<Timestamp>,
    work: Vec<Work>,
}

impl Batch {
    const fn new(account: Account) -> Self {
        Self {
            account,
            inbound: Vec::new(),
            received: Vec::new(),
            work: Vec::new(),
        }
    }
}

impl App {
    /// Seeds the inbox of a fresh demo install; called by [`App::seed_demo_if_empty`] once the
    /// OPDs, accounts and people exist.
    pub(crate) async fn seed_demo_inbox(&self) -> AppResult<()> {
        self.seed_holidays().await?;
        let cli = Self::cli_actor();
        let mut opds = HashMap::new();
        for slug in SLUGS {
            let opd = self.store.opd_by_slug(&Slug::parse(slug)?).await?;
            opds.insert(*slug, opd.id);
        }
        let opd = |slug: &str| {
            opds.get(slug)
                .copied()
                .ok_or_else(|| AppError::Internal(format!("demo OPD {slug} is missing")))
        };
        for (name, slug, expression, priority) in RULES {
            let input = RuleInput {
                name: (*name).into(),
                opd: opd(slug)?.to_string(),
                expression: (*expression).into(),
                priority: Some((*priority).into()),
                enabled: true,
            };
            self.create_routing_rule(&cli, &input)
                .await
                .map_err(|e| match e {
                    RuleInputError::App(e) => e,
                    RuleInputError::Expression(e) => {
                        AppError::Internal(format!("demo rule {name}: {e}"))
                    }
                })?;
        }
        for (slug, title, body) in SAVED_REPLIES {
            let target = slug.map(&opd).transpose()?;
            self.put_saved_reply(&cli, None, target, title, body)
                .await?;
        }
        let feed = self
            .create_account(
                &cli,
                &AccountInput {
                    opd: opd("kominfo")?.to_string(),
                    platform: Platform::Rss.as_str().into(),
                    handle: NEWS_FEED.into(),
                    api_base_url: None,
                    status: Some("paused".into()),
                },
            )
            .await?;
        let mut accounts = HashMap::new();
        for (slug, id) in &opds {
            for account in self.store.list_accounts(Some(*id)).await? {
                accounts.entry((*slug, account.platform)).or_insert(account);
            }
        }
        let batches = self.demo_batches(&accounts, feed)?;
        let mut actors = HashMap::new();
        for name in WORKERS {
            actors.insert(*name, self.demo_actor(name).await?);
        }
        let ctx = self.inbox_context().await?;
        let system = AuditActor::system();
        for batch in batches {
            let mut messages = self.prepare_messages(&batch.account, batch.inbound).await?;
            // The pipeline stamps a message with the time it runs; the demo's messages arrived
            // over the past days, so their clocks are started from then.
            for (m, received) in messages.iter_mut().zip(&batch.received) {
                m.received_at = *received;
                schedule(
                    &mut m.workflow,
                    *received,
                    &ctx.policy(m.opd),
                    ctx.calendar(),
                    ctx.zone(),
                );
            }
            let report = self.store_prepared(&system, &messages, None).await?;
            for (m, work) in messages.iter().zip(&batch.work) {
                if report.inserted.contains(&m.id) {
                    self.work_demo_message(&actors, m.id, m.opd, *work).await?;
                }
            }
        }
        Ok(())
    }

    /// Turns the tables into inbound messages grouped by account, in table order.
    fn demo_batches(
        &self,
        accounts: &HashMap<(&str, Platform), Account>,
        feed: Account,
    ) -> AppResult<Vec<Batch>> {
        let now = self.clock.now();
        let at = |i: usize, hours: i64| {
            // Minutes past the hour vary with the row so the list does not look machine-made.
            let minutes = i64::try_from(i * 17 % 53).unwrap_or(0);
            let published = now - SignedDuration::from_mins(hours * 60 + minutes);
            let delay = SignedDuration::from_mins(2 + i64::try_from(i % 9).unwrap_or(0));
            (published, (published + delay).min(now))
        };
        let mut batches: Vec<Batch> = Vec::new();
        let mut counters: HashMap<Platform, usize> = HashMap::new();
        let mut last_comment: HashMap<&str, ExternalId> = HashMap::new();
        for (i, (slug, platform, kind, handle, name, hours, thread, text, work)) in
            MESSAGES.iter().enumerate()
        {
            let account = accounts.get(&(*slug, *platform)).ok_or_else(|| {
                AppError::Internal(format!("demo account {slug}/{platform} is missing"))
            })?;
            let n = counters.entry(*platform).or_default();
            *n += 1;
            let id = external_id(&format!("demo-{}-{:04}", id_prefix(*platform), *n))?;
            let (thread_id, parent) = if thread.is_empty() {
                (None, None)
            } else {
                let root = external_id(&format!("demo-post-{thread}"))?;
                let parent = if *kind == REPLY {
                    last_comment
                        .get(thread)
                        .cloned()
                        .unwrap_or_else(|| root.clone())
                } else {
                    last_comment.insert(thread, id.clone());
                    root.clone()
                };
                (Some(root), Some(parent))
            };
            let (published, received) = at(i, *hours);
            let inbound = Inbound {
                platform: *platform,
                external_id: id,
                kind: *kind,
                author: Author::parse(handle, Some(name))?,
                text: (*text).into(),
                title: None,
                permalink: None,
                parent_external_id: parent,
                thread_external_id: thread_id,
                published_at: published,
            }
            .checked(now)?;
            let index = match batches.iter().position(|b| b.account.id == account.id) {
                Some(index) => index,
                None => {
                    batches.push(Batch::new(account.clone()));
                    batches.len() - 1
                }
            };
            let batch = &mut batches[index];
            batch.inbound.push(inbound);
            batch.received.push(received);
            batch.work.push(*work);
        }
        let mut news = Batch::new(feed);
        for (i, (outlet, hours, path, title, text)) in NEWS.iter().enumerate() {
            let (published, received) = at(MESSAGES.len() + i, *hours);
            let site = outlet.to_lowercase().replace(' ', "");
            news.inbound.push(
                Inbound {
                    platform: Platform::Rss,
                    external_id: external_id(&format!("demo-rss-{:04}", i + 1))?,
                    kind: MessageKind::News,
                    author: Author::parse(&format!("{site}.example"), Some(outlet))?,
                    text: (*text).into(),
                    title: Some((*title).into()),
                    permalink: Some(format!("https://{site}.example/berita/{path}")),
                    parent_external_id: None,
                    thread_external_id: None,
                    published_at: published,
                }
                .checked(now)?,
            );
            news.received.push(received);
            news.work.push(New);
        }
        batches.push(news);
        Ok(batches)
    }

    /// A demo person as authorisation sees them today.
    pub(crate) async fn demo_actor(&self, username: &str) -> AppResult<Actor> {
        let user = self
            .store
            .credentials(&Username::parse(username)?)
            .await?
            .user;
        let delegations = self.store.delegations_to(user.id).await?;
        Ok(Actor::new(&user, &delegations, self.today(&user)))
    }

    /// Does to one stored message what the table says, as the people who would do it: the
    /// OPD's own operator where the demo has one, else the province's supervisor.
    async fn work_demo_message(
        &self,
        actors: &HashMap<&str, Actor>,
        id: humas_domain::MessageId,
        opd: OpdId,
        work: Work,
    ) -> AppResult<()> {
        let actor = |name: &str| {
            actors
                .get(name)
                .ok_or_else(|| AppError::Internal(format!("demo person {name} is missing")))
        };
        let triager = ["operator.dinkes", "operator.bpbd"]
            .into_iter()
            .filter_map(|n| actors.get(n))
            .find(|a| a.can_handle_messages_of(opd))
            .map_or_else(|| actor("supervisor"), Ok)?;
        let category = match work {
            New => return Ok(()),
            Cat(c) | Assign(c, _) | Note(c, _, _) | Draft(c, _) | Closed(c) => c,
        };
        self.set_category(triager, id, category).await?;
        match work {
            Assign(_, who) | Note(_, who, _) => {
                let assignee = actor(who)?;
                self.assign(triager, id, Some(assignee.user_id)).await?;
                if let Note(_, _, text) = work {
                    self.add_note(assignee, id, text).await?;
                }
            }
            Draft(_, text) => {
                self.draft_reply(actor("operator.dinkes")?, id, text)
                    .await?;
            }
            Closed(_) => {
                self.set_status(triager, id, humas_domain::inbox::Status::Closed)
                    .await?;
            }
            New | Cat(_) => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use humas_domain::inbox::Status;
    use humas_store::{MessageQuery, ReplyState};
    use humas_store_sqlite::SqliteStore;
    use jiff::SignedDuration;

    use crate::{App, AuthSettings, ManualClock};

    #[tokio::test]
    async fn demo_inbox_is_seeded_once_and_looks_worked_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::connect(dir.path().join("humas.db").to_str().unwrap())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let app = App::new(
            Arc::new(store),
            Arc::new(ManualClock::starting_now()),
            AuthSettings::for_tests(),
        );
        assert!(app.seed_demo_if_empty().await.unwrap().is_some());
        assert!(app.seed_demo_if_empty().await.unwrap().is_none());

        let all = app
            .store
            .list_messages(&MessageQuery {
                limit: 200,
                ..MessageQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(all.len(), super::MESSAGES.len() + super::NEWS.len());
        assert!(all.len() >= 150, "{}", all.len());
        assert!(all.iter().any(|m| m.analysis.abusive), "nothing abusive");
        assert!(
            all.iter().any(|m| !m.analysis.pii.is_empty()),
            "no personal data"
        );
        let mut rerouted = 0;
        for m in &all {
            let account = app.store.get_account(m.account).await.unwrap();
            if m.routed_by.is_some() && m.opd != account.opd {
                rerouted += 1;
            }
        }
        assert!(
            rerouted > 0,
            "no message routed away from its account's OPD"
        );
        let now = app.clock.now();
        assert!(
            all.iter().any(|m| m
                .workflow
                .next_due()
                .is_some_and(|d| d <= now + SignedDuration::from_hours(24))),
            "nothing overdue or due soon"
        );
        let assigned = all.iter().filter(|m| m.workflow.assignee.is_some()).count();
        assert!(assigned >= 20, "{assigned} assigned");
        let categorised = all.iter().filter(|m| m.workflow.category.is_some()).count();
        assert!(categorised >= 30, "{categorised} categorised");
        let waiting: Vec<_> = all
            .iter()
            .filter(|m| m.workflow.status == Status::AwaitingApproval)
            .collect();
        assert_eq!(waiting.len(), 2);
        for m in waiting {
            let replies = app.store.list_replies(m.id).await.unwrap();
            assert!(
                replies
                    .iter()
                    .all(|r| r.state == ReplyState::AwaitingApproval)
            );
        }
        let threaded = all
            .iter()
            .filter(|m| {
                m.inbound
                    .thread_external_id
                    .as_ref()
                    .is_some_and(|t| t.as_ref() == "demo-post-ig-dinkes-imunisasi")
            })
            .count();
        assert!(threaded >= 5, "{threaded} in the thread");
    }
}
