namespace Platform.Host.Nab;

/// <summary>One file's detector output, ready to score: row times (Unix ms), scores, labelled windows.</summary>
internal sealed record NabSeries(string Id, long[] Times, double[] Scores, NabWindow[] Windows);

/// <summary>A file's result under one profile at the chosen threshold.</summary>
internal sealed record NabFileScore(string Id, int Rows, int Probation, int Windows, int Detected, int FalsePositives, double Raw, double Null, double Perfect)
{
    /// <summary>Normalised like the total; NaN for a file without windows.</summary>
    public double Normalized => Perfect > Null ? 100 * (Raw - Null) / (Perfect - Null) : double.NaN;
}

/// <summary>A detector's result under one profile: the threshold chosen over all files, raw and normalised scores.</summary>
internal sealed record NabProfileScore(string Profile, double Threshold, double Raw, double Null, double Perfect, IReadOnlyList<NabFileScore> Files)
{
    /// <summary>100 · (raw − null) / (perfect − null): no detections = 0, every window caught at its start = 100.</summary>
    public double Normalized => Perfect > Null ? 100 * (Raw - Null) / (Perfect - Null) : 0;
}

/// <summary>
/// NAB's scoring rules (Lavin &amp; Ahmad 2015; NAB v1.1 sweeper), implemented from their description:
/// <list type="bullet">
/// <item>Probation: the first min(⌊0.15·rows⌋, 750) rows of a file are not scored.</item>
/// <item>A row inside a window weighs tp · σ(p)/σ(−1) with p = −(right − i + 1)/width, where
/// σ(y) = 2/(1 + e^{5y}) − 1 (so ≈ +1 at the window's first row, ≈ 0 at its last); only the best
/// (earliest) detection of a window counts; a window without one costs −fn.</item>
/// <item>A row outside every window weighs fp · σ(|i − previous window's right| / (its width − 1)):
/// near 0 just after a window, −fp far after it (σ = −1 beyond 3 widths), −fp before any window.</item>
/// <item>The threshold (detection = score ≥ threshold) is swept over every distinct score of all
/// files together and the best total kept, per profile.</item>
/// <item>Normalised = 100·(raw − null)/(perfect − null): null misses every window (−fn each),
/// perfect catches every window at its first row (+tp each).</item>
/// </list>
/// </summary>
internal static class NabScorer
{
    private const double ProbationPercent = 0.15;

    /// <summary>Scaled sigmoid 2/(1 + e^{5y}) − 1; −1 beyond 3.</summary>
    public static double ScaledSigmoid(double y) => y > 3.0 ? -1.0 : 2.0 / (1.0 + Math.Exp(5.0 * y)) - 1.0;

    /// <summary>Rows of a file ignored at its start: min(⌊0.15·rows⌋, 0.15·5000).</summary>
    public static int ProbationLength(int rows) => (int)Math.Min(Math.Floor(ProbationPercent * rows), ProbationPercent * 5000);

    /// <summary>Per-row weights of one file: (scorable, weight if detected, window index or −1).</summary>
    internal static Row[] Weigh(NabSeries s, NabProfile profile, out int windowCount)
    {
        var n = s.Times.Length;
        var rows = new Row[n];
        var probation = ProbationLength(n);
        // Window limits as row indices: first row ≥ start, last row ≤ end; empty windows dropped.
        var limits = new List<(int Left, int Right)>();
        foreach (var w in s.Windows.OrderBy(w => w.Start))
        {
            var left = Array.BinarySearch(s.Times, w.Start);
            if (left < 0) left = ~left;
            var right = Array.BinarySearch(s.Times, w.End);
            if (right < 0) right = ~right - 1;
            if (left <= right && left < n) limits.Add((left, right));
        }
        var maxTp = ScaledSigmoid(-1.0);
        var next = 0;
        int cur = -1, curLeft = 0, curRight = 0;
        int prevRight = -1, prevWidth = 0;
        var counted = new bool[limits.Count];
        for (var i = 0; i < n; i++)
        {
            if (cur < 0 && next < limits.Count && i == limits[next].Left)
            {
                cur = next++;
                (curLeft, curRight) = limits[cur];
            }
            double weight;
            if (cur >= 0)
            {
                double width = curRight - curLeft + 1;
                weight = ScaledSigmoid(-(curRight - i + 1) / width) * profile.TpWeight / maxTp;
            }
            else if (prevRight < 0)
            {
                weight = -1.0 * profile.FpWeight;
            }
            else
            {
                var position = Math.Abs(prevRight - i) / (double)(prevWidth - 1);
                weight = ScaledSigmoid(double.IsNaN(position) ? double.PositiveInfinity : position) * profile.FpWeight;
            }
            var scorable = i >= probation;
            rows[i] = new Row(scorable, s.Scores[i], weight, cur);
            if (scorable && cur >= 0) counted[cur] = true;
            if (cur >= 0 && i == curRight)
            {
                prevRight = curRight;
                prevWidth = curRight - curLeft + 1;
                cur = -1;
            }
        }
        // Renumber windows to those with a scorable row (the only ones NAB counts).
        var map = new int[limits.Count];
        windowCount = 0;
        for (var k = 0; k < limits.Count; k++) map[k] = counted[k] ? windowCount++ : -1;
        for (var i = 0; i < n; i++)
        {
            if (rows[i].Window >= 0) rows[i] = rows[i] with { Window = map[rows[i].Window] };
        }
        return rows;
    }

