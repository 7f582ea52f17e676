"""A stand-in for the mail server that refuses a number of messages first (what leaves the
machine is the only thing the tests fake): ``RefusingBackend.refusals = n``."""
import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusingBackend(EmailBackend):
    refusals = 0

    def send_messages(self, messages):
        if RefusingBackend.refusals > 0:
            RefusingBackend.refusals -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
