"""The desk agent: long-polls for card operations and runs them at the desk."""
