"""Azure Cost Management FOCUS exports: Azure OpenAI / AI Foundry cost rows."""
