using Platform.Host.Nab;

namespace Platform.Operators.Tests.Anomaly;

/// <summary>
/// Hand-made cases. Every file has 100 rows one minute apart, so probation = ⌊0.15 · 100⌋ = 15 rows,
/// and one window over rows 40..59 (width 20) unless said otherwise.
/// σ(y) = 2/(1 + e^{5y}) − 1; σ(−1) = 0.986614.
/// </summary>
public sealed class NabScorerTests
{
    private static readonly NabProfile Standard = new("standard", 1.0, 0.11, 1.0);
    private static readonly NabProfile LowFn = new("reward_low_FN_rate", 1.0, 0.11, 2.0);
    private const long Minute = 60_000;

    private static NabSeries File(string id, int rows, (int From, int To)[] windows, params int[] detections)
    {
        var times = Enumerable.Range(0, rows).Select(i => i * Minute).ToArray();
        var scores = new double[rows];
        foreach (var d in detections) scores[d] = 1.0;
        return new NabSeries(id, times, scores, [.. windows.Select(w => new NabWindow(w.From * Minute, w.To * Minute))]);
    }

    private static NabSeries OneWindow(params int[] detections) => File("a.csv", 100, [(40, 59)], detections);

    [Fact]
    public void ScaledSigmoid_WindowStartAndEnd_MatchPublishedCurve()
    {
        Assert.Equal(0.986614, NabScorer.ScaledSigmoid(-1), 6);
        Assert.Equal(0.0, NabScorer.ScaledSigmoid(0), 12);
        Assert.Equal(-1.0, NabScorer.ScaledSigmoid(3.5));
        Assert.Equal(750, NabScorer.ProbationLength(10_000));
        Assert.Equal(15, NabScorer.ProbationLength(100));
    }

    [Fact]
    public void Score_DetectionAtWindowStart_ScoresPerfect100()
    {
        var s = NabScorer.Score([OneWindow(40)], Standard);
        Assert.Equal(1.0, s.Raw, 9);      // tp · σ(−1)/σ(−1)
        Assert.Equal(-1.0, s.Null, 9);
        Assert.Equal(100.0, s.Normalized, 6);
        Assert.Equal(1.0, s.Threshold);
    }

    [Fact]
    public void Score_DetectionLateInWindow_WeighsBySigmoidOfPosition()
    {
        // Row 55: position −(59 − 55 + 1)/20 = −0.25 → σ = 2/(1 + e^{−1.25}) − 1 = 0.554599; / 0.986614 = 0.562124.
        var s = NabScorer.Score([OneWindow(55)], Standard);
        Assert.Equal(0.562124, s.Raw, 5);
        Assert.Equal(78.1062, s.Normalized, 3); // 100 · (0.562124 + 1) / 2
    }

    [Fact]
    public void Score_OnlyFirstDetectionInWindowCounts()
    {
        var s = NabScorer.Score([OneWindow(40, 45, 50, 59)], Standard);
        Assert.Equal(1.0, s.Raw, 9);
        Assert.Equal(1, s.Files[0].Detected);
        Assert.Equal(0, s.Files[0].FalsePositives);
    }

    [Fact]
    public void Score_FalsePositiveJustAfterWindow_CostsLittle()
    {
        // Row 60: |59 − 60| / (20 − 1) = 1/19 → σ = 2/(1 + e^{5/19}) − 1 = −0.130825; · 0.11 = −0.014391.
        var s = NabScorer.Score([OneWindow(40, 60)], Standard);
        Assert.Equal(1.0 - 0.014391, s.Raw, 5);
        Assert.Equal(1, s.Files[0].FalsePositives);
    }

    [Fact]
    public void Score_FalsePositiveBeforeAnyWindow_CostsFullFpWeight()
    {
        var s = NabScorer.Score([OneWindow(40, 20)], Standard);
        Assert.Equal(1.0 - 0.11, s.Raw, 9);
    }

    [Fact]
    public void Score_FalsePositiveFarAfterWindow_CostsNearlyFullFpWeight()
    {
        // Row 99: 40/19 = 2.105 → σ = 2/(1 + e^{10.526}) − 1 = −0.999946; · 0.11 = −0.109994.
        var s = NabScorer.Score([OneWindow(40, 99)], Standard);
        Assert.Equal(1.0 - 0.109994, s.Raw, 5);
    }

    [Fact]
    public void Score_MissedWindowAndFalsePositive_ThresholdDetectsNothing()
    {
        // Detecting row 20 only adds −0.11, so the sweep keeps the threshold above every score.
        var s = NabScorer.Score([OneWindow(20)], Standard);
        Assert.True(double.IsPositiveInfinity(s.Threshold));
        Assert.Equal(-1.0, s.Raw, 9);
        Assert.Equal(0.0, s.Normalized, 9);
    }

    [Fact]
    public void Score_MissedWindowLowFnProfile_CostsDoubleFnWeight()
    {
        var s = NabScorer.Score([OneWindow()], LowFn);
        Assert.Equal(-2.0, s.Raw, 9);
        Assert.Equal(0.0, s.Normalized, 9);
    }

    [Fact]
    public void Score_EmptyFile_AddsNothing()
    {
        var empty = File("empty.csv", 0, [(40, 59)]);
        var s = NabScorer.Score([empty, OneWindow(55)], Standard);
        Assert.Equal(0, s.Files[0].Windows);
        Assert.Equal(0.0, s.Files[0].Raw);
        Assert.Equal(0.562124, s.Raw, 5);
    }

    [Fact]
    public void ScoreFile_DetectionInProbation_Ignored()
    {
        var series = OneWindow(10);
        var rows = NabScorer.Weigh(series, Standard, out var windows);
        var f = NabScorer.ScoreFile("a.csv", rows, windows, Standard, threshold: 0.5);
        Assert.Equal(15, f.Probation);
        Assert.Equal(0, f.FalsePositives);
        Assert.Equal(-1.0, f.Raw, 9);
    }

    [Fact]
    public void Score_WindowInsideProbation_NotCounted()
    {
        var series = File("a.csv", 100, [(2, 8), (40, 59)], 40);
        var s = NabScorer.Score([series], Standard);
        Assert.Equal(1, s.Files[0].Windows);
        Assert.Equal(100.0, s.Normalized, 6);
    }

    [Fact]
    public void Score_TwoFiles_OneThresholdChosenJointly()
    {
        // File a: its window's first detection scores 0.9 (row 40), FP rows score 1.0 before the window.
        // File b: detection at window start scores 0.8. Best joint threshold = 0.8 (catches both windows,
        // pays 3 FPs · 0.11) rather than 1.0 (only FPs) or 0.9 (misses b).
        var a = OneWindow();
        a.Scores[40] = 0.9;
        a.Scores[20] = a.Scores[21] = a.Scores[22] = 1.0;
        var b = File("b.csv", 100, [(40, 59)]);
        b.Scores[40] = 0.8;
        var s = NabScorer.Score([a, b], Standard);
        Assert.Equal(0.8, s.Threshold);
        Assert.Equal(2 - 0.33, s.Raw, 9);
        Assert.Equal(100 * (2 - 0.33 + 2) / 4, s.Normalized, 6);
    }
}
