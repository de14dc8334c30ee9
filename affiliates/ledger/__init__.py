"""The ledger: commission and fee lines, approving and rejecting them, the monthly payout batch and its SEPA
and CSV exports, balances, and the affiliate's portal (`/p/<token>`) that shows them."""
