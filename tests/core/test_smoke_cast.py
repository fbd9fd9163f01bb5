def test_cast_builds_and_audits_every_write(cast):
    from gaizao.core import audit
    from gaizao.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="household.create").count() == 3
    assert audit.verify().ok
