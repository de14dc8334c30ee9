"""The sign-off's views: the documents page (`organisation`) and a signer's token pages (`public`)."""
