"""Plan and publish: posts, their variants per account, and the engine that publishes them.

- ``models``: Post (persona, stage, category, sponsored, author) and Variant (one per
  account: text, time, state, idempotency key, the network's id and URL, error, attempts),
  and each workspace's Guidelines.
- ``states``: the variant's states and moves, declared as data; ``transition`` is one
  conditional UPDATE.
- ``validation``: the network's own rules (length counted its way, publish capability,
  account connected); ``guidelines`` and ``gate``: the workspace's rules, as pure checks.
- ``scheduling``: what a person does (schedule, edit, retry), checks first.
- ``engine``: the tick. Claims due variants atomically, publishes through the account's
  connector with the variant's idempotency key, retries transient errors with backoff,
  fails permanent ones loudly, and reconciles a publish cut short by a crash with the
  network (``Connector.find_published``) before anything is sent again.
- ``tasks``: the queue's thin wrapper that runs the tick every five seconds.
"""
