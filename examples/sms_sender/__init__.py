"""An example SMS integration tested against mockserver (see examples/README.md)."""

from sms_sender.client import (
    DeliveryStatus,
    RetryPolicy,
    RingCentralSms,
    SignalWireSms,
    SmsError,
    SmsProtocolError,
    SmsRejected,
    SmsUnavailable,
    retry_after_seconds,
    send_sms,
)

__all__ = [
    "DeliveryStatus",
    "RetryPolicy",
    "RingCentralSms",
    "SignalWireSms",
    "SmsError",
    "SmsProtocolError",
    "SmsRejected",
    "SmsUnavailable",
    "retry_after_seconds",
    "send_sms",
]
