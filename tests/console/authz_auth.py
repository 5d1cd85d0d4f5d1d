"""Who may use the sign-in pages and the home page."""
from tests.console.authz import EVERY_STAFF, Case

CASES = [
    Case("GET", "/console", EVERY_STAFF),
    Case("POST", "/console/logout", EVERY_STAFF),
]
# Open to everyone by design (they are how one signs in): not in the table.
PUBLIC = {("GET", "/console/login"), ("POST", "/console/login"), ("GET", "/console/link/{token}"),
          ("POST", "/console/link/{token}"), ("GET", "/console/lang/{lang}")}
