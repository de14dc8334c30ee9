"""Tiers and performance: projects (orders) partners bring, the tier standings that follow from them, KPIs per
partner, and the quarterly reviews with their PDF."""
