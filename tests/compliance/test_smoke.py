from tests.base import BaseTestCase


class LoginPageTests(BaseTestCase):
    def test_it_shows_the_system_use_notice(self):
        response = self.client.get("/accounts/login/")
        self.assertContains(response, "monitored, recorded and subject to audit")

    def test_it_redirects_anonymous_users_to_login(self):
        response = self.client.get("/")
        self.assertRedirects(response, "/accounts/login/?next=/", fetch_redirect_response=False)
