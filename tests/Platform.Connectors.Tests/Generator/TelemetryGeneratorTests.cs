using System.Text;
using Platform.Connectors.Generator;
using Platform.Connectors.Tests.Infrastructure;

namespace Platform.Connectors.Tests.Generator;

public class TelemetryGeneratorTests
{
    private static readonly TelemetryGeneratorOptions Small = new() { Events = 20_000, Seed = 7, MalformedShare = 0.01, AnomalyShare = 0.002 };

    [Fact]
    public void GenerateNdjson_SameSeed_IdenticalBytes()
    {
        var a = TelemetryGenerator.GenerateNdjson(Small);
        var b = TelemetryGenerator.GenerateNdjson(Small);
        Assert.True(a.AsSpan().SequenceEqual(b));
        Assert.True(a.Length > 20_000 * 100);
    }

    [Fact]
    public void GenerateNdjson_DifferentSeed_DifferentBytes()
    {
        var a = TelemetryGenerator.GenerateNdjson(Small);
        var b = TelemetryGenerator.GenerateNdjson(Small with { Seed = 8 });
        Assert.False(a.AsSpan().SequenceEqual(b));
    }

    [Fact]
    public void Fill_SmallBuffers_SameBytesAsOneBuffer()
    {
        var whole = TelemetryGenerator.GenerateNdjson(Small);
        var generator = new TelemetryGenerator(Small);
        var pieces = new MemoryStream();
        var buffer = new byte[TelemetryGenerator.MaxLineBytes + 37];
        var random = new Random(3);
        while (!generator.IsComplete)
        {
            var n = generator.Fill(buffer, maxLines: random.Next(1, 4));
            pieces.Write(buffer, 0, n);
        }
        Assert.True(whole.AsSpan().SequenceEqual(pieces.ToArray()));
    }

    [Fact]
    public void GenerateNdjson_Default_EveryLineIsValidOrMalformedAsCounted()
    {
        var data = TelemetryGenerator.GenerateNdjson(Small, out var generator);
        var lines = TelemetryLine.Split(data);
        Assert.Equal(Small.Events, lines.Count);
        Assert.Equal(Small.Events, generator.Lines);
        Assert.Equal(generator.Lines, generator.ValidRecords + generator.MalformedLines);
        Assert.Equal(data.Length, generator.Bytes);
        var valid = lines.Count(l => TelemetryLine.TryParse(l.Span, out _) is not null);
        Assert.Equal(generator.ValidRecords, valid);
        Assert.All(lines, l => Assert.InRange(l.Length + 1, 2, TelemetryGenerator.MaxLineBytes));
    }

    [Fact]
    public void GenerateNdjson_ValidLines_HaveSchemaFieldsAndPlausibleValues()
    {
        var options = Small with { MalformedShare = 0, AnomalyShare = 0, Devices = 1000 };
        var data = TelemetryGenerator.GenerateNdjson(options);
        var parsed = TelemetryLine.Split(data).Select(l => TelemetryLine.TryParse(l.Span, out var why) ?? throw new Xunit.Sdk.XunitException(why + ": " + Encoding.UTF8.GetString(l.Span))).ToList();
        var start = options.StartTime.ToUnixTimeMilliseconds();
        foreach (var r in parsed)
        {
            Assert.Matches("^dev-[0-9]{6}$", r.DeviceId);
            Assert.InRange(r.Timestamp, start, start + 1_000);
            var profile = SensorProfile.Defaults.Single(p => p.Name == r.SensorType);
            Assert.Equal(profile.Unit, r.Unit);
            if (profile.IsVector)
            {
                Assert.NotNull(r.Vector);
                Assert.InRange(r.Vector[2], profile.BaselineMin - profile.Noise - 0.01, profile.BaselineMax + profile.Noise + 0.01);
            }
            else
            {
                Assert.NotNull(r.Value);
                Assert.InRange(r.Value.Value, profile.BaselineMin - profile.Noise - 0.01, profile.BaselineMax + profile.Noise + 0.01);
            }
        }
        Assert.Equal(4, parsed.Select(r => r.SensorType).Distinct().Count());
        Assert.True(parsed.Select(r => r.DeviceId).Distinct().Count() > 900);
    }

    [Fact]
    public void GenerateNdjson_Shares_MatchOptionsWithinTolerance()
    {
        var options = new TelemetryGeneratorOptions { Events = 200_000, Seed = 11, MalformedShare = 0.01, VectorShare = 0.05, EpochTimestampShare = 0.1 };
        var data = TelemetryGenerator.GenerateNdjson(options, out var generator);
        // 5 sigma of a binomial count.
        static void Near(double share, long n, long count) => Assert.InRange(count, share * n - 5 * Math.Sqrt(n * share * (1 - share)), share * n + 5 * Math.Sqrt(n * share * (1 - share)));
        Near(0.01, options.Events, generator.MalformedLines);
        var records = TelemetryLine.Split(data).Select(l => TelemetryLine.TryParse(l.Span, out _)).OfType<TelemetryLine>().ToList();
        Assert.Equal(generator.ValidRecords, records.Count);
        Near(0.05, records.Count, records.Count(r => r.Vector is not null));
        Near(0.1, records.Count, records.Count(r => r.EpochTimestamp));
        Assert.All(records.Where(r => r.Vector is not null), r => Assert.Equal("vibration", r.SensorType));
    }

