"""The API's operations: plain functions of a ``Caller`` and plain values.

Each one checks the token's scope and the member's role first (``Caller.needs``), reaches
rows through ``harken.core.access`` and changes them with the apps' own ``do_*``
functions, so the API, the pages and any other front (an MCP server) share one set of
rules. They return model rows or plain data; the routers turn them into JSON.
"""
