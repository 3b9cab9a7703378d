# Aturan penerbitan per platform (humas_domain::publish::limits), rantai persetujuan
# (publish::chain) dan pemeriksaan berkas unggahan (publish::media).
# Semua pesan limit-* menerima $platform; argumen lain sesuai Problem::args.

limit-not_publishable = Humas belum dapat menerbitkan ke { $platform }. Hapus kanal ini dari unggahan.
limit-too_long = Teks terlalu panjang untuk { $platform }: { $used } dari paling banyak { $limit } { $unit ->
        [weighted_characters] karakter (emoji dan huruf non-Latin dihitung 2, setiap tautan dihitung 23)
        [bytes] bita
        [utf16_units] karakter (emoji dihitung 2)
       *[other] karakter
    }. Persingkat teksnya.
limit-too_many_hashtags = { $platform } mengizinkan paling banyak { $limit } tagar dalam satu unggahan, sedangkan teks ini memuat { $used }. Kurangi tagarnya.
limit-too_many_mentions = { $platform } mengizinkan paling banyak { $limit } sebutan akun (@) dalam satu unggahan, sedangkan teks ini memuat { $used }. Kurangi sebutannya.
limit-empty_post = Unggahan untuk { $platform } masih kosong. Tulis teks atau lampirkan foto atau video.
limit-media_required = { $platform } memerlukan sedikitnya satu foto atau video. Lampirkan berkasnya.
limit-too_many_media = { $platform } menerima paling banyak { $limit } berkas jenis ini dalam satu unggahan, sedangkan unggahan ini memuat { $used }. Hapus berkas yang berlebih.
limit-mixed_media = { $platform } tidak dapat menggabungkan video atau GIF dengan berkas lain dalam satu unggahan. Unggah video (atau GIF) tersendiri, atau gunakan foto saja.
limit-media_type = Berkas { $file } berformat { $given } dan tidak diterima { $platform } untuk unggahan ini. Gunakan salah satu format berikut: { $accepted }.
limit-media_too_large = Berkas { $file } berukuran { $size }, sedangkan { $platform } hanya menerima paling besar { $limit } untuk jenis berkas ini. Kompres berkasnya atau unggah versi yang lebih kecil.
limit-aspect_ratio = Gambar { $file } berukuran { $width }×{ $height } piksel (rasio { $ratio }:1), sedangkan { $platform } memerlukan rasio antara { $min }:1 (potret 4:5) dan { $max }:1 (lanskap). Potong gambarnya.
limit-image_width = Lebar gambar { $file } hanya { $width } piksel, sedangkan { $platform } memerlukan sedikitnya { $min } piksel. Gunakan gambar yang lebih besar.
limit-image_downscaled = Lebar gambar { $file } { $width } piksel; { $platform } akan mengecilkannya menjadi { $max } piksel.
limit-video_duration = Durasi video { $file } { $used } detik, sedangkan { $platform } menerima { $min } sampai { $max } detik. Potong videonya.
limit-tiktok_title_cut = { $platform } hanya menampilkan { $limit } karakter pertama dari baris pertama sebagai judul unggahan foto (baris ini { $used } karakter); teks lengkapnya tetap tampil sebagai deskripsi. Letakkan pesan utama di awal.
limit-alt_text_missing = Gambar { $file } belum memiliki teks alternatif. Tuliskan deskripsinya agar pengguna pembaca layar memahami isi gambar.

chain-empty = Rantai persetujuan memerlukan sedikitnya satu tahap. Tambahkan tahapnya.
chain-too_many_steps = Rantai persetujuan paling banyak terdiri atas 10 tahap. Gabungkan atau hapus sebagian tahap.
chain-step_label = Setiap tahap memerlukan nama sepanjang 1–60 karakter, misalnya "Kabid" atau "Kepala Dinas".
chain-step_without_approvers = Tahap "{ $step_label }" belum memiliki penyetuju. Pilih sedikitnya satu orang.
chain-duplicate_approver = Tahap "{ $step_label }" mencantumkan penyetuju yang sama dua kali. Hapus salah satunya.
chain-self_approval = Anda tidak dapat menyetujui unggahan yang Anda tulis sendiri, termasuk atas nama penulisnya. Penyetuju lain harus melakukannya.
chain-already_approved = Anda sudah menyetujui tahap ini. Tahap ini kini menunggu penyetuju lainnya.
chain-not_an_approver = Anda bukan penyetuju tahap "{ $step_label }". Tahap ini menunggu orang yang tercantum di sana atau Plt/Plh-nya.
chain-complete = Unggahan ini sudah disetujui sepenuhnya.
chain-author_is_only_approver = Tahap "{ $step_label }" tidak dapat disetujui karena satu-satunya penyetujunya (atau salah satu penyetuju wajibnya) adalah penulis unggahan ini. Mintalah supervisor menambahkan penyetuju lain atau menunjuk Plt/Plh.

media-unsupported = Jenis berkas ini tidak dapat diterbitkan. Unggah gambar JPEG, PNG, WebP, atau GIF, atau video MP4, MOV, atau WebM.
media-corrupt = Berkas ini tampaknya rusak atau tidak lengkap. Ekspor atau unduh ulang berkasnya, lalu unggah salinan yang baru.
media-empty = Berkas ini kosong. Pilih berkasnya sekali lagi.
