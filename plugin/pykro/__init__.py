"""pykro: typed Kubernetes resource graphs for GitOps."""
