"""The desk agent: long-polls the server for card operations and runs them at the desk."""
