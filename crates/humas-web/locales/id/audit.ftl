# Log audit.
audit-title = Log audit
audit-filters = Saring log
audit-actor = Pelaku
audit-action = Tindakan
audit-action-hint = awalan, mis. opd. atau user.create
audit-from = Dari tanggal
audit-to = Sampai tanggal
audit-export = Unduh CSV
audit-verify-hint = Keutuhan rantai diperiksa dengan perintah humas audit verify.
audit-none = Tidak ada entri yang cocok.
audit-time = Waktu
audit-target = Sasaran
audit-change = Perubahan
audit-show-change = Lihat
audit-before = Sebelum:
audit-after = Sesudah:
audit-older = Entri lebih lama →
