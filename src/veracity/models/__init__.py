"""Model loading (``veracity.models.loading``) and the artifacts veracity ships, each with a card beside it."""
