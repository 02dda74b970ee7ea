"""The OAuth 2.0 connect flow every consent-page network shares (BrightBean's one view
pair, as a class): the network's consent page, with PKCE where it asks for it; the
callback's code checked (``check_consent``) and exchanged for tokens; the connector asked
who the token signs in as; the account saved. A network's flow says only what differs:
its name, how its code becomes tokens (``tokens``) and which profile the tokens are
(``identify``). The shared views (``harken.networks.views``) keep ``state``, the
workspace and what ``start`` returns in the session, and add ``redirect_uri``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from harken.networks.base import ConnectFlow, Connector
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.oauth2 import OAuthApp, check_consent, pkce_pair
from harken.networks.registry import connector_for

#: What ``identify`` finds: the account's id on the network, its handle, and the config
#: keys to keep beside the tokens.
Identity = tuple[str, str, dict[str, Any]]


class ConsentFlow(ConnectFlow):
    #: The registry's name for the network, and the name its refusals are said in.
    network: ClassVar[str]
    label: ClassVar[str]
    #: The installation's registered app (``available`` when its keys are set).
    app: ClassVar[OAuthApp | None] = None
    #: Send a PKCE challenge; the verifier waits in the session as ``verifier``.
    pkce: ClassVar[bool] = False
    #: Fields of ``form_class`` kept for ``identify`` (a page to choose among several).
    keep: ClassVar[tuple[str, ...]] = ()

    def available(self) -> bool:
        return self.app is None or self.app.configured()

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        started: dict[str, Any] = {name: data.get(name, "") for name in self.keep}
        challenge = ""
        if self.pkce:
            started["verifier"], challenge = pkce_pair()
        return self.consent_url(redirect_uri, state, challenge), started

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent(self.label, params)
        tokens = self.tokens(code, started)
        connector = connector_for(network=self.network, config=tokens, workspace=workspace)
        external_id, handle, found = self.identify(connector, tokens, started)
        config = {**connector.config, **found}
        return save_connected(workspace, actor, self.network, external_id, handle, config)

    def consent_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        """The network's consent page (``app``'s, with the PKCE challenge when given)."""
        assert self.app is not None, "a flow without an app says its own consent_url"
        extra = {"code_challenge": challenge, "code_challenge_method": "S256"} if challenge else {}
        return self.app.authorize_url(redirect_uri, state, **extra)

    def tokens(self, code: str, started: Mapping[str, Any]) -> dict[str, Any]:
        """The callback's ``code`` exchanged for the token config keys."""
        raise NotImplementedError

    def identify(
        self, connector: Connector, tokens: Mapping[str, Any], started: Mapping[str, Any]
    ) -> Identity:
        """Which profile ``connector`` (holding the new tokens) signs in as."""
        raise NotImplementedError
