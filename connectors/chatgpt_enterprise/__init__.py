"""ChatGPT Enterprise Compliance API: workspace users."""
