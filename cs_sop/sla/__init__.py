"""SLAs on Helpdesk's engine with the SOP's operating time.

- `agreements`: the two SLAs cs_sop manages, written from SOP Settings.
- `holidays`: the Indonesian holiday list (daily job `ensure_holiday_years`).
- `calendar`: the operating-time Calendar (`cached_calendar`), cleared when settings or holidays change.
- `switch`: SOP Settings' *Use the SOP SLAs* (which SLA Helpdesk falls back to).
"""