    /// <summary>Scores every file under <paramref name="profile"/> with the threshold that maximises the total.</summary>
    public static NabProfileScore Score(IReadOnlyList<NabSeries> series, NabProfile profile)
    {
        var weighed = new List<(Row[] Rows, int Windows, int Offset)>();
        var totalWindows = 0;
        foreach (var s in series)
        {
            var rows = Weigh(s, profile, out var w);
            weighed.Add((rows, w, totalWindows));
            totalWindows += w;
        }
        var threshold = BestThreshold(weighed, totalWindows, profile);
        var files = new List<NabFileScore>();
        for (var f = 0; f < series.Count; f++)
        {
            var (rows, windows, _) = weighed[f];
            files.Add(ScoreFile(series[f].Id, rows, windows, profile, threshold));
        }
        return new NabProfileScore(profile.Name, threshold, files.Sum(f => f.Raw), -profile.FnWeight * totalWindows, profile.TpWeight * totalWindows, files);
    }

    /// <summary>Sweeps thresholds from the top score down (NAB's sweep); returns the best (+∞ when detecting nothing is best).</summary>
    private static double BestThreshold(List<(Row[] Rows, int Windows, int Offset)> files, int totalWindows, NabProfile profile)
    {
        var all = new List<(double Score, double Weight, int Window)>();
        foreach (var (rows, _, offset) in files)
        {
            foreach (var r in rows)
            {
                if (r.Scorable) all.Add((r.Score, r.Weight, r.Window < 0 ? -1 : offset + r.Window));
            }
        }
        all.Sort((a, b) => b.Score.CompareTo(a.Score));
        var best = new double[totalWindows];
        Array.Fill(best, -profile.FnWeight);
        var total = -profile.FnWeight * totalWindows;
        var bestTotal = total;
        var bestThreshold = double.PositiveInfinity;
        for (var i = 0; i < all.Count; i++)
        {
            var (score, weight, window) = all[i];
            if (window < 0) total += weight;
            else if (weight > best[window])
            {
                total += weight - best[window];
                best[window] = weight;
            }
            var lastOfLevel = i == all.Count - 1 || all[i + 1].Score != score;
            if (lastOfLevel && total > bestTotal + 1e-12)
            {
                bestTotal = total;
                bestThreshold = score;
            }
        }
        return bestThreshold;
    }

    internal static NabFileScore ScoreFile(string id, Row[] rows, int windows, NabProfile profile, double threshold)
    {
        var best = new double[windows];
        Array.Fill(best, -profile.FnWeight);
        var fpTotal = 0.0;
        var fp = 0;
        foreach (var r in rows)
        {
            if (!r.Scorable || !(r.Score >= threshold)) continue;
            if (r.Window < 0)
            {
                fpTotal += r.Weight;
                fp++;
            }
            else best[r.Window] = Math.Max(best[r.Window], r.Weight);
        }
        var detected = best.Count(b => b > -profile.FnWeight);
        var probation = rows.TakeWhile(r => !r.Scorable).Count();
        return new NabFileScore(id, rows.Length, probation, windows, detected, fp, best.Sum() + fpTotal,
            -profile.FnWeight * windows, profile.TpWeight * windows);
    }

    internal readonly record struct Row(bool Scorable, double Score, double Weight, int Window);
}
