/** The sidecar format lives in core/ (one parser for every layer); re-exported for the distribution modules. */
export { formatSidecar, isSha256Hex, parseSidecar, parseSidecarLine, sidecarName } from '../core/sidecar';
