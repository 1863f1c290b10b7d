namespace Platform.Host.Dashboard;

/// <summary>The dashboard's static files, compiled into the assembly (no build step, no files on disk).</summary>
internal static partial class DashboardAssets
{
    /// <summary>The page.</summary>
    public static readonly byte[] Html = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Platform dashboard</title>
<link rel="stylesheet" href="/dashboard/app.css">
</head>
<body>
<header>
  <div class="title"><span class="logo">◆</span> <span id="pipeline">pipeline</span>
    <span id="status" class="pill">connecting</span></div>
  <div class="meta"><span id="uptime">–</span> · <span id="conn" class="conn">offline</span></div>
</header>
<main>
  <section class="panel wide">
    <h2>Pipeline</h2>
    <div id="graph" class="graph" aria-label="pipeline graph"></div>
    <p class="legend"><span class="arrow">→</span> channel &nbsp; <span class="arrow fused">⇒</span> fused (same thread)</p>
  </section>
  <section class="cards">
    <div class="card"><h3>Records in</h3><div class="big" id="records-in">0</div><div class="sub"><span id="rate-in">0</span> /s</div></div>
    <div class="card"><h3>Records out</h3><div class="big" id="records-out">0</div><div class="sub"><span id="rate-out">0</span> /s</div></div>
    <div class="card"><h3>Dead letters</h3><div class="big" id="dead-letters">0</div><div class="sub">rejected by the parser</div></div>
    <div class="card"><h3>Late</h3><div class="big" id="late">0</div><div class="sub">after their window fired</div></div>
    <div class="card"><h3>Checkpoint</h3><div class="big small" id="checkpoint">off</div><div class="sub" id="checkpoint-detail">not configured</div></div>
    <div class="card span3"><h3>Records/s</h3><svg id="spark" class="spark" viewBox="0 0 240 48" preserveAspectRatio="none" aria-label="records per second"><polyline id="spark-fill" class="spark-fill" points=""/><polyline id="spark-line" class="spark-line" points=""/></svg><div class="sub">last 60 s · peak <span id="rate-peak">0</span>/s</div></div>
    <div class="card"><h3>Watermark</h3><div class="big small" id="watermark">–</div><div class="sub">lag <span id="watermark-lag">–</span></div></div>
    <div class="card bp"><h3>Backpressure</h3>
      <div class="bar-row"><span>chunks</span><div class="bar"><div id="chunk-fill"></div></div><span id="chunk-text">0/0</span></div>
      <div class="bar-row"><span>to sinks</span><div class="bar"><div id="sink-fill"></div></div><span id="sink-text">0/0</span></div>
    </div>
  </section>
  <section class="panel wide">
    <h2>Recent alerts <span class="count" id="alert-count">0</span></h2>
    <div class="table-wrap">
    <table id="alerts">
      <thead><tr><th>time</th><th>severity</th><th>key</th><th class="num">value</th><th class="num">score</th><th>expected</th><th>source</th><th>message</th></tr></thead>
      <tbody><tr class="empty"><td colspan="8">no alerts yet</td></tr></tbody>
    </table>
    </div>
  </section>
</main>
<script src="/dashboard/app.js"></script>
</body>
</html>
"""u8.ToArray();
}
