"""Celery task of the sign-off: e-mail a signer their link."""

from celery import shared_task

from agreements.signing import mail


@shared_task(acks_late=True)
def send_sign_request(sign_request_id: int, base_url: str | None = None) -> bool:
    return mail.sign_request_deliver(sign_request_id=sign_request_id, base_url=base_url)
