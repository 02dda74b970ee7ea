"""What Facebook Pages and Instagram share: both are read and written through Meta's
Graph API with tokens from Facebook Login. The two networks' packages
(``harken.networks.facebook``, ``harken.networks.instagram``) use this package; nothing
here names either of them."""
