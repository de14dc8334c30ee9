"""The ten questions' views: the organisation's pages (`organisation`), a party's token pages (`public`)."""
