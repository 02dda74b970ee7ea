"""Who is not a person: link-preview fetchers, crawlers and scripted HTTP clients.

A network fetches every link posted on it to draw its preview card, and search engines
follow links; those visits are counted apart (``Click.is_bot``) and never pledge.

Decided by the User-Agent alone (what such fetchers announce; one that lies passes as a
person, as on every link shortener):

- preview fetchers and crawlers by name (``PREVIEWERS``), and anything calling itself a
  bot, crawler or spider or giving a "+https://…" page about itself (browsers never do);
- an empty User-Agent: every browser and social app sends one;
- command-line and library HTTP clients (curl, Wget, python-requests, Go's, Java's…):
  a person clicking a link in a post does not use them, and a pledge is money, so a
  script run in a loop must not pledge. This is the one judgement call: someone who
  really opens a link with curl is counted as a bot.

Mobile apps' in-app browsers (Instagram, the Facebook app, okhttp-based Android apps)
announce a browser engine and are counted as people.
"""

from __future__ import annotations

import re

#: Link-preview fetchers of the networks and messengers, and the big crawlers.
PREVIEWERS = (
    "facebookexternalhit",
    "facebookcatalog",
    "Facebot",
    "meta-externalagent",
    "Twitterbot",
    "Slackbot",
    "Slack-ImgProxy",
    "LinkedInBot",
    "Discordbot",
    "Googlebot",
    "Google-InspectionTool",
    "AdsBot-Google",
    "bingbot",
    "BingPreview",
    "TelegramBot",
    "WhatsApp",
    "Applebot",
    "Mastodon/",  # "http.rb/5.2.0 (Mastodon/4.3.0; +https://example.social/)"
    "Bluesky Cardyb",  # Bluesky's card fetcher
    "Pinterestbot",
    "redditbot",
    "Embedly",
    "Iframely",
    "SkypeUriPreview",
    "vkShare",
    "Snapchat",
    "YandexBot",
    "DuckDuckBot",
    "Baiduspider",
    "Yahoo! Slurp",
    "ia_archiver",
    "PetalBot",
    "Bytespider",
)
#: Scripted HTTP clients (see the module's note).
SCRIPTS = (
    "curl/",
    "Wget/",
    "python-requests/",
    "python-httpx/",
    "Python-urllib/",
    "aiohttp/",
    "Go-http-client/",
    "Java/",
    "Apache-HttpClient/",
    "libwww-perl/",
    "HeadlessChrome",
)
_BOT = re.compile(
    "|".join(
        [re.escape(name) for name in PREVIEWERS + SCRIPTS]
        # "SomeBot/1.0", "(compatible; bot; +https://…)"; not a phone named "CUBOT X19".
        + [r"bot[/;)]", r"\bbot\b", "crawler", "spider", r"\+https?://"]
    ),
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    """Whether a visit with this User-Agent is a machine's, not a person's."""
    agent = user_agent.strip()
    return not agent or _BOT.search(agent) is not None
