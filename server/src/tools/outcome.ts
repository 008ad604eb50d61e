/** What a tool call answers the model: its output, and why it failed if it did. Built-in tools, MCP tools and agents alike. */
export interface ToolOutcome {
  content: string;
  is_error: boolean;
  sudo_blocked?: boolean;
  /** The permission system (a rule, the mode, the user, the timeout) refused the call. */
  permission_denied?: boolean;
}