    [Fact]
    public void GenerateNdjson_MalformedLines_FailSystemTextJsonOrMissARequiredFieldInEveryWay()
    {
        var options = new TelemetryGeneratorOptions { Events = 50_000, Seed = 5, MalformedShare = 0.05 };
        var data = TelemetryGenerator.GenerateNdjson(options, out var generator);
        var reasons = new Dictionary<string, int>();
        var malformed = 0;
        foreach (var line in TelemetryLine.Split(data))
        {
            if (TelemetryLine.TryParse(line.Span, out var why) is not null) continue;
            malformed++;
            var kind = why.StartsWith("json", StringComparison.Ordinal) ? "json" : why;
            reasons[kind] = reasons.GetValueOrDefault(kind) + 1;
            Assert.DoesNotContain((byte)'\n', line.ToArray());
        }
        Assert.Equal(generator.MalformedLines, malformed);
        // Truncated and garbage fail the JSON parser; the others fail in their own ways.
        foreach (var expected in new[] { "json", "invalid UTF-8", "deviceId", "timestamp missing", "timestamp type", "sensorType", "payload", "value type" })
        {
            Assert.True(reasons.ContainsKey(expected) || (expected == "value type" && reasons.ContainsKey("vector x")), $"no malformed line of kind '{expected}' in {string.Join(", ", reasons)}");
        }
    }

    [Fact]
    public void WriteLabels_InjectedAnomalies_OneRowPerAnomalyMatchingARecord()
    {
        var options = new TelemetryGeneratorOptions { Events = 100_000, Seed = 3, Devices = 5, AnomalyShare = 0.002, MalformedShare = 0, TimeStep = TimeSpan.FromMilliseconds(10) };
        var data = TelemetryGenerator.GenerateNdjson(options, out var generator);
        Assert.InRange(generator.Anomalies, 100, 300);
        Assert.Equal(generator.Anomalies, generator.Labels.Count);
        var records = TelemetryLine.Split(data).Select(l => TelemetryLine.TryParse(l.Span, out _)!).ToList();
        var byKey = records.ToLookup(r => (r.DeviceId, r.SensorType));
        var csv = new StringWriter();
        generator.WriteLabels(csv);
        var rows = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("deviceId,sensorType,timestamp,kind", rows[0]);
        Assert.Equal(generator.Anomalies, rows.Length - 1);
        var spikes = 0;
        foreach (var row in rows.Skip(1))
        {
            var f = row.Split(',');
            var time = DateTimeOffset.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            var series = byKey[(f[0], f[1])].ToList();
            var hit = series.Where(r => r.Timestamp == time).ToList();
            Assert.NotEmpty(hit);
            Assert.Contains(f[3], new[] { "spike", "level_shift" });
            if (f[3] != "spike") continue;
            spikes++;
            static double V(TelemetryLine r) => r.Value ?? r.Vector![2];
            var median = series.Select(V).Order().ElementAt(series.Count / 2);
            var magnitude = SensorProfile.Defaults.Single(p => p.Name == f[1]).AnomalyMagnitude;
            // A spike moves a reading by the magnitude; a level shift active at the time may take half of it back.
            Assert.Contains(hit, r => Math.Abs(V(r) - median) > magnitude / 4);
        }
        Assert.True(spikes > 10);
    }

    [Fact]
    public void GenerateNdjson_OutOfOrderWithoutLateShare_NoRecordLaterThanTheBound()
    {
        var options = new TelemetryGeneratorOptions { Events = 50_000, Seed = 9, MaxOutOfOrder = TimeSpan.FromSeconds(2), MalformedShare = 0, TimeStep = TimeSpan.FromMilliseconds(1) };
        var (late, backwards, _) = Lateness(options);
        Assert.Equal(0, late);
        Assert.True(backwards > 1000, "expected out-of-order records");
    }

    [Fact]
    public void GenerateNdjson_LateShare_LateRecordsBeyondTheBoundAsCounted()
    {
        var options = new TelemetryGeneratorOptions { Events = 50_000, Seed = 9, MaxOutOfOrder = TimeSpan.FromSeconds(2), LateShare = 0.01, MalformedShare = 0, TimeStep = TimeSpan.FromMilliseconds(1) };
        var (late, _, generator) = Lateness(options);
        Assert.InRange(generator.LateRecords, 350, 650);
        Assert.InRange(late, 1, generator.LateRecords);
    }

    private static (int Late, int Backwards, TelemetryGenerator Generator) Lateness(TelemetryGeneratorOptions options)
    {
        var data = TelemetryGenerator.GenerateNdjson(options, out var generator);
        var max = long.MinValue / 2;
        int late = 0, backwards = 0;
        foreach (var line in TelemetryLine.Split(data))
        {
            var t = TelemetryLine.TryParse(line.Span, out _)!.Timestamp;
            if (t < max) backwards++;
            if (t < max - (long)options.MaxOutOfOrder.TotalMilliseconds) late++;
            max = Math.Max(max, t);
        }
        return (late, backwards, generator);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new TelemetryGenerator(new TelemetryGeneratorOptions { Devices = 0 }));
        Assert.Throws<ArgumentException>(() => new TelemetryGenerator(new TelemetryGeneratorOptions { MalformedShare = 1.5 }));
        Assert.Throws<ArgumentException>(() => new TelemetryGenerator(new TelemetryGeneratorOptions { Sensors = [SensorProfile.Temperature], VectorShare = 0.05 }));
        Assert.Throws<ArgumentException>(() => new TelemetryGenerator(new TelemetryGeneratorOptions { Rate = -1 }));
    }

    [Fact]
    public void GenerateNdjson_Unbounded_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => TelemetryGenerator.GenerateNdjson(new TelemetryGeneratorOptions { Events = 0 }));
    }
}
