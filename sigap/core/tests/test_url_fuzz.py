"""No crafted input answers 5xx: every URL pattern x every role, with hostile values from hypothesis.

The URL patterns come from the URL conf (``sigap.lib.urlconf``), so a new view is
fuzzed the day it lands. Every pattern is asked by three identities per round
(anonymous and the roles of the cast, rotating over the patterns so every role
meets every kind of page; ``SIGAP_FUZZ_ROUNDS=9`` covers every pattern x role
cell), each with a GET or a POST; hypothesis draws the path
parameters (small real ids, 0, integers beyond 64 bits; for text parameters NUL,
lone surrogates, Unicode digits, very long strings) and a few query or form
parameters among the names the code base reads, with the same kind of values.
Any 5xx or exception fails the test, listing every request that did.

Bounded for CI: a fixed number of requests (three per URL, about 350), each in
a savepoint rolled back afterwards, so one request's changes (a deactivated
user, a closed case) do not change what the next one meets. Inputs are drawn
deterministically; ``SIGAP_FUZZ_ROUNDS=n`` runs n rounds and
``SIGAP_FUZZ_RANDOM=1`` draws new inputs each run, for a longer search by hand.
"""

from __future__ import annotations

import os
import re
import traceback
from typing import Any

from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sigap.cases.tests.factories import create_case
from sigap.intake.lookup_limit import ALL_LIMITERS as LOOKUP_LIMITERS
from sigap.intake.tests.factories import create_report
from sigap.intake.views import public
from sigap.lib.testing import SigapTestCase
from sigap.lib.urlconf import Route, module_parameter_names, parameter_names, url_patterns

ROUNDS = int(os.environ.get("SIGAP_FUZZ_ROUNDS", "1"))
PER_URL = 3  # requests per URL and round
ONLY = os.environ.get("SIGAP_FUZZ_ONLY", "")  # a regular expression on route names, to fuzz a few by hand
RANDOM = os.environ.get("SIGAP_FUZZ_RANDOM") == "1"
# Pages whose POST ends or replaces the session: sent from a client of their own.
SESSION_CHANGING = {"accounts:login", "accounts:logout", "accounts:quick_exit", "accounts:recovery_sign_in",
                    "accounts:password_reset", "accounts:password_change", "accounts:setup", "accounts:verify_2fa",
                    "accounts:enroll_2fa", "set_language", "network:accept_invitation"}

UNICODE_DIGITS = st.sampled_from(["١٢٣", "²", "३४", "٣", "𝟗𝟗", "١" * 30, "1²", "߂"])
HUGE = st.sampled_from([str(2**63), str(2**64 + 1), "9" * 40, "9" * 400, "-" + "9" * 30, "1e400", "-1", "0"])
NUL = st.text(max_size=8).map(lambda s: s + "\x00" + s)
SURROGATE = st.sampled_from(["\ud800", "a\udfffb", "\udc80" * 3])
LONG = st.sampled_from(["A" * 5000, "7" * 10_000, "Ä" * 3000, "%" * 4000])
DATES = st.sampled_from(["0000-00-00", "2026-13-45", "99999-01-01", "1-1-1", "2026-02-30T25:61",
                         "1900-01-01", "9999-12-31T23:59"])
PLAIN = st.text(max_size=20)
SMALL = st.integers(min_value=0, max_value=6).map(str)
HOSTILE = st.one_of(SMALL, HUGE, UNICODE_DIGITS, NUL, SURROGATE, LONG, DATES, PLAIN)
PATH_INT = st.one_of(st.integers(min_value=0, max_value=6), st.sampled_from([2**63, 2**64 + 7, 10**40])).map(str)
PATH_TEXT = st.one_of(st.sampled_from(["18.11.01.2001", "18.11", "csv", "xlsx", "pdf", "png", "a"]),
                      HUGE, UNICODE_DIGITS, NUL, SURROGATE, LONG, PLAIN.filter(bool))


class UrlFuzzTests(SigapTestCase):
    routes: list[Route]
    names: list[str]
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        create_report(cls.operator)
        create_case(cls.operator, assign_to=cls.case_worker, manager=cls.manager)
        cls.routes = url_patterns()
        cls.names = parameter_names()

    def setUp(self) -> None:
        super().setUp()
        self._limits = [(limiter, limiter.limit) for limiter in (*public.ALL_LIMITERS, *LOOKUP_LIMITERS)]
        for limiter, _limit in self._limits:
            limiter.limit = 10**9
            limiter.reset()

    def tearDown(self) -> None:
        for limiter, limit in self._limits:
            limiter.limit = limit
            limiter.reset()
        super().tearDown()

    def _clients(self) -> dict[str, Client]:
        clients = {"anonymous": Client()}
        for user in self.everyone:
            clients[user.username] = self.login(user, client=Client())
        return clients

    def _send(self, client: Client, method: str, path: str, params: dict[str, str]) -> str | None:
        """None when the answer is below 500; otherwise what went wrong."""
        try:
            with transaction.atomic():
                if method == "get":
                    response = client.get(path, params)
                else:
                    response = client.post(path, params)
                transaction.set_rollback(True)
        except Exception as error:
            last = traceback.extract_tb(error.__traceback__)[-1]
            return f"{type(error).__name__} at {last.filename.rsplit('/sigap/', 1)[-1]}:{last.lineno}"
        return f"status {response.status_code}" if response.status_code >= 500 else None

    def test_no_url_answers_5xx_to_any_role(self) -> None:
        routes: list[Route] = [r for r in self.routes if not ONLY or re.search(ONLY, r.name)]
        everywhere: list[str] = self.names
        own = {route.module: module_parameter_names(route.module) for route in routes}

        @settings(max_examples=ROUNDS, derandomize=not RANDOM, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def sweep(data: Any) -> None:
            clients = self._clients()
            names_of = list(clients)
            failures: list[str] = []
            for index, route in enumerate(routes):
                # A fixed budget per URL: PER_URL identities, rotating over the URLs so every role
                # meets every kind of page (SIGAP_FUZZ_ROUNDS=9 covers every URL x role cell).
                start = (index * PER_URL + data.draw(st.integers(0, len(names_of) - 1))) % len(names_of)
                chosen_identities = [names_of[(start + k) % len(names_of)] for k in range(PER_URL)]
                for identity in chosen_identities:
                    for method in (data.draw(st.sampled_from(["get", "post"])),):
                        values = {
                            name: data.draw(PATH_INT if conv == "IntConverter" else PATH_TEXT)
                            for name, conv in route.converters
                        }
                        path = route.build(values)
                        # Mostly names this view's module reads, sometimes any name of the code base.
                        names = own[route.module] or everywhere
                        chosen = data.draw(st.lists(st.sampled_from(names), max_size=4, unique=True))
                        chosen += data.draw(st.lists(st.sampled_from(everywhere), max_size=1))
                        params = {name: data.draw(HOSTILE) for name in chosen}
                        client = clients[identity]
                        if route.name in SESSION_CHANGING:
                            client = Client()
                        problem = self._send(client, method, path, params)
                        if problem:
                            failures.append(
                                f"{method.upper()} {path[:120]} {identity} params={ {k: v[:40] for k, v in params.items()} !r}"
                                f" -> {problem}"
                            )
            assert not failures, "5xx or exception for crafted input:\n" + "\n".join(failures)

        sweep()
