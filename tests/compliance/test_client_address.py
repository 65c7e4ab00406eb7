"""One answer to "which address did this come from" (compliance.core.client_address), behind our proxies too."""

from django.test import RequestFactory, SimpleTestCase, override_settings
from django.urls import reverse

from compliance.core.client_address import client_address
from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in


class ClientAddressTests(SimpleTestCase):
    def request(self, **meta):
        return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **meta)

    def test_without_proxies_it_is_the_remote_address_and_a_forged_header_is_ignored(self):
        self.assertEqual(client_address(self.request(HTTP_X_FORWARDED_FOR="198.51.100.7")), "10.0.0.2")

    @override_settings(PROXY_COUNT=1)
    def test_behind_one_proxy_it_is_the_address_the_proxy_appended_not_what_the_client_sent(self):
        forged = self.request(HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
        self.assertEqual(client_address(forged), "203.0.113.9")

    @override_settings(PROXY_COUNT=2)
    def test_with_fewer_entries_than_proxies_it_falls_back_to_the_remote_address(self):
        self.assertEqual(client_address(self.request(HTTP_X_FORWARDED_FOR="203.0.113.9")), "10.0.0.2")


@override_settings(PROXY_COUNT=1)
class AccessLogAddressTests(BaseTestCase):
    def test_the_access_log_records_the_client_behind_the_proxy(self):
        sign_in(self.client, self.auditor)
        self.client.get(reverse("incidents:incident_list"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
        row = AccessLog.objects.filter(action=AccessLog.Action.LIST).latest("pk")
        self.assertEqual(row.ip_address, "203.0.113.9")
