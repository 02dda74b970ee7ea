"""The MCP server for AI assistants: the API's operations, as tools, with its tokens."""
