"""Google Workspace Admin SDK Directory API (users)."""
