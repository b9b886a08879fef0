// One script for the dashboard: Vega, Vega-Lite and vega-embed, plus the
// expression interpreter so charts render under a CSP without 'unsafe-eval'.
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import embed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

window.vega = vega;
window.vegaLite = vegaLite;
window.vegaEmbed = embed;
window.vegaExpressionInterpreter = expressionInterpreter;
