"""Records cs_sop ships: inserted once if missing, never overwritten (admins edit them).

Names of categories, teams, SLAs and saved replies are Indonesian: they are the company's data.
"""

OPERATING_HOURS = [
	(d, "08:00:00", "17:00:00") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
]
OPERATING_HOURS.append(("Saturday", "08:00:00", "12:00:00"))

HOLIDAY_LIST = "Hari Libur Indonesia"
STANDARD_SLA = "SOP Standar"
CHAT_SLA = "SOP Chat & WhatsApp"
CHAT_CHANNELS = ("WhatsApp", "Live Chat")

MINUTE = 60
HOUR = 60 * MINUTE

# priority: (first response, resolution) in seconds of operating time
STANDARD_TARGETS = {
	"Urgent": (15 * MINUTE, 4 * HOUR),
	"High": (1 * HOUR, 8 * HOUR),
	"Medium": (4 * HOUR, 24 * HOUR),
	"Low": (8 * HOUR, 40 * HOUR),
}
DEFAULT_PRIORITY = "Medium"

TEAMS = ("Tim IT", "Tim Produksi", "Tim Keuangan", "Tim Logistik")

# name, description (Indonesian: company data, shown as is), complaint type, default team
CATEGORIES = (
	("Teknis", "Masalah teknis: aplikasi, situs web, akses akun", "Operational", "Tim IT"),
	("Administrasi", "Urusan administrasi: perubahan data, dokumen, pendaftaran", "Service", None),
	("Layanan", "Kualitas layanan dan sikap petugas", "Service", None),
	("Pengiriman", "Pengiriman: terlambat, hilang, atau rusak", "Service", "Tim Logistik"),
	("Kualitas Produk", "Kualitas produk: cacat, spesifikasi tidak sesuai", "Operational", "Tim Produksi"),
	("Tagihan & Pembayaran", "Tagihan, pembayaran, dan pengembalian dana", "Service", "Tim Keuangan"),
	("Lainnya", "Keluhan atau permintaan lainnya", "Service", None),
)

SAVED_REPLIES = (
	(
		"SOP - Salam Pembuka",
		"<p>Selamat datang dan terima kasih telah menghubungi layanan pelanggan kami. "
		"Saya {{ full_name }} akan membantu Bapak/Ibu. Pesan Bapak/Ibu sudah kami terima dan "
		"tercatat dengan nomor tiket pada subjek percakapan ini.</p><p>Ada yang bisa kami bantu?</p>",
	),
	(
		"SOP - Mohon Menunggu",
		"<p>Terima kasih atas kesabaran Bapak/Ibu. Kami sedang memeriksa hal yang Bapak/Ibu "
		"sampaikan dan akan segera memberikan kabar selanjutnya. Mohon kesediaannya untuk menunggu "
		"sebentar.</p>",
	),
	(
		"SOP - Permintaan Data Tambahan",
		"<p>Agar dapat kami proses lebih cepat, mohon Bapak/Ibu melengkapi data berikut: "
		"nama lengkap, nomor pesanan atau nomor pelanggan, serta foto atau tangkapan layar "
		"permasalahan (bila ada).</p><p>Terima kasih.</p>",
	),
	(
		"SOP - Pembaruan Progres",
		"<p>Kami ingin menginformasikan perkembangan penanganan tiket Bapak/Ibu: "
		"[tuliskan perkembangan terbaru]. Kami akan terus memantau dan mengabari Bapak/Ibu "
		"hingga permasalahan selesai.</p>",
	),
	(
		"SOP - Eskalasi ke Tim Terkait",
		"<p>Permasalahan Bapak/Ibu telah kami teruskan kepada tim terkait yang berwenang untuk "
		"penanganan lebih lanjut. Kami akan menyampaikan hasilnya kepada Bapak/Ibu secepatnya.</p>",
	),
	(
		"SOP - Konfirmasi Penyelesaian",
		"<p>Solusi atas permasalahan Bapak/Ibu telah kami jalankan. Mohon konfirmasinya apakah "
		"permasalahan sudah terselesaikan dengan baik. Apakah masih ada yang dapat kami bantu?</p>",
	),
	(
		"SOP - Salam Penutup",
		"<p>Terima kasih telah menghubungi layanan pelanggan kami. Semoga informasi dan bantuan "
		"kami bermanfaat. Selamat beraktivitas kembali!</p>",
	),
)

ROLES = ("SOP Supervisor", "SOP Operations Manager")

# operating minutes between progress updates to the customer, by priority (SOP stage 3/5)
UPDATE_INTERVALS = {"Urgent": 60, "High": 120, "Medium": 240, "Low": 480}

# level, name, trigger, share, hours, role, category team, ack minutes
ESCALATION_LEVELS = (
	(1, "Supervisor CS", "First Response Breach", 0, 0, "SOP Supervisor", 0, 30),
	(2, "Manajer Operasional", "Resolution Breach", 0, 0, "SOP Operations Manager", 0, 60),
	(3, "Tim Terkait", "Hours After Breach", 0, 4, None, 1, 120),
)
