"""Celery task of the sign-off: e-mail a signer their link (imported in AgreementsConfig.ready(), so the
worker knows it although Celery only discovers modules called tasks.py)."""

from celery import shared_task

from agreements import signing


@shared_task(acks_late=True)
def send_sign_request(sign_request_id, base_url=None):
    return signing.sign_request_deliver(sign_request_id=sign_request_id, base_url=base_url)
