/** Reports on a typed graph: the receptive-field table/JSON, one unit's region, the summary. */
export { rfReport, formatRfReport, paramCount, absoluteMap, layerOrder, formatCount, fixedValue, type RfReport, type RfLayer, type RfOutput } from './rf.js';
export { parseAt, unitRegion, formatUnitRegion, type UnitRegion } from './at.js';
export { summarize, formatSummary, type Summary } from './summary.js';
export { renderGraph, type GraphFormat } from './graph.js';
export { rfHtml } from './html.js';
