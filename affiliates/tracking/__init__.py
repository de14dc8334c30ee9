"""Tracking: affiliate links and clicks (`/r/<code>`), conversions reported by the organisation's shop or CRM
through the API (`/api/v1/`), the API keys, and the clicks' retention."""
