"""Domain operations. Views, API views, admin actions and tasks call these."""
