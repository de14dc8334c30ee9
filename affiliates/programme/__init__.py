"""The programme itself: its rules and settings, the affiliates and their codes, payout accounts and portal
links, and the overview page with its charts."""
