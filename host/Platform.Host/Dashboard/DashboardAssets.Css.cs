namespace Platform.Host.Dashboard;

internal static partial class DashboardAssets
{
    /// <summary>The style sheet: dark, grid-based, one column on a phone.</summary>
    public static readonly byte[] Css = """
:root { --bg:#0f1419; --panel:#171e26; --line:#263241; --text:#d9e2ec; --dim:#8696a7; --accent:#4fc3f7; --ok:#66bb6a; --warn:#ffb74d; --crit:#ef5350; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display:flex; justify-content:space-between; align-items:center; flex-wrap:wrap; gap:8px; padding:12px 20px; border-bottom:1px solid var(--line); background:var(--panel); }
.title { font-size:18px; font-weight:600; }
.logo { color:var(--accent); }
.meta { color:var(--dim); font-size:13px; }
.pill { font-size:12px; font-weight:500; padding:2px 8px; border-radius:10px; background:#263241; color:var(--dim); margin-left:8px; vertical-align:middle; }
.pill.running { background:rgba(102,187,106,.15); color:var(--ok); }
.pill.failed { background:rgba(239,83,80,.15); color:var(--crit); }
.conn.live { color:var(--ok); }
main { padding:16px 20px; display:flex; flex-direction:column; gap:16px; max-width:1400px; margin:0 auto; }
.panel { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 16px; }
h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 10px; font-weight:600; }
h3 { font-size:12px; color:var(--dim); margin:0 0 6px; font-weight:500; }
.graph { display:flex; flex-wrap:wrap; align-items:center; gap:6px; }
.stage { border:1px solid var(--line); border-left:3px solid var(--accent); border-radius:6px; padding:8px 12px; min-width:120px; background:#1c2530; }
.stage .name { font-weight:600; white-space:nowrap; }
.stage .kind { color:var(--dim); font-size:12px; }
.stage .rate { color:var(--accent); font-variant-numeric:tabular-nums; font-size:13px; margin-top:2px; }
.stage.sink { border-left-color:var(--ok); }
.stage.keyed, .stage.keyby { border-left-color:#ba68c8; }
.stage.monitor { border-left-color:var(--warn, #ffb74d); border-style:dashed; }
.side-sep { color:var(--dim); padding:0 6px; }
.arrow { color:var(--dim); font-size:18px; padding:0 2px; }
.arrow.fused { color:var(--warn); }
.legend { color:var(--dim); font-size:12px; margin:8px 0 0; }
.cards { display:grid; grid-template-columns:repeat(5, minmax(0, 1fr)); grid-auto-flow:dense; gap:12px; }
.card { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; min-height:96px; }
.card.span3 { grid-column:span 3; }
.big { font-size:28px; font-weight:600; font-variant-numeric:tabular-nums; }
.big.small { font-size:18px; padding-top:6px; }
.sub { color:var(--dim); font-size:12px; margin-top:2px; }
.spark { width:100%; height:52px; display:block; }
.spark-line { fill:none; stroke:var(--accent); stroke-width:1.5; vector-effect:non-scaling-stroke; }
.spark-fill { fill:rgba(79,195,247,.12); stroke:none; }
.bar-row { display:grid; grid-template-columns:64px 1fr 52px; align-items:center; gap:8px; font-size:12px; color:var(--dim); margin-top:8px; }
.bar { height:8px; background:#0d1218; border-radius:4px; overflow:hidden; }
.bar div { height:100%; width:0; background:var(--ok); transition:width .4s; }
.bar div.high { background:var(--warn); }
.bar div.full { background:var(--crit); }
.count { background:#263241; color:var(--text); border-radius:10px; padding:1px 8px; margin-left:6px; font-size:12px; }
.table-wrap { overflow-x:auto; }
table { width:100%; border-collapse:collapse; font-size:13px; }
th { text-align:left; color:var(--dim); font-weight:500; border-bottom:1px solid var(--line); padding:6px 8px; white-space:nowrap; }
td { border-bottom:1px solid #1f2935; padding:6px 8px; white-space:nowrap; }
td.msg { white-space:normal; min-width:200px; }
.num { text-align:right; font-variant-numeric:tabular-nums; }
tr.empty td { color:var(--dim); text-align:center; padding:16px; }
tr.fresh { animation:flash 1.5s ease-out; }
@keyframes flash { from { background:rgba(79,195,247,.25); } to { background:transparent; } }
.sev { font-size:11px; font-weight:600; padding:1px 6px; border-radius:4px; text-transform:uppercase; }
.sev.critical { background:rgba(239,83,80,.2); color:var(--crit); }
.sev.warning { background:rgba(255,183,77,.2); color:var(--warn); }
.sev.info { background:rgba(79,195,247,.15); color:var(--accent); }
@media (max-width: 900px) { .cards { grid-template-columns:repeat(2, minmax(0, 1fr)); } .card.span3 { grid-column:span 2; } }
@media (max-width: 520px) {
  main { padding:10px; }
  .cards { grid-template-columns:1fr 1fr; gap:8px; }
  .card.span3, .card.bp { grid-column:span 2; }
  .big { font-size:22px; }
  .graph { flex-direction:column; align-items:stretch; }
  .arrow { transform:rotate(90deg); align-self:center; }
  th:nth-child(6), td:nth-child(6), th:nth-child(7), td:nth-child(7) { display:none; }
}
"""u8.ToArray();
}
