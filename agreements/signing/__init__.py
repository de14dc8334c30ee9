"""The sign-off: snapshots and their hash, versions, sign requests (links), signatures and their pages.

A version freezes what the document says: the *snapshot*, a JSON object built from the saved rows. Its
identity is the sha256 of the canonical JSON, so the same content always has the same hash and any change
gives another. PDFs and the signing page are rendered from the snapshot only, never from the live rows: what
a signer sees never changes. Each party's signer gets a one-use link (`SignRequest`) to one version. Signing
records the typed name, the moment, the IP address and the version's hash. When the agreement changes after
someone signed or was asked to sign, a new version replaces the current one and needs every signature again.
"""
