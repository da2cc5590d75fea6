"""One module per `backbone` verb; `backbone.cli` registers them."""
