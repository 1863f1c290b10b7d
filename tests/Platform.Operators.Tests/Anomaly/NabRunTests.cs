using System.Globalization;
using Platform.Host.Nab;
using Platform.Operators.Anomaly;

namespace Platform.Operators.Tests.Anomaly;

public sealed class NabRunTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "nab-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private void WriteFile(string category, string name, int rows, DateTime start)
    {
        var dir = Path.Combine(_root, "nab", "data", category);
        Directory.CreateDirectory(dir);
        var values = Detect.Sine(rows);
        var lines = new List<string> { "timestamp,value" };
        for (var i = 0; i < rows; i++)
            lines.Add($"{start.AddMinutes(5 * i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)},{values[i].ToString("R", CultureInfo.InvariantCulture)}");
        System.IO.File.WriteAllLines(Path.Combine(dir, name + ".csv"), lines);
    }

    [Fact]
    public async Task RunAsync_TwoFiles_WritesNamedResultFilesWithEveryRow()
    {
        // The second file spans the same time as the first and is long enough to be cut into several chunks.
        WriteFile("catA", "small", 300, new DateTime(2014, 1, 1));
        WriteFile("catB", "long", 4000, new DateTime(2013, 12, 31));
        System.IO.File.WriteAllText(Path.Combine(_root, "nab", "combined_windows.json"),
            """{ "catA/small.csv": [["2014-01-01 20:00:00.000000", "2014-01-01 21:00:00.000000"]], "catB/long.csv": [] }""");
        var corpus = NabCorpus.Load(Path.Combine(_root, "nab"));
        var outDir = Path.Combine(_root, "out");

        var (result, files) = await NabRunner.RunAsync(corpus, outDir, "ensemble", NabRunner.OptionsFor("ensemble"), workers: 2, CancellationToken.None);

        Assert.Equal(4300, result.RecordsIn);
        Assert.Equal(0, result.Late);
        Assert.Equal(2, files.Count);
        var small = Path.Combine(outDir, "ensemble", "catA", "ensemble_small.csv");
        var large = Path.Combine(outDir, "ensemble", "catB", "ensemble_long.csv");
        var smallLines = System.IO.File.ReadAllLines(small);
        Assert.Equal("timestamp,value,anomaly_score,label", smallLines[0]);
        Assert.Equal(301, smallLines.Length);
        Assert.Equal(4001, System.IO.File.ReadAllLines(large).Length);
        Assert.Equal("2014-01-01 00:00:00", smallLines[1].Split(',')[0]);
        Assert.Equal(13, smallLines.Count(l => l.EndsWith(",1", StringComparison.Ordinal))); // 20:00..21:00 at 5 min

        // Scores equal a direct, in-order run of the same operator: the engine changed nothing.
        var direct = Detect.Operator(AnomalyDetectors.All);
        var expected = NabResults.Read("x", large, []);
        var scores = System.IO.File.ReadAllLines(large).Skip(1).Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        var op = new AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue>(NabRunner.OptionsFor("ensemble") with { OrderByWatermark = false });
        var output = new ListOutput();
        var values = System.IO.File.ReadAllLines(large).Skip(1).Select(l => l.Split(',')).Select(c => double.Parse(c[1], CultureInfo.InvariantCulture)).ToArray();
        op.OnRecords(values.Select((v, i) => new ScalarReading { Key = 1, Time = expected.Times[i], Value = v }).ToArray(), output);
        Assert.Equal(output.Items.ToArray().Select(s => s.Score), scores);

        var scored = NabScorer.Score(NabResults.Load(corpus, outDir, "ensemble"), new NabProfile("standard", 1, 0.11, 1));
        Assert.Equal(2, scored.Files.Count);
        Assert.Equal(1, scored.Files.Sum(f => f.Windows));
    }
}
