# Being written: replaced by the real views in this session.
def _being_written(request, *args, **kwargs):
    raise NotImplementedError


organisation_list = organisation_create = profile = member_list = member_invite = member_leave = (
    member_role
) = member_remove = invitation_revoke = _being_written
