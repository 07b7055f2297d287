"""How the portal meets the web, for every area alike: how a view answers (a page, an HTMX fragment, a
redirect; `responses`), how a list sorts and pages (`listing`), forms saved once (`once`), response
headers and error pages (`security`), rate limits (`limits`), how it is served behind the station's
proxy with its health check (`serving`) and the owner-only files it makes (`owner_only`)."""
