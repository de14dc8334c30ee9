"""The PDFs' footer counter is one core helper every app's documents use (partnerhub.pdf.page_counter_css)."""

from django.utils import translation

from partnerhub.pdf import page_counter_css


def test_the_page_counter_reads_in_the_documents_language():
    with translation.override("nl"):
        assert page_counter_css() == '"Pagina " counter(page) " van " counter(pages)'
    with translation.override("en"):
        assert page_counter_css() == '"Page " counter(page) " of " counter(pages)'


def test_every_apps_documents_use_the_core_page_counter():
    from affiliates import documents as affiliate_documents
    from agreements import documents as agreement_documents
    from checker import documents as checker_documents

    for module in (affiliate_documents, agreement_documents, checker_documents):
        assert module.page_counter_css is page_counter_css
