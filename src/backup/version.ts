/** The tool's version, recorded in every manifest as ScriptVersion. */
export const TOOL_VERSION = '1.0.0';
