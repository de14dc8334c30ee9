"""Working with partners: referrals (leads and their fees), onboarding, customer satisfaction (NPS,
`/nps/<token>`), co-marketing, and the toolkit of materials."""
