"""OpenAI Administration API: usage, costs and the organization inventory."""
