"""Plan and publish: posts, their variants per account, and the engine that publishes them."""
